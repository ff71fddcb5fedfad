"""One verified TLS context for all of Prefect's clients in a process (pinggu.deployments.warm applies it in the warm
processes every flow run is forked from)."""

from __future__ import annotations

import importlib
import ssl
from typing import Any


class SharedCertificates:
    """The `ssl` module as Prefect's clients see it: one verified TLS context per certificate bundle, not one each.

    Every Prefect client (`PrefectClient`, `SyncPrefectClient`, the server version check, the events websocket)
    builds `ssl.create_default_context(cafile=…)` when it is made, loading the whole bundle (~30 ms); a flow run makes
    six. A verified context is only read after it is made (Prefect passes it to httpx and websockets as is), so every
    client of this process can share it, as the connections of one client already do. An unverified one
    (PREFECT_API_TLS_INSECURE_SKIP_VERIFY, no bundle) is changed by its caller after it is made: it is made anew.
    """

    def __init__(self) -> None:
        self._verified: dict[tuple[Any, str], ssl.SSLContext] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(ssl, name)

    def create_default_context(
        self, purpose: Any = ssl.Purpose.SERVER_AUTH, *, cafile: Any = None, capath: Any = None, cadata: Any = None
    ) -> ssl.SSLContext:
        """The shared context for a bundle file alone; any other request as `ssl.create_default_context` makes it."""
        if cafile is None or capath is not None or cadata is not None:
            return ssl.create_default_context(purpose, cafile=cafile, capath=capath, cadata=cadata)
        key = (purpose, str(cafile))
        if key not in self._verified:
            self._verified[key] = ssl.create_default_context(purpose, cafile=cafile)
        return self._verified[key]


# The Prefect modules that make a TLS context for each client they build (tests/test_prefect_internals.py).
TLS_CLIENT_MODULES = [
    "prefect.client.orchestration",
    "prefect._internal.version_checking",
    "prefect._internal.websockets",
]


def share_certificate_contexts() -> None:
    """Make Prefect's clients in this process (and every process forked from it) share one verified TLS context."""
    shared = SharedCertificates()
    shared.create_default_context(cafile=_certificate_bundle())  # loaded here, once, before any run is forked
    for name in TLS_CLIENT_MODULES:
        # A stand-in for the module, on purpose (as deployments/serve.py does for multiprocessing).
        importlib.import_module(name).ssl = shared  # type: ignore[attr-defined]


def _certificate_bundle() -> str:
    """The bundle Prefect's clients load: PREFECT_API_SSL_CERT_FILE, or certifi's."""
    import certifi
    from prefect.settings import PREFECT_API_SSL_CERT_FILE

    return PREFECT_API_SSL_CERT_FILE.value() or certifi.where()
