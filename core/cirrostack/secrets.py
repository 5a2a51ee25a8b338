"""Secrets at rest (API secret keys, device passwords, PSKs): Fernet encryption with one server key.

The key lives in `<data_dir>/secret.key` (mode 0600, created on first start) unless the
environment variable CIRRO_SECRET_KEY holds one; several management servers sharing a
database must share the key.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from cirrostack.errors import CirroError

KEY_FILE_NAME = "secret.key"
KEY_ENV = "CIRRO_SECRET_KEY"


class SecretKeyError(CirroError):
    """The server key is missing, malformed, or does not decrypt a stored secret."""


class SecretBox:
    """Encrypts and decrypts short secrets with the management server's key."""

    def __init__(self, key: bytes | str) -> None:
        raw = key.encode() if isinstance(key, str) else key
        try:
            self._fernet = Fernet(raw.strip())
        except (ValueError, TypeError) as exc:
            raise SecretKeyError(f"the secret key is not a Fernet key (32 url-safe base64 bytes): {exc}") from None

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode()

    @classmethod
    def for_data_dir(cls, data_dir: str | os.PathLike[str], environ: dict[str, str] | None = None) -> SecretBox:
        """The box for a server: CIRRO_SECRET_KEY if set, else `<data_dir>/secret.key`, created
        with mode 0600 when it does not exist yet."""
        env = os.environ if environ is None else environ
        if env.get(KEY_ENV):
            return cls(env[KEY_ENV])
        path = Path(data_dir) / KEY_FILE_NAME
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            key = Fernet.generate_key()
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process created it first; read theirs below
            else:
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(key + b"\n")
        return cls(path.read_bytes())

    def encrypt(self, plaintext: str) -> str:
        """The secret encrypted and authenticated, as ASCII text safe to store in a column."""
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The plaintext of `encrypt`'s output; raises SecretKeyError if this key did not make it."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            raise SecretKeyError("a stored secret cannot be decrypted with this server's key "
                                 f"(was {KEY_ENV} or {KEY_FILE_NAME} changed?)") from None
