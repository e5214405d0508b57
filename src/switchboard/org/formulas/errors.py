"""Errors of the formula language, raised when a formula is deployed or evaluated.

Deploy-time errors carry the 1-based line and column of the offending text, as the
formula editor reports them; their messages are Salesforce's::

    SwitchboardError                  core.errors
    └── OrgError                      org.errors
        └── FormulaError              terminal: INVALID_FORMULA  (deploy refused)
            ├── FormulaSyntaxError    terminal: Syntax error. Missing ')' / Unknown function
            └── FormulaTypeError      terminal: Incorrect parameter type / Field X does not exist

    FormulaRuntimeError               not a SwitchboardError: division by zero or a bad
                                      VALUE() while a formula runs; the value is #Error!,
                                      which the API shows as null

All are terminal: the same formula fails the same way every time.
"""

from __future__ import annotations

from ..errors import OrgError


class FormulaError(OrgError):
    """A formula that cannot be deployed; ``line``/``column`` are 1-based."""

    error_code = "INVALID_FORMULA"

    def __init__(self, reason: str, *, line: int, column: int, fields: tuple[str, ...] = ()):
        self.reason = reason
        self.line = line
        self.column = column
        super().__init__(f"{reason} (Line: {line}, Column: {column})", fields=fields)

    def in_field(self, obj: str, name: str) -> FormulaError:
        """The same error, its message naming the field (or rule) that holds the formula."""
        out = type(self)(f"{obj}.{name}: {self.reason}", line=self.line, column=self.column)
        out.fields = [name]
        return out


class FormulaSyntaxError(FormulaError):
    """The text is not a formula: a token out of place, an unknown function, an arity."""


class FormulaTypeError(FormulaError):
    """The formula parses but its types do not fit, or it names a field that is not there."""


class FormulaRuntimeError(ArithmeticError):
    """Evaluation failed (#Error!): division by zero, VALUE('abc'), SQRT(-1)."""


__all__ = ["FormulaError", "FormulaRuntimeError", "FormulaSyntaxError", "FormulaTypeError"]
