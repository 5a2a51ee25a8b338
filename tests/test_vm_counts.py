"""`vm_counts` stays exact through every kind of statement that changes VM rows, on SQLite and MariaDB,
and listVirtualMachines' total `count` (read from it when unfiltered) equals the rows its pages hold."""

from __future__ import annotations

from sqlalchemy import case, delete, func, insert, select, text, update

from cirrostack.db import vm_counts
from cirrostack.db.models import Account, VirtualMachine, VMCount, VMState
from cirrostack.db.timestamps import utcnow
from tests.fixtures.operator_api import OperatorApi
from tests.test_vm_lifecycle import _job, demo_cloud


def _counted(session) -> dict[int, tuple[int, int]]:
    """The counts recomputed from the VM rows, for every account."""
    live = VirtualMachine.removed.is_(None)
    destroyed = func.sum(case((VirtualMachine.state == VMState.DESTROYED.value, 1), else_=0))
    rows = session.execute(select(VirtualMachine.account_id, func.count(), destroyed).where(live)
                           .group_by(VirtualMachine.account_id)).all()
    found = {account_id: (0, 0) for account_id in session.scalars(select(Account.id))}
    found.update({account_id: (int(count), int(destroyed or 0)) for account_id, count, destroyed in rows})
    return found


def _kept(session) -> dict[int, tuple[int, int]]:
    return {row.account_id: (row.live, row.destroyed) for row in session.scalars(select(VMCount))}


def _assert_exact(api: OperatorApi) -> dict[int, tuple[int, int]]:
    with api.server.database.session() as session:
        kept, counted = _kept(session), _counted(session)
    assert kept == counted
    return kept


def _row_like(session, vm_id: int, number: int) -> dict:
    """A copy of VM `vm_id`'s columns under a new uuid and name, for a Core bulk insert."""
    vm = session.get(VirtualMachine, vm_id)
    columns = {column.key: getattr(vm, column.key) for column in VirtualMachine.__mapper__.column_attrs
               if column.key != "id"}
    return {**columns, "uuid": f"00000000-0000-4000-8000-{number:012d}", "name": f"bulk-{number}",
            "instance_name": f"i-bulk-{number}", "created": utcnow()}


def test_counts_follow_api_calls_core_statements_bulk_inserts_and_rollbacks(operator_api: OperatorApi) -> None:
    api = operator_api
    cloud = demo_cloud(api)
    api.user("counted-other")
    running = _job(api, api.root("deployVirtualMachine", name="counted-1", **cloud))["jobresult"]["virtualmachine"]
    _job(api, api.root("deployVirtualMachine", name="counted-2", startvm="false", **cloud))
    _assert_exact(api)
    _job(api, api.root("destroyVirtualMachine", id=running["id"]))
    kept = _assert_exact(api)
    assert sorted(kept.values())[-1] == (2, 1)
    status, body = api.root("recoverVirtualMachine", id=running["id"])
    assert status == 200, body
    _assert_exact(api)

    database = api.server.database
    with database.session() as session:
        vm_id = session.scalar(select(VirtualMachine.id).where(VirtualMachine.uuid == running["id"]))
        account_id = session.scalar(select(VirtualMachine.account_id).where(VirtualMachine.id == vm_id))
        session.execute(insert(VirtualMachine), [_row_like(session, vm_id, number) for number in range(40)])
        session.commit()
    assert _assert_exact(api)[account_id][0] == 42

    with database.session() as session:  # Core UPDATEs: into Destroyed, expunged, moved to another account
        session.execute(update(VirtualMachine).where(VirtualMachine.name.in_(["bulk-1", "bulk-2", "bulk-3"]))
                        .values(state=VMState.DESTROYED.value))
        session.execute(update(VirtualMachine).where(VirtualMachine.name == "bulk-3").values(removed=utcnow()))
        other = session.scalar(select(Account.id).where(Account.id != account_id))
        session.execute(update(VirtualMachine).where(VirtualMachine.name == "bulk-4").values(account_id=other))
        session.execute(update(VirtualMachine).where(VirtualMachine.name == "bulk-5").values(cpus=4))
        session.commit()
    kept = _assert_exact(api)
    assert kept[account_id] == (40, 2) and kept[other][0] >= 1

    with database.session() as session:  # a rolled-back change leaves the counts as they were
        session.execute(delete(VirtualMachine).where(VirtualMachine.name.like("bulk-1%")))
        session.rollback()
    assert _assert_exact(api) == kept
    with database.session() as session:
        session.execute(delete(VirtualMachine).where(VirtualMachine.name.like("bulk-1%")))
        session.commit()
    assert _assert_exact(api)[account_id] == (29, 1)


