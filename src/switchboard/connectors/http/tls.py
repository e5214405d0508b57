"""The TLS context of a credential: which CA to trust and the client certificate (mTLS).

Certificates and keys come from files (``{file: PATH}``, relative to the project folder)
or from the secret store (``{secret: NAME}``). Python's ``ssl`` loads a certificate
chain only from a path, so a key held as a secret is handed over through an anonymous
in-memory file (``memfd_create``): the key never touches a disk in clear. Where that
call does not exist, a 0600 file in a private temporary directory is used and removed
as soon as it is loaded.
"""

from __future__ import annotations

import contextlib
import os
import ssl
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .configuration import FileRef, SecretRef, TlsConfig
from .errors import CredentialInvalid


async def material(name: str, ref: Any, secrets: Any, base_dir: Path | None) -> bytes:
    """The bytes of a certificate or key reference."""
    if isinstance(ref, SecretRef):
        return str(await secrets.get(ref)).encode()
    assert isinstance(ref, FileRef)
    path = Path(ref.file)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CredentialInvalid(f"credential {name}: cannot read {ref.file} "
                                f"({exc.strerror})") from None  # fmt: skip


@contextlib.contextmanager
def _as_path(data: bytes) -> Iterator[str]:
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("switchboard-tls", 0)
        try:
            os.write(fd, data)
            yield f"/proc/self/fd/{fd}"
        finally:
            os.close(fd)
        return
    with tempfile.TemporaryDirectory() as tmp:  # mkdtemp makes it 0700
        path = Path(tmp) / "pem"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        yield str(path)


async def ssl_context(name: str, tls: TlsConfig | None, secrets: Any,
                      base_dir: Path | None) -> ssl.SSLContext | None:  # fmt: skip
    """A context for ``tls``, or ``None`` for the system defaults."""
    if tls is None:
        return None
    ctx = ssl.create_default_context()
    if not tls.verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    try:
        if tls.ca is not None:
            ca = await material(name, tls.ca, secrets, base_dir)
            ctx = ssl.create_default_context(cadata=ca.decode())
            if not tls.verify:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
        if tls.cert is not None and tls.key is not None:
            cert = await material(name, tls.cert, secrets, base_dir)
            key = await material(name, tls.key, secrets, base_dir)
            with _as_path(cert) as cert_path, _as_path(key) as key_path:
                ctx.load_cert_chain(cert_path, key_path)
    except (ssl.SSLError, ValueError) as exc:
        # The reason (e.g. "PEM lib") names no key material.
        raise CredentialInvalid(f"credential {name}: tls certificate or key is not "
                                f"usable ({type(exc).__name__})") from None  # fmt: skip
    return ctx


__all__ = ["material", "ssl_context"]
