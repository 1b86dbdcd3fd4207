"""The load test's parts (scripts/loadtest.py is its command line): the simulated phones, the
servers under test, one run of bursts, and the medians and report."""