def test_the_listed_count_is_the_rows_of_all_pages_for_admins_and_users(operator_api: OperatorApi) -> None:
    api = operator_api
    cloud = demo_cloud(api)
    tenant = api.user("counted-tenant")
    made = [_job(api, tenant("deployVirtualMachine", name=f"t-{number}", startvm="false", **cloud))
            for number in range(5)]
    _job(api, api.root("deployVirtualMachine", name="admin-own", startvm="false", **cloud))
    for job in made[:2]:
        _job(api, tenant("destroyVirtualMachine", id=job["jobresult"]["virtualmachine"]["id"]))

    def listed(client, **params) -> tuple[int, list[str]]:
        names, count, page = [], None, 1
        while True:
            status, body = client("listVirtualMachines", page=str(page), pagesize="2", **params)
            assert status == 200, body
            count = body.get("count", 0) if count is None else count
            if not body.get("virtualmachine"):
                return count, names
            names += [vm["name"] for vm in body["virtualmachine"]]
            page += 1

    assert listed(tenant) == (3, ["t-4", "t-3", "t-2"])  # users do not see their Destroyed VMs
    count, names = listed(api.root, listall="true")
    assert count == len(names) == 6 and "t-0" in names
    assert listed(api.root) == (1, ["admin-own"])  # without listall: the admin's own account
    count, names = listed(api.root, listall="true", state="Destroyed")  # filtered: counted from the rows
    assert (count, sorted(names)) == (2, ["t-0", "t-1"])


def test_the_triggers_survive_every_migration(operator_api: OperatorApi) -> None:
    # SQLite's batch mode rebuilds a table without its triggers: a later migration that alters
    # vm_instances or accounts must call vm_counts.install() again.
    with operator_api.server.database.session() as session:
        if session.bind.dialect.name == "sqlite":
            names = set(session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
        else:
            names = set(session.scalars(text("SELECT trigger_name FROM information_schema.triggers "
                                             "WHERE trigger_schema = DATABASE()")))
    assert set(vm_counts.TRIGGER_NAMES) <= names


def test_a_mariadb_user_without_the_trigger_privilege_gets_an_error_and_can_migrate_once_granted(
        mariadb_server, mariadb_url: str) -> None:
    import pymysql
    from sqlalchemy import inspect
    from sqlalchemy.exc import OperationalError

    from cirrostack.db import Database

    name = mariadb_url.rsplit("/", 1)[1].split("?")[0]
    user = f"u_{name[-8:]}"
    admin = mariadb_server.connect()
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY 'pw'")
            cursor.execute(f"GRANT ALL PRIVILEGES ON `{name}`.* TO '{user}'@'%'")
            cursor.execute(f"REVOKE TRIGGER ON `{name}`.* FROM '{user}'@'%'")
        database = Database(f"mysql+pymysql://{user}:pw@127.0.0.1:{mariadb_server.port}/{name}?charset=utf8mb4")
        try:
            try:
                database.upgrade()
            except OperationalError as failed:
                assert isinstance(failed.orig, pymysql.err.OperationalError) and "TRIGGER" in str(failed.orig)
            else:
                raise AssertionError("the migration created triggers without the TRIGGER privilege")
            assert "vm_counts" not in inspect(database.engine).get_table_names()
            with admin.cursor() as cursor:
                cursor.execute(f"GRANT TRIGGER ON `{name}`.* TO '{user}'@'%'")
            database.engine.dispose()  # a database-level grant reaches new connections
            database.upgrade()
            assert "vm_counts" in inspect(database.engine).get_table_names()
        finally:
            database.dispose()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP USER IF EXISTS '{user}'@'%'")
        admin.close()
