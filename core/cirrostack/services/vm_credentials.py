"""Resetting a stopped VM's SSH key or password (resetSSHKeyForVirtualMachine,
resetPasswordForVirtualMachine). The new password is stored sealed by the server's SecretBox and
shown once, in the reply of the job that set it."""

from __future__ import annotations

import secrets as random_source
import string
from typing import Any

from sqlalchemy.orm import Session

from cirrostack.db.audit import record_event
from cirrostack.db.models import Account, Template, VirtualMachine, VMState
from cirrostack.errors import InvalidParameter, InvalidState
from cirrostack.services import ssh_keys
from cirrostack.services.context import Caller

PASSWORD_LENGTH = 12
_ALPHABET = "".join(ch for ch in string.ascii_letters + string.digits if ch not in "0O1lI")


def new_password() -> str:
    """A random password from an alphabet without look-alike characters."""
    return "".join(random_source.choice(_ALPHABET) for _ in range(PASSWORD_LENGTH))


def reset_ssh_key(session: Session, caller: Caller, vm: VirtualMachine, keypair: str, box: Any) -> str | None:
    """Give stopped `vm` the key pair named `keypair` of its owner; on a password-enabled template the
    password is reset too and returned (else None)."""
    _require_stopped(vm, "reset its SSH key")
    owner = session.get(Account, vm.account_id)
    pair = ssh_keys.find_keypair(session, owner, keypair, param="keypair")
    vm.keypair_name = pair.name
    password = _new_sealed_password(vm, box) if _password_enabled(session, vm) else None
    record_event(session, caller, "VM.RESETSSHKEY", f"SSH key of VM {vm.name} reset to key pair {pair.name}",
                 account_id=vm.account_id, domain_id=vm.domain_id, resource_type="VirtualMachine",
                 resource_uuid=vm.uuid)
    return password


def reset_password(session: Session, caller: Caller, vm: VirtualMachine, box: Any) -> str:
    """A new password for stopped `vm`, whose template must be password enabled; returns it."""
    _require_stopped(vm, "reset its password")
    if not _password_enabled(session, vm):
        raise InvalidParameter("id", f"the template of VM {vm.name} is not password enabled, so its password "
                                     "cannot be reset")
    password = _new_sealed_password(vm, box)
    record_event(session, caller, "VM.RESETPASSWORD", f"password of VM {vm.name} reset", account_id=vm.account_id,
                 domain_id=vm.domain_id, resource_type="VirtualMachine", resource_uuid=vm.uuid)
    return password


def _require_stopped(vm: VirtualMachine, action: str) -> None:
    if vm.state != VMState.STOPPED.value:
        raise InvalidState(f"id: VM {vm.name} is {vm.state}; stop it to {action}")


def _password_enabled(session: Session, vm: VirtualMachine) -> bool:
    template = session.get(Template, vm.template_id) if vm.template_id is not None else None
    return bool(template is not None and template.password_enabled)


def _new_sealed_password(vm: VirtualMachine, box: Any) -> str:
    password = new_password()
    vm.password_encrypted = box.encrypt(password)
    return password
