"""How the isolation, network service, storage and VM snapshot suites call a driver.

The suites call the driver itself, so what it raises is seen as it raised it; a method still
raising NotImplementedError, or letting a non-cirrostack exception escape, fails the test with a
line naming the method. `guarded` wraps a driver exactly as the core's registry does, for the
checks that undeclared capabilities are refused before the driver runs.
"""

from __future__ import annotations

from typing import Any

import pytest

from cirrostack.errors import CirroError, InvalidParameter
from cirrostack.plugins._guard import GuardedDriver


def guarded(driver: Any, contract: type, subject: str) -> Any:
    """`driver` behind the core's guard; `subject` is how refusals name it ("storage provider S3")."""
    return GuardedDriver(driver, contract, type(driver).__module__.split(".", 1)[0], subject)


def call_contract(driver: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    """Call `driver.<method>`; errors of `cirrostack.errors` propagate, anything else fails the test."""
    label = f"{type(driver).__qualname__}.{method}"
    try:
        return getattr(driver, method)(*args, **kwargs)
    except CirroError:
        raise
    except NotImplementedError as exc:
        detail = f": {exc}" if str(exc) else ""
        pytest.fail(f"{label} is not implemented (raises NotImplementedError{detail})", pytrace=False)
    except Exception as exc:
        pytest.fail(f"{label} raised {type(exc).__name__}: {exc}; drivers raise only errors from "
                    "cirrostack.errors", pytrace=False)


def expect_error(expected: type[CirroError], situation: str, driver: Any, method: str, *args: Any,
                 param: str | None = None, **kwargs: Any) -> CirroError:
    """Require `driver.<method>(...)` to raise `expected` (naming `param`, for InvalidParameter).

    `situation` says what the call was about ("for a host that does not answer"). Fails naming
    the method, the situation and what happened instead; returns the error for further checks.
    """
    label = f"{type(driver).__qualname__}.{method}"
    try:
        result = call_contract(driver, method, *args, **kwargs)
    except expected as exc:
        if param is not None and isinstance(exc, InvalidParameter) and exc.param != param:
            pytest.fail(f"{label} {situation} raised InvalidParameter naming {exc.param!r} ({exc}); "
                        f"it must name {param!r}", pytrace=False)
        return exc
    except CirroError as exc:
        pytest.fail(f"{label} must raise {expected.__name__} {situation}, but raised {type(exc).__name__}: {exc}",
                    pytrace=False)
    pytest.fail(f"{label} must raise {expected.__name__} {situation}, but returned {result!r}", pytrace=False)
