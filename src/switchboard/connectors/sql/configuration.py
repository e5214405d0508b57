"""A database connection, as written under ``connections:`` in ``switchboard.yaml``::

    connections:
      erp_db: {url: "sqlite:///erp.db"}                 # relative to the project folder
      warehouse:
        url: "postgresql+psycopg://sync@db.internal:5432/erp"
        password: {secret: warehouse_password}          # never the value itself
        connect_timeout: 10s

``url`` is a SQLAlchemy URL without a password: a password written in it is refused
like any secret in clear; it comes from the org's secret store by name. Messages about
a URL name its backend only, never the URL (it may carry a host the operator would
rather not print, and a mistaken one may carry a password).

Connections are not ``credentials:``: those are Salesforce's named credentials, HTTP
endpoints with auth schemes, rate limits and breakers, which a database has none of.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from ...core.durations import parse_duration
from ..http.configuration import LITERAL_SECRET, Secret


def _seconds(value: Any) -> float:
    return parse_duration(value)


class ConnectionConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(description="SQLAlchemy URL without a password, e.g. "
                     "postgresql+psycopg://user@host/db, mysql+pymysql://user@host/db, "
                     "sqlite:///relative/or/absolute.db.")  # fmt: skip
    password: Secret | None = Field(None, description="The password, as {secret: NAME}.")
    connect_timeout: Annotated[float, BeforeValidator(_seconds)] = Field(
        10.0, description="Longest wait for a connection (seconds, or 5s, 1m)."
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        try:
            url = make_url(value)
        except (ArgumentError, ValueError):
            raise ValueError("not a SQLAlchemy URL; write e.g. sqlite:///erp.db or "
                             "postgresql+psycopg://user@host/db") from None  # fmt: skip
        if url.password:
            raise PydanticCustomError("literal_secret", LITERAL_SECRET)
        try:
            url.get_dialect()  # the dialect's module only: its driver loads on first use
        except NoSuchModuleError:
            name = url.drivername if url.drivername.replace("+", "").isalnum() else "?"
            raise ValueError(f"SQLAlchemy has no dialect '{name[:40]}'; use e.g. sqlite, "
                             "postgresql+psycopg or mysql+pymysql") from None  # fmt: skip
        return value

    @property
    def backend(self) -> str:
        """The URL's backend (``postgresql``, ``sqlite``), what messages may name."""
        from sqlalchemy.engine import make_url

        return make_url(self.url).get_backend_name()

    def secret_names(self) -> list[str]:
        return [self.password.secret] if self.password is not None else []


__all__ = ["ConnectionConfig"]
