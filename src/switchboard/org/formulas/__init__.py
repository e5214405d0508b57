"""The formula language, one engine for formula fields, defaults and validation rules.

Stages, one file each: ``tokens`` → ``parser`` → ``ast`` → ``types`` (checked at deploy)
→ ``evaluator`` (closures, built once) with the library in ``functions/``.
``compile_formula`` runs them all and returns a :class:`Formula` to call per record.
"""

from __future__ import annotations

from .compiled import Formula, compile_formula
from .errors import FormulaError, FormulaRuntimeError, FormulaSyntaxError, FormulaTypeError
from .types import MappingScope, Scope
from .values import Env, FieldInfo, FType, ftype_of, ftype_of_metadata

__all__ = [
    "Env",
    "FType",
    "FieldInfo",
    "Formula",
    "FormulaError",
    "FormulaRuntimeError",
    "FormulaSyntaxError",
    "FormulaTypeError",
    "MappingScope",
    "Scope",
    "compile_formula",
    "ftype_of",
    "ftype_of_metadata",
]
