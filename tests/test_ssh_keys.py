"""SSH key pairs through the API in-process, on SQLite and MariaDB."""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from cirrostack.services import ssh_keys


def _public_key() -> str:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode() + " me@host"


def _md5_colon(public_key: str) -> str:
    digest = hashlib.md5(base64.b64decode(public_key.split()[1])).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))


def test_created_pair_returns_a_working_private_key_once(operator_api) -> None:
    alice = operator_api.user("alice")
    status, body = alice("createSSHKeyPair", name="laptop")
    assert status == 200, body
    created = body["keypair"]
    private = serialization.load_pem_private_key(created["privatekey"].encode(), password=None)
    public = private.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                               serialization.PublicFormat.OpenSSH).decode()
    assert created["fingerprint"] == _md5_colon(public)
    status, listed = alice("listSSHKeyPairs")
    assert listed["count"] == 1 and listed["sshkeypair"] == [{"name": "laptop", "fingerprint": created["fingerprint"]}]
    status, again = alice("createSSHKeyPair", name="LAPTOP")
    assert status == 431 and "name" in again["errortext"] and "already has" in again["errortext"]


def test_registered_keys_are_per_account_and_listed_by_fingerprint(operator_api) -> None:
    alice, bob = operator_api.user("alice"), operator_api.user("bob")
    key = _public_key()
    status, body = alice("registerSSHKeyPair", name="k1", publickey=key)
    assert status == 200 and body["keypair"]["fingerprint"] == _md5_colon(key)
    assert bob("registerSSHKeyPair", name="k1", publickey=key)[0] == 200
    assert alice("listSSHKeyPairs", fingerprint=_md5_colon(key))[1]["count"] == 1
    assert bob("listSSHKeyPairs", name="k1")[1]["count"] == 1
    assert operator_api.root("listSSHKeyPairs", listall="true")[1]["count"] == 2
    assert operator_api.root("listSSHKeyPairs", name="k1", account="alice",
                             domainid=_root_domain(operator_api))[1]["count"] == 1
    status, refused = bob("listSSHKeyPairs", account="alice")
    assert status == 431
    assert alice("deleteSSHKeyPair", name="k1")[0] == 200
    assert alice("listSSHKeyPairs")[1].get("count", 0) == 0
    assert bob("listSSHKeyPairs")[1]["count"] == 1
    status, missing = alice("deleteSSHKeyPair", name="k1")
    assert status == 431 and "no SSH key pair named k1" in missing["errortext"]


def test_a_malformed_public_key_is_a_431_naming_publickey(operator_api) -> None:
    alice = operator_api.user("alice")
    status, body = alice("registerSSHKeyPair", name="bad", publickey="ssh-rsa not-base64!")
    assert status == 431 and body["errortext"].startswith("publickey:")
    status, body = alice("registerSSHKeyPair", name="bad", publickey="ssh-rsa")
    assert status == 431 and "publickey" in body["errortext"]


def test_admin_manages_another_accounts_pairs_but_a_user_may_not(operator_api) -> None:
    alice, bob = operator_api.user("alice"), operator_api.user("bob")
    domain = _root_domain(operator_api)
    status, body = operator_api.root("createSSHKeyPair", name="given", account="alice", domainid=domain)
    assert status == 200, body
    assert alice("listSSHKeyPairs", name="given")[1]["count"] == 1
    status, body = bob("deleteSSHKeyPair", name="given", account="alice", domainid=domain)
    assert status == 531


def test_fingerprint_matches_ssh_keygen_md5_format() -> None:
    key = _public_key()
    assert ssh_keys.fingerprint(key) == _md5_colon(key)
    assert len(ssh_keys.fingerprint(key).split(":")) == 16


def _root_domain(operator_api) -> str:
    return operator_api.root("listDomains", name="ROOT")[1]["domain"][0]["id"]
