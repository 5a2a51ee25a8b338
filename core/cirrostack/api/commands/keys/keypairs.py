"""createSSHKeyPair, registerSSHKeyPair, deleteSSHKeyPair and listSSHKeyPairs."""

from __future__ import annotations

from typing import Any

from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, Field, ListResult, Param, Response
from cirrostack.api.params import Boolean, String, Uuid
from cirrostack.db.models import Domain
from cirrostack.db.models.keys import SSHKeyPair
from cirrostack.services import scope, ssh_keys

_PACKAGE = "org.apache.cloudstack.api.command.user.ssh."

_NAME = Field("name", "string", "Name of the keypair")
_FINGERPRINT = Field("fingerprint", "string", "Fingerprint of the public key")
KEYPAIR_RESPONSE = Response("keypair", (_NAME, _FINGERPRINT))
CREATED_KEYPAIR_RESPONSE = Response("keypair", (_NAME, _FINGERPRINT, Field("privatekey", "string", "Private key")))
LISTED_KEYPAIR_RESPONSE = Response("sshkeypair", (_NAME, _FINGERPRINT))


def _owner_params(what: str) -> tuple[Param, ...]:
    return (Param("account", String(), f"an optional account for the ssh key. Must be used with domainId. ({what})"),
            Param("domainid", Uuid("Domain"), "an optional domainId for the ssh key. If the account parameter is "
                                              "used, domainId must also be used."))


CREATE_SSH_KEYPAIR = Command(
    "createSSHKeyPair", "Create a new keypair and returns the private key", response=CREATED_KEYPAIR_RESPONSE,
    java_class=_PACKAGE + "CreateSSHKeyPairCmd", related=("listSSHKeyPairs", "deleteSSHKeyPair"),
    params=(Param("name", String(), "Name of the keypair", required=True), *_owner_params("create")))

REGISTER_SSH_KEYPAIR = Command(
    "registerSSHKeyPair", "Register a public key in a keypair under a certain name", response=KEYPAIR_RESPONSE,
    java_class=_PACKAGE + "RegisterSSHKeyPairCmd", related=("listSSHKeyPairs", "deleteSSHKeyPair"),
    params=(Param("name", String(), "Name of the keypair", required=True),
            Param("publickey", String(), "Public key material of the keypair", required=True, length=5120),
            *_owner_params("register")))

DELETE_SSH_KEYPAIR = Command(
    "deleteSSHKeyPair", "Deletes a keypair by name", kind=CommandKind.SUCCESS,
    java_class=_PACKAGE + "DeleteSSHKeyPairCmd", related=("listSSHKeyPairs",),
    params=(Param("name", String(), "Name of the keypair", required=True), *_owner_params("delete")))

LIST_SSH_KEYPAIRS = Command(
    "listSSHKeyPairs", "List registered keypairs", kind=CommandKind.LIST, response=LISTED_KEYPAIR_RESPONSE,
    java_class=_PACKAGE + "ListSSHKeyPairsCmd", related=("createSSHKeyPair", "registerSSHKeyPair"),
    params=(Param("name", String(), "A key pair name to look for"),
            Param("fingerprint", String(), "A public key fingerprint to look for"),
            Param("account", String(), "list resources by account. Must be used with the domainId parameter."),
            Param("domainid", Uuid("Domain"), "list only resources belonging to the domain specified"),
            Param("isrecursive", Boolean(), "defaults to false, but if true, lists all resources from the parent "
                                            "specified by the domainId till leaves."),
            Param("listall", Boolean(), "If set to false, list only resources belonging to the command's caller; if "
                                        "set to true - list resources that the caller is authorized to see. Default "
                                        "value is false"),
            *LIST_PARAMS))


def keypair_view(pair: SSHKeyPair) -> dict[str, Any]:
    return {"name": pair.name, "fingerprint": pair.fingerprint}


@CREATE_SSH_KEYPAIR.handler
def create_ssh_keypair(call: Call, name: str, account: str | None = None,
                       domainid: Domain | None = None) -> dict[str, Any]:
    owner = ssh_keys.key_owner(call.session, call.caller, account, domainid)
    pair, private_key = ssh_keys.create_keypair(call.session, call.caller, owner, name)
    return {**keypair_view(pair), "privatekey": private_key}


@REGISTER_SSH_KEYPAIR.handler
def register_ssh_keypair(call: Call, name: str, publickey: str, account: str | None = None,
                         domainid: Domain | None = None) -> dict[str, Any]:
    owner = ssh_keys.key_owner(call.session, call.caller, account, domainid)
    return keypair_view(ssh_keys.register_keypair(call.session, call.caller, owner, name, publickey))


@DELETE_SSH_KEYPAIR.handler
def delete_ssh_keypair(call: Call, name: str, account: str | None = None, domainid: Domain | None = None) -> None:
    owner = ssh_keys.key_owner(call.session, call.caller, account, domainid)
    ssh_keys.delete_keypair(call.session, call.caller, owner, name)


@LIST_SSH_KEYPAIRS.handler
def list_ssh_keypairs(call: Call, name: str | None = None, fingerprint: str | None = None,
                      account: str | None = None, domainid: Domain | None = None, isrecursive: bool = False,
                      listall: bool = False, keyword: str | None = None, **_paging: Any) -> ListResult:
    owners = scope.list_scope(call.session, call.caller, account=account, domain=domainid, isrecursive=isrecursive,
                              listall=listall)
    rows, count = ssh_keys.list_keypairs(call.session, owners, name=name, fingerprint=fingerprint, keyword=keyword,
                                         page=call.paging.page, page_size=call.paging.pagesize)
    return ListResult([keypair_view(row) for row in rows], count)
