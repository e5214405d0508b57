"""Metadata XML access by local element name, namespace or not.

ElementTree never fetches external entities or DTDs, so reading untrusted project files
cannot reach the network or the file system beyond the file itself.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ..errors import SfdxError

NS = "http://soap.sforce.com/2006/04/metadata"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class Node:
    """One metadata element; children are found by their local name."""

    __slots__ = ("elem",)

    def __init__(self, elem: ET.Element) -> None:
        self.elem = elem

    @property
    def tag(self) -> str:
        return _local(self.elem.tag)

    def tags(self) -> list[str]:
        return [_local(c.tag) for c in self.elem if isinstance(c.tag, str)]

    def children(self, name: str) -> list[Node]:
        return [Node(c) for c in self.elem if isinstance(c.tag, str) and _local(c.tag) == name]

    def child(self, name: str) -> Node | None:
        found = self.children(name)
        return found[0] if found else None

    def text(self, name: str) -> str | None:
        c = self.child(name)
        if c is None or c.elem.text is None:
            return None
        value = c.elem.text.strip()
        return value or None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.text(name)
        return default if value is None else value.lower() == "true"

    def int(self, name: str, default: int = 0) -> int:
        value = self.text(name)
        try:
            return default if value is None else int(value)
        except ValueError:
            return default


def load(path: Path, shown: str) -> Node:
    """Parse one metadata file; ``shown`` is how error messages name it."""
    try:
        return Node(ET.parse(path).getroot())
    except ET.ParseError as e:
        line, col = e.position
        raise SfdxError(
            f"{shown}: malformed XML at line {line}, column {col}", path=shown
        ) from None
    except OSError as e:
        raise SfdxError(f"{shown}: cannot read file ({e.strerror})", path=shown) from None
