"""The test suite: one test_<module>.py per module; support/ is shared with scripts/."""
