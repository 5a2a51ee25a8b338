"""Imports a module that is not installed, so discovery cannot load it."""

import cirrostack_missing_dependency  # noqa: F401
