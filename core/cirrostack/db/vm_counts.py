"""The triggers that keep `vm_counts` (per account: live VMs, and Destroyed ones among them) exact.

listVirtualMachines reports the total number of matching VMs with every page. Counting them is a
scan that grows with the table (InnoDB keeps no row count), so the unfiltered count, by far the
most common, is read from `vm_counts` instead. Triggers rather than application code keep it,
because VM rows change through ORM flushes, Core UPDATEs and bulk inserts alike, and a trigger
runs inside the changing statement's transaction: a rolled-back deploy leaves the count as it was.

A VM row counts as live while `removed` is NULL, and as destroyed while also in state Destroyed.
The triggers touch an account's row only when one of those two facts, or the VM's account,
changes, so state changes of running VMs take no lock on it. A deploy takes the lock while its
transaction runs; it already holds the owner's resource-count rows for its limits check by then, so
deploys of one account were serialised there before, and the deploy benchmark shows no change.

MariaDB: creating triggers needs the TRIGGER privilege and, with binary logging on, SUPER or
`log_bin_trust_function_creators=1` (see docs/configuration.md).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

_LIVE = "{row}.removed IS NULL"
_DESTROYED = "({row}.removed IS NULL AND {row}.state = 'Destroyed')"
_CHANGED = ("(OLD.removed IS NULL) <> (NEW.removed IS NULL) OR OLD.account_id <> NEW.account_id "
            "OR ((OLD.state = 'Destroyed') <> (NEW.state = 'Destroyed'))")


def _adjust(row: str, sign: str) -> str:
    live, destroyed = _LIVE.format(row=row), _DESTROYED.format(row=row)
    return (f"UPDATE vm_counts SET live = live {sign} 1, destroyed = destroyed {sign} {destroyed} "
            f"WHERE account_id = {row}.account_id AND {live}")


def _sqlite_triggers() -> dict[str, str]:
    return {
        "vm_counts_account_insert": "CREATE TRIGGER vm_counts_account_insert AFTER INSERT ON accounts BEGIN "
                                    "INSERT OR IGNORE INTO vm_counts (account_id, live, destroyed) "
                                    "VALUES (NEW.id, 0, 0); END",
        "vm_counts_vm_insert": f"CREATE TRIGGER vm_counts_vm_insert AFTER INSERT ON vm_instances "
                               f"WHEN NEW.removed IS NULL BEGIN {_adjust('NEW', '+')}; END",
        "vm_counts_vm_delete": f"CREATE TRIGGER vm_counts_vm_delete AFTER DELETE ON vm_instances "
                               f"WHEN OLD.removed IS NULL BEGIN {_adjust('OLD', '-')}; END",
        "vm_counts_vm_update": f"CREATE TRIGGER vm_counts_vm_update AFTER UPDATE OF state, removed, account_id "
                               f"ON vm_instances WHEN {_CHANGED} BEGIN {_adjust('OLD', '-')}; "
                               f"{_adjust('NEW', '+')}; END",
    }


def _mariadb_triggers() -> dict[str, str]:
    # MariaDB fires an UPDATE trigger for any column; the IF keeps other updates off the count row.
    return {
        "vm_counts_account_insert": "CREATE TRIGGER vm_counts_account_insert AFTER INSERT ON accounts FOR EACH ROW "
                                    "INSERT IGNORE INTO vm_counts (account_id, live, destroyed) VALUES (NEW.id, 0, 0)",
        "vm_counts_vm_insert": f"CREATE TRIGGER vm_counts_vm_insert AFTER INSERT ON vm_instances FOR EACH ROW "
                               f"BEGIN IF NEW.removed IS NULL THEN {_adjust('NEW', '+')}; END IF; END",
        "vm_counts_vm_delete": f"CREATE TRIGGER vm_counts_vm_delete AFTER DELETE ON vm_instances FOR EACH ROW "
                               f"BEGIN IF OLD.removed IS NULL THEN {_adjust('OLD', '-')}; END IF; END",
        "vm_counts_vm_update": f"CREATE TRIGGER vm_counts_vm_update AFTER UPDATE ON vm_instances FOR EACH ROW "
                               f"BEGIN IF {_CHANGED} THEN {_adjust('OLD', '-')}; {_adjust('NEW', '+')}; END IF; END",
    }


def _triggers(connection: Connection) -> dict[str, str]:
    return _sqlite_triggers() if connection.dialect.name == "sqlite" else _mariadb_triggers()


TRIGGER_NAMES = tuple(_sqlite_triggers())


def install(connection: Connection) -> None:
    """(Re)create the triggers and recount every account from `vm_instances`. Idempotent; run by the
    migration that adds `vm_counts`, and again by any later migration that rebuilds `vm_instances`
    or `accounts` (SQLite's batch mode copies a table and drops its triggers)."""
    drop(connection)
    for statement in _triggers(connection).values():
        connection.execute(text(statement))
    recount(connection)


def drop(connection: Connection) -> None:
    """Remove the triggers (the counts stay as they were)."""
    for name in TRIGGER_NAMES:
        connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))


def recount(connection: Connection) -> None:
    """Set every account's counts from `vm_instances` (updateResourceCount's job for this table)."""
    connection.execute(text("DELETE FROM vm_counts"))
    connection.execute(text(
        "INSERT INTO vm_counts (account_id, live, destroyed) "
        "SELECT accounts.id, "
        "(SELECT COUNT(*) FROM vm_instances v WHERE v.account_id = accounts.id AND v.removed IS NULL), "
        "(SELECT COUNT(*) FROM vm_instances v WHERE v.account_id = accounts.id AND v.removed IS NULL "
        "AND v.state = 'Destroyed') FROM accounts"))
