"""cirrostack: the management server of an IaaS cloud, with a CloudStack-compatible API."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cirrostack")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
