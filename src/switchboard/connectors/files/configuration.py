"""How one fsspec store is reached: its URL, its storage options, its layout."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...org.files.config import StoreConfig

STAGING = ".staging"


@dataclass(frozen=True, slots=True)
class FsspecStoreConfiguration:
    url: str
    options: dict[str, Any] = field(default_factory=dict)
    # Keys fan out over two levels of two hex digits (ab/cd/abcd...): listing a
    # directory of millions of files is slow on every filesystem and some stores.
    fanout: int = 2

    @classmethod
    def of(cls, spec: StoreConfig) -> FsspecStoreConfiguration:
        return cls(spec.url.rstrip("/"), dict(spec.options))

    def relative(self, key: str) -> str:
        return "/".join([*(key[2 * i : 2 * i + 2] for i in range(self.fanout)), key])


__all__ = ["STAGING", "FsspecStoreConfiguration"]
