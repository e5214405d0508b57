"""A BlobStore over an fsspec filesystem (``org.files.storage.BlobStore``).

Uploads stream into ``<root>/.staging/<random>`` and are then moved to the key's path;
on a local disk that move is a rename (atomic), on object stores a server-side copy
then a delete. Either way no reader ever sees a half-written key, and a crash leaves
at most a staging object, never a damaged blob.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from typing import Any

from ...org.files.storage import CHUNK, BlobStat, Buffer
from .configuration import STAGING, FsspecStoreConfiguration
from .errors import StoreIOError


class FsspecStaged:
    def __init__(self, store: FsspecBlobStore) -> None:
        self.store = store
        self.path = f"{store.root}/{STAGING}/{secrets.token_hex(16)}"
        store.makedirs(self.path.rsplit("/", 1)[0])
        self._file: Any = store.fs.open(self.path, "wb")
        self._open = True

    def write(self, data: Buffer) -> None:
        try:
            self._file.write(data)
        except OSError as exc:
            self.abort()
            raise StoreIOError(f"writing to {self.store.url} failed: {exc}") from exc

    def commit(self, key: str) -> bool:
        self._file.close()
        self._open = False
        final = self.store.path(key)
        if self.store.exists(key):
            self.store.fs.rm(self.path)
            return False
        self.store.makedirs(final.rsplit("/", 1)[0])
        self.store.fs.mv(self.path, final)
        self.store.fs.invalidate_cache()
        return True

    def abort(self) -> None:
        if self._open:
            self._open = False
            try:
                self._file.close()
            except Exception:  # noqa: S110 - the staged copy is dropped either way
                pass
        try:
            self.store.fs.rm(self.path)
        except FileNotFoundError:
            pass


class FsspecBlobStore:
    def __init__(self, config: FsspecStoreConfiguration, fs: Any, root: str) -> None:
        self.config = config
        self.url = config.url
        self.fs = fs
        self.root = root.rstrip("/")
        self._local = "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))

    def path(self, key: str) -> str:
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise ValueError(f"not a SHA-256 key: {key[:70]!r}")
        return f"{self.root}/{self.config.relative(key)}"

    def makedirs(self, path: str) -> None:
        if self._local:  # object stores have no directories to make
            self.fs.makedirs(path, exist_ok=True)

    def stage(self) -> FsspecStaged:
        return FsspecStaged(self)

    def put(self, key: str, chunks: Iterator[bytes]) -> int:
        if self._local:  # a rename makes the whole file appear at once
            staged = self.stage()
            size = 0
            try:
                for chunk in chunks:
                    size += len(chunk)
                    staged.write(chunk)
            except BaseException:
                staged.abort()
                raise
            staged.commit(key)
            return size
        # Object stores show an object only once its upload completes (a single PUT or
        # a completed multipart upload), so the key can be written directly.
        size = 0
        try:
            with self.fs.open(self.path(key), "wb") as f:
                for chunk in chunks:
                    size += len(chunk)
                    f.write(chunk)
        except OSError as exc:
            raise StoreIOError(f"writing to {self.url} failed: {exc}") from exc
        return size

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        return self._read(self.path(key), start, end)

    def open_path(self, path: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        return self._read(self._external(path), start, end)

    def size_of(self, path: str) -> int | None:
        full = self._external(path)
        self.fs.invalidate_cache(full)
        try:
            info = self.fs.info(full)
        except FileNotFoundError:
            return None
        return int(info["size"]) if info.get("type", "file") == "file" else None

    def _external(self, path: str) -> str:
        parts = path.replace("\\", "/").split("/")
        if not path or path.startswith("/") or ".." in parts or STAGING in parts:
            raise ValueError(f"not a path inside the store: {path[:100]!r}")
        return f"{self.root}/{path}"

    def _read(self, path: str, start: int, end: int | None) -> Iterator[bytes]:
        try:
            f = self.fs.open(path, "rb", block_size=CHUNK)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise StoreIOError(f"reading from {self.url} failed: {exc}") from exc
        with f:
            if start:
                f.seek(start)
            left = None if end is None else max(0, end - start)
            while left is None or left > 0:
                data = f.read(CHUNK if left is None else min(CHUNK, left))
                if not data:
                    break
                if left is not None:
                    left -= len(data)
                yield data

    def stat(self, key: str) -> BlobStat | None:
        path = self.path(key)
        self.fs.invalidate_cache(path)
        try:
            info = self.fs.info(path)
        except FileNotFoundError:
            return None
        return BlobStat(int(info["size"]), _md5_of(info))

    def exists(self, key: str) -> bool:
        return self.stat(key) is not None

    def delete(self, key: str) -> None:
        try:
            self.fs.rm(self.path(key))
        except FileNotFoundError:
            pass
        self.fs.invalidate_cache()

    def keys(self) -> Iterator[str]:
        self.fs.invalidate_cache()
        try:
            found = self.fs.find(self.root)
        except FileNotFoundError:
            return
        for path in found:
            name = str(path).rsplit("/", 1)[-1]
            if f"/{STAGING}/" not in str(path) and len(name) == 64:
                yield name

    def staged(self) -> list[str]:
        """Leftover staging objects (an upload cut off by a crash)."""
        try:
            return [str(p) for p in self.fs.find(f"{self.root}/{STAGING}")]
        except FileNotFoundError:
            return []


def _md5_of(info: dict[str, Any]) -> str | None:
    """The MD5 a store reports: S3's ETag of a single-part object, GCS's md5Hash."""
    etag = str(info.get("ETag") or info.get("etag") or "").strip('"').lower()
    if len(etag) == 32 and all(c in "0123456789abcdef" for c in etag):
        return etag
    gcs = info.get("md5Hash")
    if gcs:
        try:
            return base64.b64decode(gcs).hex()
        except ValueError:
            return None
    return None


__all__ = ["FsspecBlobStore", "FsspecStaged"]
