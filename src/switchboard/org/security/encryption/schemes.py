"""Which fields may be encrypted, and how: checked when a field is deployed.

The emulator encrypts text: AES-GCM over UTF-8 gives back exactly the string written.
Other types (dates, numbers, checkboxes) would need their SQL semantics (ranges,
arithmetic, formulas) over ciphertext, so they are refused at deploy rather than stored
in a form half the org could not read. Probabilistic ciphertext matches nothing, so it
cannot be an external id or unique; deterministic ciphertext matches by equality.
"""

from __future__ import annotations

from ...schema.model import FieldDef, FieldType
from .errors import UnsupportedEncryption

PROBABILISTIC = "ProbabilisticEncryption"
CASE_SENSITIVE = "CaseSensitiveDeterministicEncryption"
CASE_INSENSITIVE = "CaseInsensitiveDeterministicEncryption"
SCHEMES = (PROBABILISTIC, CASE_SENSITIVE, CASE_INSENSITIVE)

ENCRYPTABLE = frozenset(
    {
        FieldType.STRING,
        FieldType.TEXTAREA,
        FieldType.EMAIL,
        FieldType.PHONE,
        FieldType.URL,
    }
)


def check_field(object_name: str, f: FieldDef) -> None:
    """Raise :class:`UnsupportedEncryption` for an encryptionScheme ``f`` cannot have."""
    scheme = f.encryption_scheme
    if scheme is None:
        return
    where = f"{object_name}.{f.name}"
    if scheme not in SCHEMES:
        raise UnsupportedEncryption(
            f"{where}: unknown encryptionScheme {scheme!r}; use None, " + ", ".join(SCHEMES)
        )
    if f.type not in ENCRYPTABLE or f.calculated or f.auto_number or f.html_formatted:
        kind = "formula" if f.calculated else "auto-number" if f.auto_number else f.type.value
        raise UnsupportedEncryption(
            f"{where}: fields of type {kind} cannot be encrypted here (supported: text, "
            "text area, long text area, email, phone and URL fields)"
        )
    if scheme == PROBABILISTIC and (f.external_id or f.unique):
        raise UnsupportedEncryption(
            f"{where}: an external id or unique field needs deterministic encryption "
            f"({CASE_SENSITIVE} or {CASE_INSENSITIVE}), not {PROBABILISTIC}"
        )
    if f.unique:
        raise UnsupportedEncryption(f"{where}: unique encrypted fields are not supported")
    if f.track_history:
        raise UnsupportedEncryption(
            f"{where}: field history of encrypted fields is not supported (the history "
            "would hold the value in clear)"
        )


__all__ = [
    "CASE_INSENSITIVE",
    "CASE_SENSITIVE",
    "ENCRYPTABLE",
    "PROBABILISTIC",
    "SCHEMES",
    "check_field",
]
