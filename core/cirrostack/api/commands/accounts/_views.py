"""How domains, accounts and users look on the API: response fields (for listApis) and serialisers.

Fields and names follow CloudStack 4.3. One deliberate difference: user objects never carry
`secretkey` (4.3's listUsers returned it); getUserKeys is the one way to read it, as in later
CloudStack releases.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.api.declaration import Field, Response
from cirrostack.db.models import Account, Domain, User
from cirrostack.db.timestamps import to_api
from cirrostack.services.accounts import display_path

DOMAIN_RESPONSE = Response("domain", (
    Field("id", "string", "the ID of the domain"),
    Field("name", "string", "the name of the domain"),
    Field("level", "integer", "the level of the domain"),
    Field("parentdomainid", "string", "the domain ID of the parent domain"),
    Field("parentdomainname", "string", "the domain name of the parent domain"),
    Field("haschild", "boolean", "whether the domain has one or more sub-domains"),
    Field("networkdomain", "string", "the network domain"),
    Field("path", "string", "the path of the domain"),
    Field("state", "string", "the state of the domain (Active, or Inactive while it is being deleted)"),
))

USER_FIELDS = (
    Field("id", "string", "the user ID"),
    Field("username", "string", "the user name"),
    Field("firstname", "string", "the user firstname"),
    Field("lastname", "string", "the user lastname"),
    Field("email", "string", "the user email address"),
    Field("created", "date", "the date and time the user account was created"),
    Field("state", "string", "the user state"),
    Field("account", "string", "the account name of the user"),
    Field("accounttype", "short", "the account type of the user"),
    Field("accountid", "string", "the account ID of the user"),
    Field("domainid", "string", "the domain ID of the user"),
    Field("domain", "string", "the domain name of the user"),
    Field("timezone", "string", "the timezone user was created in"),
    Field("apikey", "string", "the api key of the user"),
)
USER_RESPONSE = Response("user", USER_FIELDS, instance_type="User")

ACCOUNT_RESPONSE = Response("account", (
    Field("id", "string", "the id of the account"),
    Field("name", "string", "the name of the account"),
    Field("accounttype", "short", "account type (admin, domain-admin, user)"),
    Field("domainid", "string", "id of the Domain the account belongs too"),
    Field("domain", "string", "name of the Domain the account belongs too"),
    Field("networkdomain", "string", "the network domain"),
    Field("state", "string", "the state of the account"),
    Field("user", "list", "the list of users associated with account", children=USER_FIELDS),
), instance_type="Account")

USER_KEYS_RESPONSE = Response("userkeys", (
    Field("apikey", "string", "the api key of the registered user"),
    Field("secretkey", "string", "the secret key of the registered user"),
))


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def domain_view(session: Session, domain: Domain) -> dict[str, Any]:
    parent = session.get(Domain, domain.parent_id) if domain.parent_id is not None else None
    children = session.scalar(select(func.count(Domain.id)).where(Domain.parent_id == domain.id,
                                                                  Domain.removed.is_(None)))
    return _without_none({
        "id": domain.uuid, "name": domain.name, "level": domain.level,
        "parentdomainid": parent.uuid if parent else None, "parentdomainname": parent.name if parent else None,
        "haschild": bool(children), "networkdomain": domain.network_domain, "path": display_path(domain),
        "state": domain.state,
    })


def user_view(user: User) -> dict[str, Any]:
    account = user.account
    return _without_none({
        "id": user.uuid, "username": user.username, "firstname": user.firstname, "lastname": user.lastname,
        "email": user.email, "created": to_api(user.created), "state": user.state, "account": account.name,
        "accounttype": account.type, "accountid": account.uuid, "domainid": account.domain.uuid,
        "domain": account.domain.name, "timezone": user.timezone, "apikey": user.api_key,
    })


def account_view(session: Session, account: Account) -> dict[str, Any]:
    users = session.scalars(select(User).where(User.account_id == account.id, User.removed.is_(None))
                            .order_by(User.id))
    return _without_none({
        "id": account.uuid, "name": account.name, "accounttype": account.type, "domainid": account.domain.uuid,
        "domain": account.domain.name, "networkdomain": account.network_domain, "state": account.state,
        "user": [user_view(user) for user in users],
    })


def keys_view(api_key: str | None, secret_key: str | None) -> dict[str, Any]:
    return _without_none({"apikey": api_key, "secretkey": secret_key})
