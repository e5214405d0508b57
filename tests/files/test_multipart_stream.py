"""The streaming multipart parser against bodies whose parts are known, split into
chunks at every kind of place: inside a delimiter, a byte at a time, in one piece.
Part bodies are full of near-delimiters (the delimiter cut short at each length)."""

from __future__ import annotations

import random

import pytest

from switchboard.api.rest.multipart_stream import StreamingMultipart

BOUNDARY = b"----sbBoundary7MA4YWxk"
DELIM = b"\r\n--" + BOUNDARY


def _body(parts: list[bytes]) -> bytes:
    out = [b"preamble\r\n"]
    for i, data in enumerate(parts):
        out.append(b"--" + BOUNDARY + b"\r\n")
        out.append(b'Content-Disposition: form-data; name="p%d"\r\n\r\n' % i)
        out.append(data + b"\r\n")
    out.append(b"--" + BOUNDARY + b"--\r\nepilogue")
    return b"".join(out)


def _parse(body: bytes, cuts: list[int]) -> tuple[list[bytes], bool]:
    parts: list[bytearray] = []
    ended = []
    parser = StreamingMultipart(
        BOUNDARY,
        lambda headers: parts.append(bytearray()),
        lambda data: parts[-1].extend(data),
        lambda: None,
        lambda: ended.append(True),
    )
    last = 0
    for cut in [*cuts, len(body)]:
        parser.write(body[last:cut])
        last = cut
    return [bytes(p) for p in parts], bool(ended)


def _tricky(rng: random.Random) -> bytes:
    pieces = []
    for _ in range(rng.randint(0, 12)):
        roll = rng.random()
        if roll < 0.4:
            pieces.append(DELIM[: rng.randint(1, len(DELIM) - 1)])
        elif roll < 0.5:
            pieces.append(b"\r\n" * rng.randint(1, 3))
        else:
            pieces.append(rng.randbytes(rng.randint(0, 3000)))
    return b"".join(pieces)


@pytest.mark.parametrize("seed", range(60))
def test_parts_survive_any_split(seed: int) -> None:
    rng = random.Random(seed)
    parts = [_tricky(rng) for _ in range(rng.randint(1, 4))]
    body = _body(parts)
    mode = seed % 3
    if mode == 0:  # a byte at a time
        cuts = list(range(1, len(body)))
    elif mode == 1:  # at random places, many inside a delimiter
        cuts = sorted(rng.sample(range(1, len(body)), min(len(body) - 1, rng.randint(1, 60))))
    else:  # around every delimiter
        cuts = sorted({i + k for i in range(len(body)) if body.startswith(DELIM, i)
                       for k in range(1, len(DELIM)) if i + k < len(body)})  # fmt: skip
    assert _parse(body, cuts) == (parts, True)


def test_one_piece_and_a_body_cut_short() -> None:
    parts = [b"x" * 100_000, DELIM[:-1] + b"y"]
    body = _body(parts)
    assert _parse(body, []) == (parts, True)
    got, ended = _parse(body[: len(body) - 20], [])
    assert not ended and got[0] == parts[0]
