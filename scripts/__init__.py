"""The developer's scripts, run from the repository root as modules: `python -m scripts.loadtest`.

They share the real-server runner and the browser helpers with the tests (tests/support/);
`make loadtest`, `make bench` and `make screenshots` run them with the project's .venv.
"""
