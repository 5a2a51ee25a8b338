"""How the hypervisor suite calls a driver: every failure names the contract method.

The suite calls the driver itself (not through the core's guard) so that what a driver raises is
seen as it raised it: a stray exception or NotImplementedError fails the test naming the method.
`guarded` wraps a driver exactly as the core's registry does, for the checks that the core
refuses undeclared capabilities before the driver is called.
"""

from __future__ import annotations

from typing import Any, NoReturn

import pytest

from cirrostack.errors import CirroError, InvalidParameter
from cirrostack.plugins._guard import GuardedDriver


def guarded(driver: Any, contract: type, kind: str, name: str) -> GuardedDriver:
    """`driver` behind the core's capability guard, as `PluginRegistry` hands it to the services.

    `kind` and `name` make up the subject refusals name, e.g. ("hypervisor", "KVM").
    """
    plugin = type(driver).__module__.split(".", 1)[0]
    return GuardedDriver(driver, contract, plugin, f"{kind} {name}")


def unwrap(driver: Any) -> Any:
    """The driver itself when `driver` is one the core's registry handed out (guarded)."""
    return getattr(driver, "unguarded", driver)


def call_contract(driver: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    """Call `driver.<method>` where the contract expects it to succeed, and return its result.

    Whatever it raises fails the test with a message naming the method: NotImplementedError (not
    implemented yet), an error of `cirrostack.errors` (not expected here) or any other exception.
    """
    return call_tolerating((), driver, method, *args, **kwargs)


def call_tolerating(tolerated: tuple[type[CirroError], ...], driver: Any, method: str, *args: Any,
                    **kwargs: Any) -> Any:
    """Like `call_contract`, but an error of a `tolerated` kind is returned instead of failing."""
    try:
        return getattr(driver, method)(*args, **kwargs)
    except tolerated as exc:
        return exc
    except Exception as exc:
        problem = exc
    fail_for_raised(method, problem)  # outside the except block: the report shows no chained traceback


def fail_for_raised(method: str, exc: Exception, situation: str = "") -> NoReturn:
    """Fail the test for an exception `method` should not have raised."""
    where = f" {situation}" if situation else ""
    if isinstance(exc, NotImplementedError):
        detail = f" ({exc})" if str(exc) else ""
        pytest.fail(f"{method}: raises NotImplementedError{detail}; the contract requires every abstract method "
                    "to be implemented", pytrace=False)
    if isinstance(exc, CirroError):
        pytest.fail(f"{method}: raised {type(exc).__name__}{where}: {exc}", pytrace=False)
    pytest.fail(f"{method}: raised {type(exc).__name__}{where}: {exc}; drivers raise only errors from "
                "cirrostack.errors (convert vendor exceptions at the driver's edge)", pytrace=False)


def expect_error(expected: type[CirroError] | tuple[type[CirroError], ...], situation: str, driver: Any,
                 method: str, *args: Any, param: str | None = None, **kwargs: Any) -> CirroError:
    """Call `driver.<method>` and require it to raise one of `expected`; return the error.

    `situation` says in a few words what the call was about ("for a VM the host does not know").
    `param`, for InvalidParameter, is the parameter the error must name.
    """
    kinds = expected if isinstance(expected, tuple) else (expected,)
    required = " or ".join(kind.__name__ for kind in kinds)
    try:
        result = getattr(driver, method)(*args, **kwargs)
    except kinds as exc:
        if param is not None and isinstance(exc, InvalidParameter) and exc.param != param:
            pytest.fail(f"{method}: {situation} raised InvalidParameter naming {exc.param!r} ({exc}); "
                        f"the contract requires it to name {param!r}", pytrace=False)
        return exc
    except Exception as exc:
        problem = exc
    else:
        pytest.fail(f"{method}: {situation} returned {result!r}; the contract requires {required}", pytrace=False)
    if isinstance(problem, CirroError):
        pytest.fail(f"{method}: {situation} raised {type(problem).__name__} ({problem}); the contract requires "
                    f"{required}", pytrace=False)
    fail_for_raised(method, problem, situation)
