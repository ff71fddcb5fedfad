"""Whether a SQLite database's write lock is free: the test of "no write transaction open"."""

from __future__ import annotations

import sqlite3


def write_lock_free(path: str) -> bool:
    """True if another connection can take SQLite's write lock right now (no write transaction open)."""
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
