"""What the org needs of a place that holds file bytes: the BlobStore protocol.

Blobs are keyed by the SHA-256 of their bytes (lower-case hex), so identical bytes are
stored once and a key always names the same bytes: writing a key again is a no-op, and
copying a blob between stores can be retried without harm. Implementations live in
``connectors.files`` (fsspec: local directory, S3, Azure, GCS); the org never imports
them; the layer that builds the org hands it an opener (``StoreOpener``).

An upload whose hash is not known yet goes to a staging object first (``stage``) and is
committed under its key only once every byte arrived and was hashed, so a partial file
is never visible under a key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

CHUNK = 1 << 20  # bytes per read and per buffered write
# What a write takes: bytes, or a view of a request's chunk (uploads pass views on).
Buffer = bytes | memoryview


@dataclass(frozen=True, slots=True)
class BlobInfo:
    """What an upload learned of its bytes while they streamed past."""

    sha256: str
    md5: str
    size: int


@dataclass(frozen=True, slots=True)
class StoredBlob:
    """Bytes that are in a store under their key, ready to become a version's data.

    The value a ContentVersion's VersionData (or an Attachment's Body) carries through
    DML once the bytes are stored; ``created`` tells whether this upload put them there
    (no other record may share them yet)."""

    info: BlobInfo
    store: str
    created: bool = False


@dataclass(frozen=True, slots=True)
class BlobStat:
    """What a store says of a blob without reading it: its size and, where the store
    keeps one (an S3 ETag of a single-part object), the MD5 of its bytes."""

    size: int
    md5: str | None = None


@runtime_checkable
class StagedUpload(Protocol):
    def write(self, data: Buffer) -> None:
        """Append ``data``; it may be reused once this returns (copy what is kept)."""
        ...

    def commit(self, key: str, md5: str | None = None) -> bool:
        """Make the staged bytes the blob ``key``, checked by the store as it takes them
        (``md5``, the hex MD5 of the bytes written, for stores that check one); False
        if ``key`` existed already (the staged copy is dropped). Raises when the store
        did not keep them, with nothing left under ``key``."""
        ...

    def abort(self) -> None:
        """Drop the staged bytes (idempotent)."""
        ...


@runtime_checkable
class BlobStore(Protocol):
    """One place holding blobs; ``url`` names it in the org's records of where bytes are."""

    url: str
    # True when a commit itself proves the bytes were kept (a local disk: the staged file
    # is fsynced and its size checked before the rename), so an upload is not read back.
    verifies_commits: bool

    def stage(self) -> StagedUpload: ...

    def put(self, key: str, chunks: Iterator[bytes]) -> int:
        """Write the blob ``key`` from ``chunks``, never visible half-written; its size.
        Writing a key that exists writes the same bytes again (harmless)."""
        ...

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes ``start`` up to ``end`` (exclusive; None: to the end), in chunks;
        raises ``FileNotFoundError`` when the blob is not there."""
        ...

    def stat(self, key: str) -> BlobStat | None:
        """Size (and MD5 where the store knows it) of ``key``; None when it is not there."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the blob ``key``; a missing blob is not an error."""
        ...

    def keys(self) -> Iterator[str]:
        """Every committed key (for verify and reports)."""
        ...


@runtime_checkable
class PathReader(Protocol):
    """A store that can also read files by their own path (relative to its root), for
    external versions whose bytes stay where they are (Files Connect-style)."""

    def size_of(self, path: str) -> int | None: ...

    def open_path(self, path: str, start: int = 0, end: int | None = None) -> Iterator[bytes]: ...


# Opens the store a URL names (with the options configured for it).
StoreOpener = Callable[[str], BlobStore]

__all__ = [
    "CHUNK",
    "BlobInfo",
    "BlobStat",
    "BlobStore",
    "Buffer",
    "StagedUpload",
    "StoreOpener",
    "StoredBlob",
]
