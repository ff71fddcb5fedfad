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
os.environ["PINGGU_WEB_PORT"] = str(_free_port())
# The office's name list of the session (E-PRIVACY): names masked in free text, even two-character ones.
(TEST_HOME / "姓名名单.txt").write_text("钱坤\n慕容雪芳\n", encoding="utf-8")
os.environ["PINGGU_NAME_LIST"] = str(TEST_HOME / "姓名名单.txt")
for variable in ("PINGGU_DATABASE_URL", "PINGGU_PREFECT_API_URL", "PINGGU_WEB_BASE_URL"):
    os.environ.pop(variable, None)
os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{TEST_PORT}/api"
os.environ["PREFECT_HOME"] = str(TEST_HOME / "prefect")
os.environ["PREFECT_UI_URL"] = f"http://127.0.0.1:{TEST_PORT}"
os.environ["PREFECT_SERVER_API_PORT"] = str(TEST_PORT)
os.environ.pop("PREFECT_SERVER_DATABASE_CONNECTION_URL", None)
# The fault suite (tests/faults) arms fault points (core/faults.py) in every process the session starts.
os.environ["PINGGU_FAULT_INJECTION"] = "1"
# Every process of the session logs a write transaction that worked longer than this; the stress test
# fails on any (rendering a PDF alone takes several times that, so it would show inside a transaction).
os.environ["PINGGU_SLOW_TRANSACTION_MS"] = "750"
# The session's server schedules runs (its scheduler is on; tests/flows/test_schedules_e2e.py checks it with a
# deployment of its own), so the product's scheduled deployments are paused: a deadline watch at 08:00 or
# monthly tracking on the 1st must not run among the tests.
os.environ["PINGGU_SCHEDULES"] = "false"

# PINGGU_TEST_DATABASE_URL=postgresql+psycopg://user:password@host:port/postgres runs the session on
# PostgreSQL: a throwaway product database and a throwaway Prefect server database on that server,
# dropped at the end. Unset, both are SQLite files in the throwaway home.
TEST_DATABASE_SERVER = os.environ.get("PINGGU_TEST_DATABASE_URL", "")
THROWAWAY_DATABASES: list[str] = []
if TEST_DATABASE_SERVER:
    from pg_databases import create_database, url_for

    suffix = TEST_HOME.name.removeprefix("pinggu-test-").lower().replace("-", "_")
    THROWAWAY_DATABASES = [
        create_database(TEST_DATABASE_SERVER, f"pinggu_test_{suffix}"),
        create_database(TEST_DATABASE_SERVER, f"prefect_test_{suffix}"),
    ]
    os.environ["PINGGU_DATABASE_URL"] = url_for(TEST_DATABASE_SERVER, THROWAWAY_DATABASES[0])
    os.environ["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = url_for(
        TEST_DATABASE_SERVER, THROWAWAY_DATABASES[1], driver="asyncpg"
    )

# PINGGU_TEST_STORE=s3 keeps the session's documents in S3-compatible object storage (a throwaway moto
# server); PINGGU_TEST_WORKERS=N runs the deployments on a process work pool with N workers instead of
# the one serving process. The PostgreSQL pass of scripts/test.sh sets both: the scale-out set-up.
S3_SERVER = None
if os.environ.get("PINGGU_TEST_STORE") == "s3":
    from object_store import BUCKET, start_s3_server

    S3_SERVER, s3_environment = start_s3_server()
    os.environ.update(s3_environment)
    os.environ["PINGGU_STORE_URL"] = f"s3://{BUCKET}/{TEST_HOME.name}"
else:
    os.environ.pop("PINGGU_STORE_URL", None)
TEST_WORKERS = int(os.environ.get("PINGGU_TEST_WORKERS") or 0)

import pytest

from pinggu.core.settings import configure_prefect_environment, get_settings

configure_prefect_environment()

from pinggu.core.settings import SAMPLES_DIR as SAMPLES  # noqa: E402


@pytest.fixture(scope="session")
def settings():
    """The test session's settings (throwaway home, test server port)."""
    return get_settings()


@pytest.fixture(scope="session")
def prefect_server(settings):
    """One local Prefect server and the deployments, served or on a work pool, for the whole session."""
    from pinggu.localserver import start_server, start_worker, start_workers, stop_all

    start_server(settings)
    if TEST_WORKERS:
        start_workers(settings, TEST_WORKERS)
    else:
        start_worker(settings)
    _import_sample_people()  # the people who answer the served evaluations' gates, with their codes
    yield settings.resolved_prefect_api_url
    try:
        # Send this process's pending run logs while the server still listens; at exit they would be
        # retried against a stopped server for a minute.
        from prefect.logging.handlers import APILogWorker

        APILogWorker.drain_all(timeout=5)
    finally:
        stop_all(settings)


@pytest.fixture(autouse=True, scope="module")
def _no_accounts_left_behind():
    """A module that signed people in (tests/signin.py) leaves no account behind: with one, a sample
    person would be refused the sign-off codes the next module's evaluations are answered with."""
    yield
    import sys

    signin = sys.modules.get("signin")
    if signin is not None and signin.ACCOUNTS_MADE:
        signin.drop_accounts()


def _import_sample_people() -> None:
    from pinggu.people import import_people_file

    import_people_file(SAMPLES / "people.csv")


@pytest.fixture
def people_listed(settings) -> None:
    """The sample people file imported (a command's --by names one of them by 登录名, e.g. zhaomin)."""
    _import_sample_people()


@pytest.fixture(scope="session")
def sample_catalog(settings):
    """The sample catalog imported into the test database."""
    from pinggu.catalog import import_catalog

    import_catalog(SAMPLES / "catalog.csv")
    return SAMPLES / "catalog.csv"


@pytest.fixture(scope="session")
def database_url(settings) -> str:
    """The product database of this test session: SQLite in the home, or PostgreSQL when asked."""
    return settings.resolved_database_url


def pytest_report_header(config):
    """Say which database, document store and way of running the deployments the session uses."""
    database = f"PostgreSQL ({TEST_DATABASE_SERVER.rsplit('@', 1)[-1]})" if TEST_DATABASE_SERVER else "SQLite"
    store = f"S3 ({os.environ['PINGGU_STORE_URL']})" if S3_SERVER else "directory"
    running = f"work pool, {TEST_WORKERS} workers" if TEST_WORKERS else "one serving process"
    return f"pinggu database: {database}; document store: {store}; deployments: {running}"


# Last: a session stopped early (-x, a failure in a fixture) tears its session fixtures down in pytest's own
# pytest_sessionfinish, and the server fixture's stop_all needs the pid files in the home removed here.
@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """Remove the throwaway home and databases unless asked to keep them for a look (PINGGU_KEEP_TEST_HOME=1)."""
    import shutil

    if S3_SERVER is not None:
        from object_store import stop_s3_server

        stop_s3_server(S3_SERVER)
    if os.environ.get("PINGGU_KEEP_TEST_HOME") != "1":
        shutil.rmtree(TEST_HOME, ignore_errors=True)
        if THROWAWAY_DATABASES:
            from pg_databases import drop_database

            from pinggu.models.db import get_engine

            get_engine().dispose()
            for name in THROWAWAY_DATABASES:
                drop_database(TEST_DATABASE_SERVER, name)
