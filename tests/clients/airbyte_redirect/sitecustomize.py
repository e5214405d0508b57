"""Loaded by the airbyte venv's Python (PYTHONPATH) in tests/clients/test_airbyte.py:
redirects https://login.salesforce.com and https://test.salesforce.com, which
airbyte-source-salesforce hard-codes as its token URL, to the org named by
SWITCHBOARD_LOGIN_REDIRECT, at the transport (requests' adapter), so the connector
itself runs unmodified; it notes each request in SWITCHBOARD_REQUEST_LOG. Every other URL (the instance_url the org returns) passes as is."""

import os

import requests.adapters

_TARGET = os.environ.get("SWITCHBOARD_LOGIN_REDIRECT", "").rstrip("/")
_HOSTS = ("https://login.salesforce.com", "https://test.salesforce.com")
_LOG = os.environ.get("SWITCHBOARD_REQUEST_LOG", "")  # where each request is noted, if set
_send = requests.adapters.HTTPAdapter.send


def _redirected(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
    for host in _HOSTS:
        if _TARGET and request.url.startswith(host + "/"):
            request.url = _TARGET + request.url[len(host) :]
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{request.method} {request.url}\n")
    return _send(self, request, *args, **kwargs)


requests.adapters.HTTPAdapter.send = _redirected
