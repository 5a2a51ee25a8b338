"""SecretBox: secrets encrypted at rest with the server key from the data dir or the environment."""

from __future__ import annotations

import stat

import pytest

from cirrostack.secrets import KEY_ENV, SecretBox, SecretKeyError


def test_key_file_is_created_once_with_owner_only_permissions(tmp_path) -> None:
    box = SecretBox.for_data_dir(tmp_path / "data", environ={})
    key_file = tmp_path / "data" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    token = box.encrypt("p@ss wörd")
    assert "p@ss" not in token
    again = SecretBox.for_data_dir(tmp_path / "data", environ={})
    assert again.decrypt(token) == "p@ss wörd"


def test_environment_key_wins_over_the_key_file(tmp_path) -> None:
    key = SecretBox.generate_key()
    box = SecretBox.for_data_dir(tmp_path, environ={KEY_ENV: key})
    assert not (tmp_path / "secret.key").exists()
    assert SecretBox(key).decrypt(box.encrypt("x")) == "x"


def test_a_different_key_cannot_decrypt_and_says_why(tmp_path) -> None:
    token = SecretBox(SecretBox.generate_key()).encrypt("secret")
    with pytest.raises(SecretKeyError, match="cannot be decrypted with this server's key"):
        SecretBox(SecretBox.generate_key()).decrypt(token)


def test_a_malformed_key_is_refused() -> None:
    with pytest.raises(SecretKeyError, match="not a Fernet key"):
        SecretBox("too-short")
