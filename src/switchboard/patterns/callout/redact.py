"""Redaction of what call-out tools show: no output carries a secret.

:class:`Redactor` replaces the values of credential headers (``Authorization``, API keys,
cookies, signatures, tokens) in any ``headers`` map, and masks every secret value of the
org's secret store wherever it appears in text (a template may have copied one into a
body). Used by the dead-letter queue's REST routes and CLI (:mod:`.dlq`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MASK = "********"
# Header names whose values are credentials (the transport adds these; a template might too).
_SECRET_HEADER = re.compile(
    r"^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|apikey|"
    r".*(token|secret|password|signature|session).*|x-.*-key)$",
    re.IGNORECASE,
)


class Redactor:
    """Masks credential headers and known secret values in what is shown."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret containing another is masked whole; short values
        # (a few characters) would mask ordinary text and are not secrets worth the name.
        self.values = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self.values:
            value = value.replace(secret, MASK)
        return value

    def tree(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if k == "headers" and isinstance(v, dict):
                    out[k] = {h: MASK if _SECRET_HEADER.match(str(h)) else self.tree(x)
                              for h, x in v.items()}  # fmt: skip
                else:
                    out[k] = self.tree(v)
            return out
        if isinstance(value, list):
            return [self.tree(v) for v in value]
        return value


def secret_values(runtime: Any = None, *, store: Any = None, settings: Any = None) -> list[str]:
    """The org's secret values (to mask them): the Runtime's secret store, or one over
    ``store`` keyed by ``settings``; empty when the org has no secret store."""
    secrets = getattr(runtime, "secrets", None)
    if secrets is None:
        try:
            from ...org.secrets import SecretStore
        except ImportError:
            return []
        if runtime is not None:
            store, settings = runtime.org.store, runtime.settings
        if store is None or settings is None:
            return []
        secrets = SecretStore.from_settings(store, settings)
    out = []
    for name in secrets.names():
        try:
            out.append(secrets.get(name))
        except Exception:  # noqa: S112  a secret that cannot be read cannot be printed either
            continue
    return out


__all__ = ["MASK", "Redactor", "secret_values"]
