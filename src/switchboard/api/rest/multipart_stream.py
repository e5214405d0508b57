"""A streaming multipart/form-data parser whose data path is ``bytes.find``.

python-multipart's parser walks the body through a Python state machine and measured
about 220 MB/s here; a file part is almost all of an upload's bytes, and searching
them for the delimiter with ``find`` (C, several GB/s) is what keeps parsing off the
profile. Headers are short and parsed with python-multipart's option parser.

Callbacks: ``on_part(headers)`` when a part's headers are complete, ``on_data(bytes)``
for its body (in pieces), ``on_part_end()``, ``on_end()`` at the closing delimiter.
A body that ends elsewhere simply never calls ``on_end``.
"""

from __future__ import annotations

from collections.abc import Callable

from ...org.files.errors import InvalidUpload

_HEADER_LIMIT = 16 * 1024
PREAMBLE, HEADERS, DATA, AFTER_DELIMITER, END = range(5)


class StreamingMultipart:
    def __init__(
        self,
        boundary: bytes,
        on_part: Callable[[dict[bytes, bytes]], None],
        on_data: Callable[[bytes], None],
        on_part_end: Callable[[], None],
        on_end: Callable[[], None],
    ) -> None:
        self.first = b"--" + boundary
        self.delimiter = b"\r\n--" + boundary
        self.on_part, self.on_data = on_part, on_data
        self.on_part_end, self.on_end = on_part_end, on_end
        self.state = PREAMBLE
        self.buf = bytearray()

    def write(self, chunk: bytes) -> None:
        self.buf += chunk
        while self._step():
            pass

    def _step(self) -> bool:
        """Advance as far as the buffer allows; True while progress was made."""
        buf = self.buf
        if self.state == PREAMBLE:
            # The first delimiter may open the body or follow a preamble line.
            at = buf.find(self.first)
            if at < 0:
                if len(buf) > _HEADER_LIMIT:
                    raise InvalidUpload("The multipart body does not start with its boundary")
                return False
            del buf[: at + len(self.first)]
            self.state = AFTER_DELIMITER
            return True
        if self.state == AFTER_DELIMITER:
            if len(buf) < 2:
                return False
            if buf[:2] == b"--":
                self.state = END
                self.buf = bytearray()
                self.on_end()
                return False
            line = buf.find(b"\r\n")
            if line < 0:
                if len(buf) > 256:
                    raise InvalidUpload("The multipart boundary line is malformed")
                return False
            if buf[:line].strip(b" \t"):
                raise InvalidUpload("The multipart boundary line is malformed")
            del buf[: line + 2]
            self.state = HEADERS
            return True
        if self.state == HEADERS:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if buf.startswith(b"\r\n"):  # a part without headers
                    end = -2
                elif len(buf) > _HEADER_LIMIT:
                    raise InvalidUpload("A multipart part's headers are larger than 16 KB")
                else:
                    return False
            headers: dict[bytes, bytes] = {}
            for raw in bytes(buf[: max(end, 0)]).split(b"\r\n"):
                name, sep, value = raw.partition(b":")
                if not sep:
                    raise InvalidUpload("A multipart part has a malformed header line")
                headers[name.strip().lower()] = value.strip()
            del buf[: end + 4]
            self.state = DATA
            self.on_part(headers)
            return True
        if self.state == DATA:
            at = buf.find(self.delimiter)
            if at >= 0:
                if at:
                    self.on_data(bytes(buf[:at]))
                del buf[: at + len(self.delimiter)]
                self.on_part_end()
                self.state = AFTER_DELIMITER
                return True
            # Keep what could be the start of a delimiter split across chunks.
            keep = len(self.delimiter) - 1
            if len(buf) > keep:
                self.on_data(bytes(buf[: len(buf) - keep]))
                del buf[: len(buf) - keep]
            return False
        return False  # END: an epilogue is ignored


__all__ = ["StreamingMultipart"]
