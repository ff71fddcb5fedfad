"""Test session set-up: a throwaway product home and one real Prefect server for the whole session."""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Before anything imports Prefect or reads settings: never touch the operator's data or server.
TEST_HOME = Path(tempfile.mkdtemp(prefix="pinggu-test-"))
TEST_PORT = _free_port()
os.environ["PINGGU_HOME"] = str(TEST_HOME)
os.environ["PINGGU_PREFECT_PORT"] = str(TEST_PORT)
for variable in ("PINGGU_DATABASE_URL", "PINGGU_PREFECT_API_URL"):
    os.environ.pop(variable, None)
os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{TEST_PORT}/api"
os.environ["PREFECT_HOME"] = str(TEST_HOME / "prefect")
os.environ["PREFECT_UI_URL"] = f"http://127.0.0.1:{TEST_PORT}"
os.environ["PREFECT_SERVER_API_PORT"] = str(TEST_PORT)

import pytest  # noqa: E402

from pinggu.settings import configure_prefect_environment, get_settings  # noqa: E402

configure_prefect_environment()

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


@pytest.fixture(scope="session")
def settings():
    """The test session's settings (throwaway home, test server port)."""
    return get_settings()


@pytest.fixture(scope="session")
def prefect_server(settings):
    """One local Prefect server and the served deployments for the whole session."""
    from pinggu.localserver import start_server, start_worker, stop_all

    start_server(settings)
    start_worker(settings)
    yield settings.resolved_prefect_api_url
    try:
        # Send this process's pending run logs while the server still listens; at exit they would be
        # retried against a stopped server for a minute.
        from prefect.logging.handlers import APILogWorker

        APILogWorker.drain_all(timeout=5)
    finally:
        stop_all(settings)


@pytest.fixture(scope="session")
def sample_catalog(settings):
    """The sample catalog imported into the test database."""
    from pinggu.catalog import import_catalog

    import_catalog(SAMPLES / "catalog.csv")
    return SAMPLES / "catalog.csv"


def pytest_sessionfinish(session, exitstatus):
    """Remove the throwaway home unless asked to keep it for a look (PINGGU_KEEP_TEST_HOME=1)."""
    import shutil

    if os.environ.get("PINGGU_KEEP_TEST_HOME") != "1":
        shutil.rmtree(TEST_HOME, ignore_errors=True)
