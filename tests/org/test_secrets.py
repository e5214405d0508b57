"""The org's secret store: sealed at rest on both backends, never in clear anywhere."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from switchboard.core.crypto import CryptoError, encode_key, generate_key, load_or_create_key
from switchboard.org.secrets import SecretKeyMismatch, SecretNotFound, SecretStore
from switchboard.org.secrets.tables import CHAIN, secret
from switchboard.store import open_store
from switchboard.store.migrations import migrate

PLAIN = "pl41ntext-Secret-Value-7f3a"


@pytest.fixture
def store(db_url: str):  # type: ignore[no-untyped-def]
    s = open_store(db_url)
    migrate(s, [CHAIN])
    yield s
    s.dispose()


def test_value_round_trips_and_is_absent_from_the_database(
    store, db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    secrets = SecretStore(store, generate_key())
    secrets.set("erp_token", PLAIN)
    secrets.set("other", "x")
    assert secrets.get("erp_token") == PLAIN
    assert secrets.names() == ["erp_token", "other"]
    with store.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.select(secret))]
    dumped = repr(rows).encode()
    for needle in (PLAIN.encode(), PLAIN.encode().hex().encode(), PLAIN.encode("utf-16-le")):
        assert needle not in dumped
    if db_url.startswith("sqlite"):
        store.dispose()  # checkpoint: whatever reached the file is in it now
        path = Path(db_url.removeprefix("sqlite:///"))
        for f in [path, *path.parent.glob(path.name + "-*")]:
            assert PLAIN.encode() not in f.read_bytes()
    else:
        with store.read() as conn:
            text = conn.execute(sa.text("SELECT string_agg(t::text, ',') FROM sb_secret t")).scalar()
        assert text and PLAIN not in text
    assert PLAIN not in caplog.text


def test_replace_delete_and_not_found(store) -> None:  # type: ignore[no-untyped-def]
    secrets = SecretStore(store, generate_key())
    secrets.set("a", "1")
    secrets.set("a", "2")
    assert secrets.get("a") == "2"
    assert secrets.delete("a") and not secrets.delete("a")
    with pytest.raises(SecretNotFound) as info:
        secrets.get("a")
    assert "switchboard secret set a" in str(info.value)


def test_another_key_or_a_moved_value_does_not_open(store) -> None:  # type: ignore[no-untyped-def]
    secrets = SecretStore(store, generate_key())
    secrets.set("a", PLAIN)
    secrets.set("b", "other")
    with pytest.raises(SecretKeyMismatch) as info:
        SecretStore(store, generate_key()).get("a")
    assert "SWITCHBOARD_SECRET_KEY" in str(info.value) and PLAIN not in str(info.value)
    # A's sealed value copied onto b's row: the name is authenticated, so it fails.
    with store.read() as conn:
        sealed_a = conn.execute(sa.select(secret.c.sealed).where(secret.c.name == "a")).scalar()
    store.write(lambda c: c.execute(sa.update(secret).where(secret.c.name == "b")
                                    .values(sealed=sealed_a)))  # fmt: skip
    with pytest.raises(SecretKeyMismatch):
        secrets.get("b")


def test_generated_key_file_is_private_and_reused(tmp_path: Path) -> None:
    key = load_or_create_key("", tmp_path)
    path = tmp_path / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key("", tmp_path) == key
    assert [p.name for p in tmp_path.iterdir()] == ["secret.key"]  # no temp file left


def test_configured_key_wins_and_bad_keys_are_refused(tmp_path: Path) -> None:
    key = generate_key()
    assert load_or_create_key(encode_key(key), tmp_path) == key
    assert not (tmp_path / "secret.key").exists()
    for bad in ("short", encode_key(os.urandom(16)), "!!!"):
        with pytest.raises(CryptoError):
            load_or_create_key(bad, tmp_path)
