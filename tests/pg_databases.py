"""Throwaway PostgreSQL databases for a test session or a bench (created and dropped through psycopg)."""

from __future__ import annotations

import time

from sqlalchemy.engine import make_url


def _admin(server_url: str):
    import psycopg

    url = make_url(server_url)
    return psycopg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=url.database or "postgres",
        autocommit=True,
    )


def url_for(server_url: str, database: str, *, driver: str = "psycopg") -> str:
    """The SQLAlchemy URL of `database` on the server of `server_url`, with the given driver."""
    url = make_url(server_url).set(drivername=f"postgresql+{driver}", database=database)
    return url.render_as_string(hide_password=False)


def create_database(server_url: str, name: str) -> str:
    """Create an empty database `name` (dropping a leftover of the same name); return the name."""
    with _admin(server_url) as connection:
        _drop(connection, name)
        connection.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(server_url: str, name: str) -> None:
    """Drop database `name`, closing whatever still holds a connection to it."""
    with _admin(server_url) as connection:
        _drop(connection, name)


def _drop(connection, name: str, attempts: int = 20) -> None:
    """DROP … WITH (FORCE), tolerating an autovacuum worker in the database.

    FORCE terminates every other backend in the database, and PostgreSQL refuses that to a role
    which is neither superuser nor pg_signal_backend when one of them is an autovacuum worker
    (it has no role). A plain DROP asks autovacuum to stop by itself, so that is the fallback.
    """
    import psycopg

    for _ in range(attempts):
        try:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.errors.InsufficientPrivilege:
            try:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
                return
            except psycopg.errors.ObjectInUse:
                time.sleep(0.25)
    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
