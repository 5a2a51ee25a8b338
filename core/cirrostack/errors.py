"""The one tree of errors cirrostack raises, each with its CloudStack wire codes.

    CirroError                      530 / 4250  anything unexpected (CloudRuntimeException)
    ├── InvalidParameter            431 / 4350  a parameter is missing, malformed or out of range
    │   └── MissingParameter        431 / 9999  a required parameter is absent
    ├── MalformedParameter          430 / 9999  `name[i].field` syntax that cannot be decoded
    ├── UnsupportedOperation        432 / 4390  a driver or role does not offer this
    │   └── UnknownCommand          432 / 9999
    ├── AuthenticationFailed        401 / -     bad signature, key, session (no cserrorcode on the wire)
    ├── PermissionDenied            531 / 4365  the caller may not see or touch the object
    │   └── LoginFailed             531 / 4290
    ├── ResourceLimitExceeded       532 / 4280
    ├── InsufficientCapacity        533 / 4325
    ├── ResourceUnavailable         534 / 4380
    │   ├── HostUnreachable         534 / 4285  the hypervisor host does not answer
    │   └── VMNotFound              534 / 4380  the hypervisor does not know the VM
    ├── ResourceAllocationFailed    535 / 4370
    ├── ResourceInUse               536 / 4375  deleting or changing something still used
    ├── NetworkRuleConflict         537 / 4360
    ├── InvalidState                431 / 4350  the object is in the wrong state for the request
    └── PluginError                 530 / 4250  a plugin raised something outside this tree

Drivers convert vendor exceptions into this tree at their edge with ``raise ... from exc``.
The API layer turns any of these into CloudStack's error envelope; nothing else does.
"""

from __future__ import annotations


class CirroError(Exception):
    """Base of every error cirrostack raises on purpose."""

    http_status: int = 530
    cs_error_code: int = 4250

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidParameter(CirroError):
    """A parameter value is wrong; the message names the parameter and what is accepted."""

    http_status = 431
    cs_error_code = 4350

    def __init__(self, param: str, reason: str) -> None:
        super().__init__(f"{param}: {reason}" if param else reason)
        self.param = param
        self.reason = reason


class MissingParameter(InvalidParameter):
    cs_error_code = 9999

    def __init__(self, command: str, param: str) -> None:
        CirroError.__init__(
            self, f"Unable to execute API command {command.lower()} due to missing parameter {param}"
        )
        self.param = param
        self.reason = "missing"


class MalformedParameter(CirroError):
    http_status = 430
    cs_error_code = 9999


class InvalidState(CirroError):
    """The object is in a state that does not allow the request (e.g. starting a running VM)."""

    http_status = 431
    cs_error_code = 4350


class UnsupportedOperation(CirroError):
    """A driver does not declare the capability, or the caller's role may not run the command."""

    http_status = 432
    cs_error_code = 4390

    def __init__(self, subject: str, capability: str | None = None, reason: str | None = None) -> None:
        if capability is None:
            message = subject
        else:
            message = f"{subject} does not declare {capability}"
            if reason:
                message += f": {reason}"
        super().__init__(message)
        self.subject = subject
        self.capability = capability


class UnknownCommand(UnsupportedOperation):
    cs_error_code = 9999

    def __init__(self, command: str) -> None:
        CirroError.__init__(self, f"The given command {command} does not exist or it is not available for user")
        self.subject = command
        self.capability = None


class AuthenticationFailed(CirroError):
    http_status = 401
    cs_error_code = 0


class PermissionDenied(CirroError):
    http_status = 531
    cs_error_code = 4365


class LoginFailed(PermissionDenied):
    cs_error_code = 4290


class ResourceLimitExceeded(CirroError):
    http_status = 532
    cs_error_code = 4280


class InsufficientCapacity(CirroError):
    http_status = 533
    cs_error_code = 4325


class ResourceUnavailable(CirroError):
    http_status = 534
    cs_error_code = 4380


class HostUnreachable(ResourceUnavailable):
    cs_error_code = 4285


class VMNotFound(ResourceUnavailable):
    pass


class ResourceAllocationFailed(CirroError):
    http_status = 535
    cs_error_code = 4370


class ResourceInUse(CirroError):
    http_status = 536
    cs_error_code = 4375


class NetworkRuleConflict(CirroError):
    http_status = 537
    cs_error_code = 4360


class PluginError(CirroError):
    """A plugin raised an exception outside this tree; the message names the plugin."""

    def __init__(self, plugin: str, operation: str, exc: BaseException) -> None:
        super().__init__(f"plugin {plugin} failed in {operation}: {type(exc).__name__}: {exc}")
        self.plugin = plugin
        self.operation = operation


__all__ = [
    "AuthenticationFailed",
    "CirroError",
    "HostUnreachable",
    "InsufficientCapacity",
    "InvalidParameter",
    "InvalidState",
    "LoginFailed",
    "MalformedParameter",
    "MissingParameter",
    "NetworkRuleConflict",
    "PermissionDenied",
    "PluginError",
    "ResourceAllocationFailed",
    "ResourceInUse",
    "ResourceLimitExceeded",
    "ResourceUnavailable",
    "UnknownCommand",
    "UnsupportedOperation",
    "VMNotFound",
]
