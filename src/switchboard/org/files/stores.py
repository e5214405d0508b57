"""The org's file stores: which store takes new bytes, and every byte in or out.

Bytes stream through :class:`Ingest`, which hashes SHA-256 (the key) and MD5 (the
Checksum Salesforce reports) as they pass, stages them and commits them under their key
only when complete. MD5 and SHA-256 run in a thread of their own beside the write
(hashlib releases the GIL on large buffers): MD5 is the slowest hash (about 700 MB/s
here against SHA-256's 1,600), and the write into the page cache costs from a tenth
of both to as much (see ``Ingest._hash``). Batches go to that thread without waiting, a
couple ahead at most, so each costs one thread hop.

The store checks the bytes as it commits them (``StagedUpload.commit``): a local disk
fsyncs the staged file and compares its size with the bytes written before the rename;
an S3 PUT carries the MD5 as Content-MD5. After the commit the store is asked again,
not trusted, since object stores have truncated uploads silently before: its size, then
its own MD5 where it reports one (an ETag); only a store that does neither is read back
(SHA-256). Reading back from a local disk would read the page cache just written, a
second pass over every byte that proves nothing the fsync and the size do not (it cost
0.45 s a GB, serial, after the last byte arrived). A mismatch drops the new blob and
fails the upload.

Stores are opened through the opener the layer above gives (``attach``: the Runtime's
``file-stores`` service, through the connector registry); until then, and after
``detach``, the org serves its records but refuses to take or give file bytes.
"""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from .config import FilesConfig
from .errors import MaximumSizeExceeded, StoreUnavailable
from .storage import CHUNK, BlobInfo, BlobStore, Buffer, StagedUpload, StoredBlob, StoreOpener


class Ingest:
    """One upload in progress: ``write`` chunks, then ``finish`` (or ``abort``)."""

    def __init__(self, files: FileStorage, store: BlobStore, limit: int, what: str) -> None:
        self.files = files
        self.store = store
        self.limit = limit
        self.what = what
        self.size = 0
        self._sha = hashlib.sha256()
        self._md5 = hashlib.md5()  # noqa: S324 - Salesforce's Checksum, not security
        self._hash_thread: ThreadPoolExecutor | None = None
        self._hash_behind: deque[Future[None]] = deque()
        self._buffers: list[bytearray] = []
        self._turn = 0
        self._staged: StagedUpload = store.stage()
        self._done = False

    def write(self, data: Buffer) -> None:
        self.write_many((data,))

    def write_many(self, pieces: Sequence[Buffer]) -> None:
        """Hash and stage ``pieces`` in order, as one buffer (views of a request's
        chunks, gathered here, off the event loop). Their MD5 and SHA-256 run on the
        upload's hash thread, up to ``_HASH_BEHIND`` batches behind this one: one thread
        hop a batch, and no wait for order (a single worker runs them in the order
        given), only to bound the bytes held for it."""
        data = self._gather(pieces)
        self.size += len(data)
        if self.size > self.limit:
            self.abort()
            raise too_large(self.what, self.limit)
        if len(data) < _PARALLEL_FROM:
            self._hash_catch_up(0)  # an inline update must follow those in flight
            self._hash(data)
        else:
            if self._hash_thread is None:
                self._hash_thread = ThreadPoolExecutor(1, thread_name_prefix="file-hash")
            self._hash_behind.append(self._hash_thread.submit(self._hash, data))
        self._staged.write(data)
        self._hash_catch_up(_HASH_BEHIND)

    def _hash(self, data: Buffer) -> None:
        # Both hashes on one thread (MD5 1.4 s + SHA-256 0.6 s a GB), the write alone on
        # the other. The write into the page cache costs 0.2 s a GB on pages this VM
        # touched lately and 1.4-2.5 s where the host must fault them in: SHA-256 beside
        # a cold write made the writing thread the long pole (3 s a GB of CPU; per
        # 512 MB it was 1.5-1.7 s, this way 1.0-1.3 s). On warm pages every layout
        # measured alike within the noise (1 GB, quiet machine: upload ratios 0.35-0.46
        # this way, 0.33-0.49 with SHA-256 on a third thread, 0.44-0.46 with SHA-256
        # beside the write), so the layout with the better worst case stays.
        self._md5.update(data)
        self._sha.update(data)

    def _gather(self, pieces: Sequence[Buffer]) -> Buffer:
        """``pieces`` as one buffer, copied into one of ``_HASH_BEHIND + 1`` buffers
        used in turn: the hash thread still reads the last ``_HASH_BEHIND``, so the next
        in turn is free. Each hash and the write then take the GIL once a batch, not
        once a piece (about 16,000 pieces a GB, each three GIL hand-overs contended by
        the event loop and the hash thread); the copy costs about 0.1 s a GB, and
        reused buffers fault no new pages in."""
        if len(pieces) == 1:
            return pieces[0]
        size = sum(len(p) for p in pieces)
        turn, self._turn = self._turn % (_HASH_BEHIND + 1), self._turn + 1
        if turn == len(self._buffers):
            self._buffers.append(bytearray(size))
        elif len(self._buffers[turn]) < size:
            self._buffers[turn] = bytearray(size)
        view = memoryview(self._buffers[turn])[:size]
        at = 0
        for piece in pieces:
            view[at : at + len(piece)] = piece
            at += len(piece)
        return view

    def _hash_catch_up(self, behind: int) -> None:
        while len(self._hash_behind) > behind:
            self._hash_behind.popleft().result()

    def finish(self) -> StoredBlob:
        self._stop_thread()  # MD5 and SHA-256 complete
        info = BlobInfo(self._sha.hexdigest(), self._md5.hexdigest(), self.size)
        try:
            created = self._staged.commit(info.sha256, info.md5)
        except OSError as exc:
            self.abort()
            raise StoreUnavailable(f"The file store did not take the file: {exc}") from exc
        self._done = True
        # Read back only from a store that neither checked the commit nor reports an MD5.
        reread = created and not self.store.verifies_commits
        self.files.verify(self.store, info, reread=reread, drop_bad=created)
        return StoredBlob(info, self.store.url, created)

    def abort(self) -> None:
        try:
            self._stop_thread()
        finally:
            if not self._done:
                self._done = True
                self._staged.abort()

    def _stop_thread(self) -> None:
        try:
            self._hash_catch_up(0)
        finally:
            self._hash_behind.clear()
            if self._hash_thread is not None:
                self._hash_thread.shutdown(wait=True)
                self._hash_thread = None


