"""Reading an uploaded CSV in chunks that remember where they end, and writing results.

The reader works on bytes so each row's end is a byte offset in the upload: a job's
progress is that offset, committed with the chunk, and a resumed job starts reading
there. Lines are read with a cap so a file without line breaks (random bytes, a quote
never closed) costs bounded memory and fails the job instead of the server.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

from .errors import CsvFormatError

_MAX_LINE = 4 * 1024 * 1024
_BOM = "\ufeff"


def _lines(f: io.BufferedReader, consumed: list[int]) -> Iterator[str]:
    while True:
        line = f.readline(_MAX_LINE)
        if not line:
            return
        if len(line) == _MAX_LINE and not line.endswith(b"\n"):
            raise CsvFormatError("InvalidBatch : a line of the CSV is longer than 4 MB")
        consumed[0] += len(line)
        yield line.decode("utf-8", errors="replace")


def read_header(path: Path, delimiter: str) -> tuple[list[str], int]:
    """The column names and the byte offset where the data rows begin."""
    consumed = [0]
    with open(path, "rb") as f:
        reader = csv.reader(_lines(f, consumed), delimiter=delimiter, strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise CsvFormatError(f"InvalidBatch : Failed to parse the CSV header: {exc}") from None
    if not header:
        raise CsvFormatError("InvalidBatch : The CSV has no header row")
    header[0] = header[0].removeprefix(_BOM)
    return [h.strip() for h in header], consumed[0]


def read_rows(
    path: Path, delimiter: str, start: int, limit: int
) -> tuple[list[list[str]], int, bool]:
    """Up to ``limit`` rows from byte ``start``: (rows, end offset, reached end of file).

    Blank lines are skipped. A malformed CSV (a quote never closed) raises
    :class:`CsvFormatError`.
    """
    rows: list[list[str]] = []
    consumed = [0]
    with open(path, "rb") as f:
        f.seek(start)
        reader = csv.reader(_lines(f, consumed), delimiter=delimiter, strict=True)
        try:
            for row in reader:
                if row:
                    rows.append(row)
                    if len(rows) >= limit:
                        return rows, start + consumed[0], False
        except csv.Error as exc:
            raise CsvFormatError(
                f"InvalidBatch : Failed to parse the CSV near byte {start + consumed[0]}: {exc}"
            ) from None
    return rows, start + consumed[0], True


def iter_rows(path: Path, delimiter: str, start: int) -> Iterator[list[str]]:
    """Every row from byte ``start`` to the end; stops quietly at a malformed row."""
    consumed = [0]
    with open(path, "rb") as f:
        f.seek(start)
        reader = csv.reader(_lines(f, consumed), delimiter=delimiter, strict=True)
        try:
            for row in reader:
                if row:
                    yield row
        except (csv.Error, CsvFormatError):
            return


def encode_rows(rows: list[list[str]], delimiter: str, line_ending: str = "\n") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=line_ending)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def append_at(path: Path, size: int, data: bytes) -> int:
    """Cut ``path`` to ``size`` bytes (dropping output of an uncommitted attempt), append
    ``data``, make it durable, and return the new size."""
    with open(path, "ab") as f:
        f.truncate(size)
        f.seek(size)
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return size + len(data)


__all__ = ["CsvFormatError", "append_at", "encode_rows", "iter_rows", "read_header", "read_rows"]
