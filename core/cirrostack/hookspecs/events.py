"""Lifecycle events: the core tells plugins what happened; plugins never change the outcome."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cirrostack.hookspecs._markers import hookspec


@dataclass(frozen=True)
class LifecycleEvent:
    """Something that happened to a resource, e.g. type "VM.START", state "Completed".

    `type` uses CloudStack's event type names (VM.CREATE, VM.START, USER.LOGIN, ...).
    """

    type: str
    state: str
    description: str
    resource_type: str = ""
    resource_uuid: str = ""
    account_uuid: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)


@hookspec
def on_startup(settings: Mapping[str, Any]) -> None:
    """The management server has loaded every plugin and is about to serve requests.

    An exception here is logged with the plugin's name; the server still starts.
    """


@hookspec
def on_shutdown() -> None:
    """The management server is stopping; release connections and threads the plugin opened."""


@hookspec
def on_event(event: LifecycleEvent) -> None:
    """Called after the core recorded `event`. Must return quickly (queue slow work).

    An exception is logged with the plugin's name and does not affect the operation.
    """
