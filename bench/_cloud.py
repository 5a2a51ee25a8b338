"""A management server for the benchmarks: the real ApiServer on a given database with the demo zone,
the admin's API keys, signed requests through the real Flask application, and a throwaway MariaDB.

Both benchmarks use this module so that their figures come from the same set-up as `cirro serve --demo`.
"""

from __future__ import annotations

import contextlib
import gc
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cirrostack.api.http import ApiServer, api_app, build_server
from cirrostack.api.signature import sign
from cirrostack.config import ServerConfig
from cirrostack.db.models import Account, ServiceOffering, Template, User, Zone
from cirrostack.demo import build_demo_zone
from cirrostack.services import limits
from cirrostack.services.accounts import root_admin_caller
from cirrostack.services.accounts.auth import caller_of
from cirrostack.services.accounts.tenants import create_account
from cirrostack.services.accounts.users import register_user_keys
from cirrostack.services.limits import ResourceType

ADMIN_PASSWORD = "bench-Admin-pw1"


@dataclass
class BenchCloud:
    """A built server with the demo zone, and what a benchmark needs to call it."""

    server: ApiServer
    api_key: str
    secret_key: str
    zone_id: int
    zone_uuid: str
    template_id: int
    template_uuid: str
    offering_id: int
    offering_uuid: str
    account_id: int
    domain_id: int

    def client(self):
        """A Werkzeug test client of the full API application (signature checks, roles, envelope)."""
        return api_app(self.server).test_client()

    def signed(self, **params: str) -> dict[str, str]:
        """`params` with apikey, response=json and CloudStack's HMAC-SHA1 signature added."""
        query = {**params, "apikey": self.api_key, "response": "json"}
        query["signature"] = sign(query.items(), self.secret_key)
        return query

    def close(self) -> None:
        self.server.close()


#: A tenant's own limits for `open_cloud(as_tenant=True)`: room for the benchmarks, but real limits, so
#: that every deploy is checked against them as a tenant's is.
TENANT_LIMITS = {ResourceType.INSTANCE: 100_000, ResourceType.CPU: 100_000, ResourceType.MEMORY: 100_000_000,
                 ResourceType.VOLUME: 100_000, ResourceType.PRIMARY_STORAGE: 10_000_000}


def open_cloud(db_url: str, data_dir: Path, job_workers: int = 4, as_tenant: bool = False) -> BenchCloud:
    """Build the server on `db_url` (an empty database), add the demo zone and register admin's keys,
    or with `as_tenant` those of a new user account of the ROOT domain with `TENANT_LIMITS`."""
    config = ServerConfig(data_dir=data_dir, db=db_url, admin_password=ADMIN_PASSWORD, job_workers=job_workers,
                          server_id=f"bench:{uuid.uuid4().hex[:8]}")
    server = build_server(config)
    demo = build_demo_zone(server, announce=lambda _line: None)
    with server.database.session() as session:
        caller = root_admin_caller(session)
        if as_tenant:
            tenant = create_account(session, caller, accounttype=0, username="bench-tenant", password=ADMIN_PASSWORD,
                                    email="tenant@bench.invalid", firstname="Bench", lastname="Tenant")
            for resource, maximum in TENANT_LIMITS.items():
                limits.set_limit(session, limits.account_owner(tenant), resource, maximum)
            session.flush()
            caller = caller_of(session.scalars(select(User).where(User.account_id == tenant.id)).one())
        user = session.get(User, caller.user_id)
        api_key, secret_key = register_user_keys(session, caller, server.secrets, user)
        account = session.get(Account, caller.account_id)
        zone = session.scalars(select(Zone)).one()
        template = session.scalars(select(Template).where(Template.uuid == demo.template["id"])).one()
        offering = session.scalars(select(ServiceOffering).where(ServiceOffering.name == "Small Instance")).one()
        cloud = BenchCloud(server, api_key, secret_key, zone.id, zone.uuid, template.id, template.uuid,
                           offering.id, offering.uuid, account.id, account.domain_id)
        session.commit()
    gc.freeze()  # as `cirro serve` does before it listens
    return cloud


def percentile(samples: list[float], fraction: float) -> float:
    """The `fraction` quantile (0.5 = median) of `samples`, interpolated."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[round(fraction * 100) - 1]


def timed(action, rounds: int) -> list[float]:
    """Milliseconds of each of `rounds` calls of `action` after two warm-up calls."""
    for _ in range(2):
        action()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


@contextlib.contextmanager
def throwaway_mariadb() -> Iterator[Any]:
    """A mariadbd on a free loopback port with its own data directory; yields a function giving the URL
    of a new empty database. Stopped with SIGTERM (and waited for) afterwards."""
    mariadbd = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
    install_db = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
    if not Path(mariadbd).exists() or not Path(install_db).exists():
        raise SystemExit("mariadbd / mariadb-install-db not found (apt-get install mariadb-server)")
    import pymysql

    base = Path(tempfile.mkdtemp(prefix="cirro-bench-mariadb-"))
    datadir = base / "data"
    subprocess.run([install_db, "--no-defaults", f"--datadir={datadir}", "--user=root",
                    "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve",
                    "--innodb-log-file-size=64M"], check=True, capture_output=True, timeout=120)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [mariadbd, "--no-defaults", "--user=root", f"--datadir={datadir}", f"--socket={base / 'mysqld.sock'}",
         f"--pid-file={base / 'mysqld.pid'}", f"--port={port}", "--bind-address=127.0.0.1",
         f"--log-error={base / 'error.log'}", f"--tmpdir={base}", "--skip-name-resolve",
         "--innodb-buffer-pool-size=256M",
         "--innodb-log-file-size=64M", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
         "--innodb-flush-log-at-trx-commit=2", "--max-connections=300"])

    def connect():
        return pymysql.connect(host="127.0.0.1", port=port, user="root", password="", autocommit=True)

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connect().close()
                break
            except pymysql.err.OperationalError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"mariadbd did not start: {(base / 'error.log').read_text()}") from None
                time.sleep(0.05)

        def new_database() -> str:
            name = "cirro_bench_" + uuid.uuid4().hex[:10]
            connection = connect()
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
            connection.close()
            return f"mysql+pymysql://root@127.0.0.1:{port}/{name}?charset=utf8mb4"

        yield new_database
    finally:
        process.terminate()
        process.wait(30)
        shutil.rmtree(base, ignore_errors=True)