# Below this a batch's hashes cost less than handing them to the thread.
_PARALLEL_FROM = 256 * 1024
# Batches whose hashes may still be running while the next is written: the hashes and
# the write take about as long, so one in hand smooths out their jitter; the bytes held
# for it are those batches (4 MB each from a multipart upload).
_HASH_BEHIND = 2


def too_large(what: str, limit: int) -> MaximumSizeExceeded:
    mb = limit / (1024 * 1024)
    shown = f"{mb:g} MB" if mb < 1024 else f"{mb / 1024:g} GB"
    return MaximumSizeExceeded(
        f"{what}: the file exceeds the maximum size of {shown}", fields=["VersionData"]
    )


class FileStorage:
    def __init__(self, config: FilesConfig) -> None:
        self.config = config
        self._opener: StoreOpener | None = None
        self._stores: dict[str, BlobStore] = {}
        self._lock = threading.Lock()

    def configure(self, config: FilesConfig) -> list[BlobStore]:
        """Swap in ``config`` in one step; stores already opened stay open unless their
        options changed (those are returned, to be closed by their owner: an upload
        still writing to one finishes on the object it holds). A store the new config
        no longer names stays readable by its URL, as records of old bytes name it."""
        with self._lock:
            old = self.config
            self.config = config = config.succeeding(old)
            stale = [url for url in self._stores
                     if old.resolve(url) != config.resolve(url)]  # fmt: skip
            return [self._stores.pop(url) for url in stale]

    def attach(self, opener: StoreOpener) -> None:
        """Give the org the means to open stores by URL (see ``connectors.files``)."""
        self._opener = opener

    def detach(self) -> list[BlobStore]:
        """Stop opening stores; returns the ones opened so far (their owner closes them).
        A read or write after this answers StoreUnavailable."""
        with self._lock:
            self._opener = None
            opened, self._stores = list(self._stores.values()), {}
        return opened

    @property
    def attached(self) -> bool:
        return self._opener is not None

    def store(self, url: str) -> BlobStore:
        url = self.config.resolve(url).url
        with self._lock:
            found = self._stores.get(url)
            if found is None:
                if self._opener is None:
                    raise StoreUnavailable("No file store is configured for this org")
                found = self._stores[url] = self._opener(url)
            return found

    def ingest(self, url: str, *, limit: int | None = None, what: str = "VersionData") -> Ingest:
        return Ingest(self, self.store(url), limit or self.config.max_version_bytes, what)

    def upload(self, url: str, chunks: Iterable[bytes], *, limit: int | None = None) -> StoredBlob:
        """Store bytes from ``chunks`` (base64 bodies, copies); see :class:`Ingest`."""
        ingest = self.ingest(url, limit=limit)
        try:
            for chunk in chunks:
                ingest.write(chunk)
        except BaseException:
            ingest.abort()
            raise
        return ingest.finish()

    def read(self, url: str, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        return self.store(url).open(key, start, end)

    def verify(
        self,
        store: BlobStore,
        info: BlobInfo,
        *,
        reread: bool = True,
        drop_bad: bool = False,
    ) -> None:
        """Check the store holds ``info``'s bytes: its size, then their MD5 as the store
        reports it (an S3 ETag) or, where it cannot, (``reread``) the SHA-256 of the
        bytes read back. ``drop_bad``: a blob this upload wrote is removed when it does
        not match, so a retry writes it afresh."""
        stat = store.stat(info.sha256)
        problem = None
        if stat is None or stat.size != info.size:
            problem = f"size {stat.size if stat else None} where {info.size} bytes were sent"
        elif stat.md5 is not None:
            if stat.md5 != info.md5:
                problem = "the store's MD5 differs from the bytes sent"
        elif reread:
            sha = hashlib.sha256()
            for chunk in store.open(info.sha256):
                sha.update(chunk)
            if sha.hexdigest() != info.sha256:
                problem = "its bytes differ from those sent"
        if problem is not None:
            if drop_bad:
                store.delete(info.sha256)
            raise StoreUnavailable(f"The file store did not keep the file intact: {problem}")


def chunks_of(data: bytes) -> Iterator[bytes]:
    view = memoryview(data)
    for i in range(0, len(data), CHUNK):
        yield bytes(view[i : i + CHUNK])


__all__ = ["FileStorage", "Ingest", "chunks_of", "too_large"]
