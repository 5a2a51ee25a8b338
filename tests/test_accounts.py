"""Account services on SQLite and MariaDB: domains, accounts, users, login, API keys, scoping."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from cirrostack.db import Database
from cirrostack.db.models import Account, AsyncJob, Domain, Event, User
from cirrostack.errors import AuthenticationFailed, InvalidParameter, LoginFailed, PermissionDenied, ResourceInUse
from cirrostack.secrets import SecretBox
from cirrostack.services import accounts, scope
from cirrostack.services.accounts.domains import restore_after_interrupted_delete
from cirrostack.services.context import Caller

PASSWORD = "s3cret-pw"


@dataclass
class Cloud:
    database: Database
    secrets: SecretBox
    root: Caller

    def call(self, function, *args, **kwargs):
        with self.database.session() as session:
            return function(session, *args, **kwargs)

    def login(self, username: str, password: str = PASSWORD, domain: str | None = None) -> Caller:
        return self.call(accounts.authenticate, username, password, domain)


@pytest.fixture
def cloud(database_url: str):
    database = Database(database_url)
    database.upgrade()
    with database.session() as session:
        accounts.bootstrap(session, "admin-pw")
        root = accounts.root_admin_caller(session)
    yield Cloud(database, SecretBox(SecretBox.generate_key()), root)
    database.dispose()


def _domain(cloud: Cloud, name: str, parent_path: str = "/") -> str:
    def create(session):
        parent = session.scalars(select(Domain).where(Domain.path == parent_path)).one()
        return accounts.create_domain(session, cloud.root, name, parent).uuid

    return cloud.call(create)


def _account(cloud: Cloud, username: str, domain_path: str = "/", accounttype: int = 0,
             account: str | None = None) -> str:
    def create(session):
        domain = session.scalars(select(Domain).where(Domain.path == domain_path)).one()
        return accounts.create_account(session, cloud.root, accounttype=accounttype, username=username,
                                       password=PASSWORD, email=f"{username}@example.org", firstname=username,
                                       lastname="Test", domain=domain, account=account).uuid

    return cloud.call(create)


def test_domains_form_a_tree_with_paths_and_levels(cloud: Cloud) -> None:
    _domain(cloud, "sales")
    emea = _domain(cloud, "emea", "/sales/")
    with cloud.database.session() as session:
        domain = session.scalars(select(Domain).where(Domain.uuid == emea)).one()
        assert (domain.path, domain.level, accounts.display_path(domain)) == ("/sales/emea/", 2, "ROOT/sales/emea")


def test_a_sibling_domain_name_clash_names_the_parameter(cloud: Cloud) -> None:
    _domain(cloud, "sales")
    with pytest.raises(InvalidParameter) as raised:
        _domain(cloud, "SALES")
    assert raised.value.param == "name" and "already exists in ROOT" in str(raised.value)
    _domain(cloud, "sales", "/sales/")  # the same name below another parent is fine


def test_renaming_a_domain_moves_its_subtree(cloud: Cloud) -> None:
    sales = _domain(cloud, "sales")
    _domain(cloud, "emea", "/sales/")
    _account(cloud, "eve", "/sales/emea/")

    def rename(session):
        domain = session.scalars(select(Domain).where(Domain.uuid == sales)).one()
        accounts.update_domain(session, cloud.root, domain, name="trade")

    cloud.call(rename)
    with cloud.database.session() as session:
        assert sorted(d.path for d in session.scalars(select(Domain))) == ["/", "/trade/", "/trade/emea/"]
    assert cloud.login("eve", domain="/trade/emea/").domain_path == "/trade/emea/"


def test_account_and_username_clashes_name_the_parameter(cloud: Cloud) -> None:
    _domain(cloud, "d1")
    _domain(cloud, "d2")
    _account(cloud, "alice", "/d1/")
    with pytest.raises(InvalidParameter) as raised:
        _account(cloud, "Alice", "/d1/")
    assert raised.value.param == "username" and "already exists in domain /d1/" in str(raised.value)
    with pytest.raises(InvalidParameter) as raised:
        _account(cloud, "someone", "/d1/", account="ALICE")
    assert raised.value.param == "account"
    _account(cloud, "alice", "/d2/")  # another domain may reuse both names


def test_login_checks_password_state_and_domain(cloud: Cloud) -> None:
    _domain(cloud, "d1")
    _account(cloud, "alice", "/d1/")
    caller = cloud.login("alice", domain="ROOT/d1")
    assert (caller.username, caller.domain_path, caller.account_name) == ("alice", "/d1/", "alice")
    with pytest.raises(LoginFailed, match="Failed to authenticate user alice in domain /"):
        cloud.login("alice")  # wrong domain
    with pytest.raises(LoginFailed, match="Failed to authenticate user alice"):
        cloud.login("alice", "wrong", "/d1/")
    with pytest.raises(LoginFailed, match="Unable to find the domain from the path /nowhere/"):
        cloud.login("alice", domain="/nowhere")
    with cloud.database.session() as session:
        assert session.scalars(select(Event).where(Event.type == "USER.LOGIN", Event.level == "ERROR")).first()


def test_repeated_wrong_passwords_lock_the_user(cloud: Cloud) -> None:
    _account(cloud, "mallory")
    for _ in range(accounts.auth.LOGIN_ATTEMPTS_ALLOWED):
        with pytest.raises(LoginFailed):
            cloud.login("mallory", "guess")
    with pytest.raises(LoginFailed, match="disabled or locked"):
        cloud.login("mallory")  # even the right password no longer works
    with cloud.database.session() as session:
        assert session.scalars(select(User).where(User.username == "mallory")).one().state == "locked"


def test_registered_keys_are_stored_encrypted_and_authenticate(cloud: Cloud) -> None:
    _account(cloud, "alice")
    alice = cloud.login("alice")

    def register(session):
        user = scope.load_visible(session, alice, "User", alice.user_uuid, "id")
        return accounts.register_user_keys(session, alice, cloud.secrets, user)

    api_key, secret_key = cloud.call(register)
    with cloud.database.session() as session:
        stored = session.scalars(select(User).where(User.uuid == alice.user_uuid)).one()
        assert stored.api_key == api_key and secret_key not in stored.secret_key
        assert accounts.user_keys(cloud.secrets, stored) == (api_key, secret_key)
        caller, secret = accounts.caller_for_api_key(session, cloud.secrets, api_key)
    assert caller.user_uuid == alice.user_uuid and secret == secret_key
    with pytest.raises(AuthenticationFailed):
        cloud.call(accounts.caller_for_api_key, cloud.secrets, api_key + "x")


def test_disabling_an_account_stops_its_users_until_enabled(cloud: Cloud) -> None:
    account_uuid = _account(cloud, "alice")
    alice = cloud.login("alice")

    def register(session):
        return accounts.register_user_keys(session, alice, cloud.secrets, session.get(User, alice.user_id))[0]

    api_key = cloud.call(register)

    def set_state(session, enable: bool, lock: bool = False):
        account = scope.load_visible(session, cloud.root, "Account", account_uuid, "id")
        if enable:
            accounts.enable_account(session, cloud.root, account)
        else:
            accounts.disable_account(session, cloud.root, account, lock=lock)

    cloud.call(set_state, False)
    with pytest.raises(LoginFailed):
        cloud.login("alice")
    with pytest.raises(AuthenticationFailed):
        cloud.call(accounts.caller_for_api_key, cloud.secrets, api_key)
    with pytest.raises(AuthenticationFailed):
        cloud.call(accounts.caller_for_user, alice.user_uuid)
    cloud.call(set_state, False, True)
    with cloud.database.session() as session:
        assert session.scalars(select(Account).where(Account.uuid == account_uuid)).one().state == "locked"
    cloud.call(set_state, True)
    assert cloud.login("alice").user_uuid == alice.user_uuid


def test_callers_cannot_disable_or_delete_their_own_account(cloud: Cloud) -> None:
    def attempt(session):
        account = session.get(Account, cloud.root.account_id)
        accounts.disable_account(session, cloud.root, account, lock=False)

    with pytest.raises(PermissionDenied, match="account admin: you cannot disable"):
        cloud.call(attempt)


def test_deleting_an_account_removes_its_users(cloud: Cloud) -> None:
    account_uuid = _account(cloud, "alice")

    def add_second_user(session):
        accounts.create_user(session, cloud.root, account="alice", username="alice2", password=PASSWORD,
                             email="a2@example.org", firstname="A", lastname="Two")

    cloud.call(add_second_user)

    def delete(session):
        accounts.delete_account(session, cloud.root, scope.load_visible(session, cloud.root, "Account",
                                                                        account_uuid, "id"))

    cloud.call(delete)
    for username in ("alice", "alice2"):
        with pytest.raises(LoginFailed):
            cloud.login(username)
    with cloud.database.session() as session:
        users = session.scalars(select(User).where(User.username.in_(["alice", "alice2"]))).all()
        assert len(users) == 2 and all(user.removed is not None for user in users)
        with pytest.raises(InvalidParameter, match="id: Account .* does not exist"):
            scope.load_visible(session, cloud.root, "Account", account_uuid, "id")
    _account(cloud, "alice")  # the name is free again


def test_deleting_a_domain_with_accounts_needs_cleanup(cloud: Cloud) -> None:
    sales = _domain(cloud, "sales")
    _domain(cloud, "emea", "/sales/")
    _account(cloud, "eve", "/sales/emea/")

    def delete(session, cleanup: bool):
        domain = scope.load_visible(session, cloud.root, "Domain", sales, "id")
        accounts.delete_domain(session, cloud.root, domain, cleanup=cleanup)

    with pytest.raises(ResourceInUse, match=r"ROOT/sales still has 1 account\(s\) and 1 child domain"):
        cloud.call(delete, False)
    with cloud.database.session() as session:
        assert session.scalars(select(Domain).where(Domain.uuid == sales)).one().state == "Active"
    cloud.call(delete, True)
    with cloud.database.session() as session:
        assert [d.path for d in session.scalars(select(Domain).where(Domain.removed.is_(None)))] == ["/"]
        eve = session.scalars(select(Account).where(Account.name == "eve")).one()
        assert eve.removed is not None
    with pytest.raises(LoginFailed):
        cloud.login("eve", domain="/sales/emea/")


def test_an_interrupted_domain_delete_is_undone_by_the_job_cleanup(cloud: Cloud) -> None:
    sales = _domain(cloud, "sales")

    def interrupted(session):
        domain = session.scalars(select(Domain).where(Domain.uuid == sales)).one()
        domain.state = "Inactive"  # what delete_domain commits before it removes anything
        job = AsyncJob(user_id=cloud.root.user_id, account_id=cloud.root.account_id, command="deleteDomain",
                       cmd_info=f'{{"id": "{sales}", "command": "deleteDomain"}}')
        session.add(job)
        session.flush()
        restore_after_interrupted_delete(session, job)

    cloud.call(interrupted)
    with cloud.database.session() as session:
        assert session.scalars(select(Domain).where(Domain.uuid == sales)).one().state == "Active"


def test_scope_root_sees_all_domain_admin_subtree_user_own_account(cloud: Cloud) -> None:
    _domain(cloud, "d1")
    _domain(cloud, "sub", "/d1/")
    _domain(cloud, "d2")
    alice = _account(cloud, "alice", "/d1/")
    carol = _account(cloud, "carol", "/d1/sub/")
    bob = _account(cloud, "bob", "/d2/")
    _account(cloud, "da1", "/d1/", accounttype=2)
    admin1 = cloud.login("da1", domain="/d1/")
    alice_caller = cloud.login("alice", domain="/d1/")

    def names(session, caller, **filters):
        rows, count = accounts.list_accounts(session, caller, **filters)
        assert count == len(rows)
        return sorted(a.name for a in rows)

    with cloud.database.session() as session:
        assert names(session, cloud.root, listall=True) == ["admin", "alice", "bob", "carol", "da1"]
        assert names(session, cloud.root) == ["admin"]  # without listall: the caller's own account
        assert names(session, admin1, listall=True) == ["alice", "carol", "da1"]
        assert names(session, alice_caller, listall=True) == ["alice"]
        d1 = scope.load_visible(session, cloud.root, "Domain", session.scalars(
            select(Domain.uuid).where(Domain.path == "/d1/")).one(), "domainid")
        assert names(session, cloud.root, domainid=d1) == ["alice", "da1"]
        assert names(session, cloud.root, domainid=d1, isrecursive=True) == ["alice", "carol", "da1"]
        for caller, hidden in ((admin1, bob), (alice_caller, carol), (alice_caller, bob)):
            with pytest.raises(InvalidParameter) as raised:
                scope.load_visible(session, caller, "Account", hidden, "id")
            assert raised.value.param == "id" and "does not exist" in str(raised.value)
        assert scope.load_visible(session, admin1, "Account", carol, "id").name == "carol"
        assert scope.load_visible(session, alice_caller, "Account", alice, "id").name == "alice"
        domains, _ = accounts.list_domains(session, admin1, listall=True)
        assert sorted(d.path for d in domains) == ["/d1/", "/d1/sub/"]
        domains, _ = accounts.list_domains(session, cloud.root)
        assert [d.path for d in domains] == ["/"]


def test_list_paging_counts_every_match(cloud: Cloud) -> None:
    for index in range(5):
        _account(cloud, f"user{index}")
    with cloud.database.session() as session:
        rows, count = accounts.list_accounts(session, cloud.root, listall=True, page=2, pagesize=2)
        assert count == 6 and [a.name for a in rows] == ["user1", "user2"]
        rows, count = accounts.list_accounts(session, cloud.root, listall=True, keyword="user", pagesize=None)
        assert count == 5 and len(rows) == 5


def test_domain_admins_cannot_create_root_admin_accounts(cloud: Cloud) -> None:
    _domain(cloud, "d1")
    _account(cloud, "da1", "/d1/", accounttype=2)
    admin1 = cloud.login("da1", domain="/d1/")

    def create(session):
        accounts.create_account(session, admin1, accounttype=1, username="boss", password=PASSWORD,
                                email="b@example.org", firstname="B", lastname="Oss")

    with pytest.raises(PermissionDenied, match="accounttype: only the root admin"):
        cloud.call(create)


def test_an_unknown_time_zone_names_the_parameter(cloud: Cloud) -> None:
    _account(cloud, "alice")
    alice = cloud.login("alice")

    def update(session, timezone: str):
        user = scope.load_visible(session, alice, "User", alice.user_uuid, "id")
        return accounts.update_user(session, alice, cloud.secrets, user, timezone=timezone).timezone

    with pytest.raises(InvalidParameter) as raised:
        cloud.call(update, "Mars/Olympus_Mons")
    assert raised.value.param == "timezone"
    assert cloud.call(update, "Asia/Tokyo") == "Asia/Tokyo"
    assert cloud.call(accounts.login_response, alice)["timezone"] == "Asia/Tokyo"


def test_resource_admins_see_their_domain_subtree(cloud: Cloud) -> None:
    _domain(cloud, "d1")
    _domain(cloud, "d2")
    _account(cloud, "alice", "/d1/")
    _account(cloud, "bob", "/d2/")
    _account(cloud, "ops", "/d1/", accounttype=3)
    ops = cloud.login("ops", domain="/d1/")
    with cloud.database.session() as session:
        rows, _ = accounts.list_accounts(session, ops, listall=True)
    assert sorted(a.name for a in rows) == ["alice", "ops"]
