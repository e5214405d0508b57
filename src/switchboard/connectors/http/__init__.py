"""The HTTP connector: the one outbound transport (see :mod:`.client`).

Only the configuration models are imported here; the client (aiohttp) loads on use."""

from .configuration import CredentialConfig, SecretRef
from .errors import HttpError, HttpStatusError

__all__ = ["CredentialConfig", "HttpError", "HttpStatusError", "SecretRef"]
