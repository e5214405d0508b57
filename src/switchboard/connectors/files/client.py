"""A BlobStore over an fsspec filesystem (``org.files.storage.BlobStore``).

Uploads stream into ``<root>/.staging/<random>`` and are then moved to the key's path;
on a local disk that move is a rename (atomic), on object stores a server-side copy
then a delete. Either way no reader ever sees a half-written key, and a crash leaves
at most a staging object, never a damaged blob.

A commit checks what the store took before the key appears. On a local disk the staged
file is fsynced (a deferred write error, ENOSPC or EIO, surfaces here rather than never)
and its size compared with the bytes written, then renamed, then its directory fsynced:
the key is durable once the commit returns, and reading it back would only have read the
page cache just written. The staged file's write-out to the disk is started as it grows
(every 4 MB), so that fsync waits for the last few megabytes, not the whole file. On S3 a single-part PUT carries the upload's MD5 as Content-MD5,
so the store refuses a body that arrived otherwise; every PUT and part also carries
botocore's CRC-32 (``x-amz-checksum-crc32``), which S3 checks per request, so parts get
no MD5 of their own (it would be a second MD5 pass over every byte).
"""

from __future__ import annotations

import base64
import ctypes
import os
import secrets
import sys
from collections.abc import Callable, Iterator
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
        self.size = 0
        self._behind = 0  # bytes whose write-out to the disk has been started

    def write(self, data: Buffer) -> None:
        try:
            self._file.write(data)
        except OSError as exc:
            self.abort()
            raise StoreIOError(f"writing to {self.store.url} failed: {exc}") from exc
        self.size += len(data)
        if self.store._local and self.size - self._behind >= _WRITE_BEHIND:
            _start_write_out(self._file.fileno(), self._behind, self.size - self._behind)
            self._behind = self.size

    def commit(self, key: str, md5: str | None = None) -> bool:
        local = self.store._local
        try:
            if local:
                self._check_size()
            else:
                self._close_put(md5)
            if self.store.exists(key):  # the same bytes are stored already
                self.abort()
                return False
            if local:
                self._close_synced()
                _rename_synced(self.path, self.store.path(key))
            else:
                self.store.fs.mv(self.path, self.store.path(key))
        except OSError as exc:
            self.abort()
            raise StoreIOError(f"{self.store.url} did not take the file: {exc}") from exc
        self.store.fs.invalidate_cache()
        return True

    def _check_size(self) -> None:
        """The staged file holds every byte written (flushed to the kernel, not synced)."""
        self._file.flush()
        kept = os.fstat(self._file.fileno()).st_size
        if kept != self.size:
            raise OSError(f"the staged file holds {kept} bytes where {self.size} were written")

    def _close_synced(self) -> None:
        # fsync before the rename: once the key's name is durable, so are its bytes.
        self._open = False
        with self._file as f:
            os.fsync(f.fileno())

    def _close_put(self, md5: str | None) -> None:
        # s3fs sends a file smaller than its block size as one PUT at close, with the
        # file's kwargs: the upload's MD5 goes with it (parts, sent earlier, cannot).
        kwargs, parts = getattr(self._file, "kwargs", None), getattr(self._file, "parts", None)
        if md5 and isinstance(kwargs, dict) and not parts and "s3" in _protocols(self.store.fs):
            kwargs["ContentMD5"] = base64.b64encode(bytes.fromhex(md5)).decode()
        self._open = False
        self._file.close()

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


# Write-out of a local staged file starts every this many bytes, so the commit's fsync
# finds little left to write: a 1 GB file otherwise stays dirty in the page cache (the
# kernel starts on its own at a tenth of memory or after 30 s) and its fsync wrote it
# all after the last byte, with the upload waiting: the commit of a 1 GB upload took
# 0.54 s that way, 0.01-0.03 s this way (bench/files.py's upload). The write-out's CPU
# (ext4's block allocation, the requests) is the same, spent as the bytes arrive.
_WRITE_BEHIND = 4 << 20
_SYNC_FILE_RANGE_WRITE = 2  # start write-out of the range's dirty pages, do not wait


def _write_out_starter() -> Callable[[int, int, int], None]:
    """``sync_file_range(fd, offset, nbytes, SYNC_FILE_RANGE_WRITE)`` where libc has it
    (Linux; ctypes releases the GIL around it); elsewhere nothing, the fsync does it all.
    Advisory: an error here (EIO included) is the commit's fsync's to report."""
    call = getattr(ctypes.CDLL(None), "sync_file_range", None) if sys.platform == "linux" else None
    if call is None:
        return lambda fd, offset, nbytes: None
    call.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    call.restype = ctypes.c_int

    def start(fd: int, offset: int, nbytes: int) -> None:
        call(fd, offset, nbytes, _SYNC_FILE_RANGE_WRITE)

    return start


_start_write_out = _write_out_starter()


def _protocols(fs: Any) -> tuple[str, ...]:
    return fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)


def _rename_synced(path: str, final: str) -> None:
    """Rename ``path`` to ``final`` durably: the directory holding it is fsynced after,
    and the parent of each directory made for it (a key's first in its fan-out)."""
    parent = os.path.dirname(final)
    made, at = [], parent
    while not os.path.isdir(at):
        made.append(at)
        at = os.path.dirname(at)
    os.makedirs(parent, exist_ok=True)
    os.replace(path, final)
    for directory in [parent, *(os.path.dirname(d) for d in made)]:
        _fsync_dir(directory)


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FsspecBlobStore:
    def __init__(self, config: FsspecStoreConfiguration, fs: Any, root: str) -> None:
        self.config = config
        self.url = config.url
        self.fs = fs
        self.root = root.rstrip("/")
        self._local = "file" in _protocols(fs)
        # A local commit fsyncs and size-checks the file (FsspecStaged.commit): what an
        # upload wrote need not be read back. Object stores vouch through their MD5.
        self.verifies_commits = self._local

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
