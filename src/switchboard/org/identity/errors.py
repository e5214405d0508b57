"""Failures of login and OAuth, with the codes Salesforce answers.

    SwitchboardError
    └── OAuthError            terminal: 400 {error, error_description}
        └── LoginFailed       terminal: invalid_grant "authentication failure"
                              (SOAP: INVALID_LOGIN)

A failed login never says whether the username exists, the password was wrong, the user
is inactive or locked out: Salesforce's own message covers all of them.
"""

from __future__ import annotations

from typing import Any

from ...core.errors import SwitchboardError


class OAuthError(SwitchboardError):
    """An OAuth failure: renders as ``{error, error_description}``."""

    status = 400

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description, error_code=error, status=status)
        self.error = error
        self.description = description

    def to_oauth(self) -> dict[str, Any]:
        return {"error": self.error, "error_description": self.description}


class LoginFailed(OAuthError):
    """Wrong username or password, inactive or locked-out user."""

    def __init__(self, locked: bool = False) -> None:
        super().__init__("invalid_grant", "authentication failure")
        self.locked = locked


def invalid_grant(description: str = "authentication failure") -> OAuthError:
    return OAuthError("invalid_grant", description)


def invalid_client_id() -> OAuthError:
    return OAuthError("invalid_client_id", "client identifier invalid")


def invalid_client() -> OAuthError:
    return OAuthError("invalid_client", "invalid client credentials")


__all__ = ["LoginFailed", "OAuthError", "invalid_client", "invalid_client_id", "invalid_grant"]
