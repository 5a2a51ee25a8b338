"""Server configuration: defaults, then a TOML file, then `CIRRO_*` variables, then CLI flags.

Later sources win. Keys (file key / environment variable):

    host                CIRRO_HOST                 address the API listens on (127.0.0.1)
    port                CIRRO_PORT                 API port (8080)
    data_dir            CIRRO_DATA_DIR             where the SQLite database and the key file live
    db                  CIRRO_DB                   SQLAlchemy URL; default sqlite in data_dir
    disabled_plugins    CIRRO_DISABLED_PLUGINS     plugin names left out (comma-separated in env)
    threads             CIRRO_THREADS              WSGI worker threads (8)
    job_workers         CIRRO_JOB_WORKERS          async job worker threads (4)
    log_level           CIRRO_LOG_LEVEL            INFO
    admin_password      CIRRO_ADMIN_PASSWORD       first start only: password of user admin
    integration_port    CIRRO_INTEGRATION_PORT     unauthenticated root-admin API port; 0 = off (0)
    integration_host    CIRRO_INTEGRATION_HOST     address the integration port binds (127.0.0.1)
    server_id           CIRRO_SERVER_ID            this management server's name in the job table
                                                   (default: <hostname>:<port>)
    demo                CIRRO_DEMO                 on a cloud without zones, build a simulator demo zone
                                                   at start-up (false; see docs/demo.md)
    demo_networking     CIRRO_DEMO_NETWORKING      the demo zone's guest networking: auto (on when this
                                                   process may run routers: root, with iproute2, dnsmasq,
                                                   haproxy and iptables), on, or off (auto)

The file is `--config PATH`, else `CIRRO_CONFIG`, else `<data_dir>/cirrostack.toml` if present.
"""

from __future__ import annotations

import os
import socket
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

ENV_PREFIX = "CIRRO_"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("cirrostack", appauthor=False))


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = field(default_factory=default_data_dir)
    db: str = ""
    disabled_plugins: list[str] = field(default_factory=list)
    threads: int = 8
    job_workers: int = 4
    log_level: str = "INFO"
    admin_password: str = field(default="", repr=False)
    integration_port: int = 0
    integration_host: str = "127.0.0.1"
    server_id: str = ""
    demo: bool = False
    demo_networking: str = "auto"

    def __post_init__(self) -> None:
        if not self.server_id:
            self.server_id = f"{socket.gethostname()}:{self.port}"

    @property
    def db_url(self) -> str:
        return self.db or f"sqlite:///{self.data_dir / 'cirrostack.db'}"

    @classmethod
    def load(cls, config_file: str | os.PathLike[str] | None = None,
             overrides: dict[str, Any] | None = None,
             environ: dict[str, str] | None = None) -> ServerConfig:
        env = dict(os.environ if environ is None else environ)
        config = cls()
        values: dict[str, Any] = {}
        env_values = {f.name: env[ENV_PREFIX + f.name.upper()] for f in fields(cls)
                      if ENV_PREFIX + f.name.upper() in env}
        data_dir = (overrides or {}).get("data_dir") or env_values.get("data_dir")
        path = config_file or env.get(ENV_PREFIX + "CONFIG")
        if path is None:
            candidate = Path(data_dir or config.data_dir) / "cirrostack.toml"
            path = candidate if candidate.exists() else None
        if path is not None:
            with open(path, "rb") as handle:
                values.update(tomllib.load(handle))
        values.update(env_values)
        values.update({k: v for k, v in (overrides or {}).items() if v is not None})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown configuration keys: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        for name, value in values.items():
            setattr(config, name, _convert(name, value))
        if "server_id" not in values:
            config.server_id = f"{socket.gethostname()}:{config.port}"
        return config


def _convert(name: str, value: Any) -> Any:
    if name == "data_dir":
        return Path(value).expanduser()
    if name in ("port", "threads", "job_workers", "integration_port"):
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name}: expected an integer, got {value!r}") from None
    if name == "demo":
        return _boolean(name, value)
    if name == "demo_networking":
        text = str(value).strip().lower()
        if text == "auto":
            return text
        return "on" if _boolean(name, value) else "off"
    if name == "disabled_plugins":
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return [str(item) for item in value]
    return str(value)


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(f"{name}: expected true or false (also 1/0, yes/no, on/off), got {value!r}")
