"""The `cirrostack` pytest plugin, loaded through the `pytest11` entry point of the core.

It holds the default fixtures of the conformance suites in `cirrostack.testing`. They sit at
plugin level, the lowest priority pytest knows, so a vendor's own fixture of the same name (in a
conftest.py, a test module or the test class) always wins.
"""
