"""Importing the people file: every row checked first, then all written in one transaction, or none."""

from __future__ import annotations

from pathlib import Path

from pinggu.models.db import transaction
from pinggu.models.people import import_people
from pinggu.rules.people import read_people
from pinggu.rules.profiles import load_profiles


def import_people_file(path: Path, *, source: str = "", actor: str = "系统") -> tuple[int, int, int]:
    """Validate and import a people file (audited as `actor`); return (created, updated, deactivated)."""
    specs = read_people(path, {pid: profile.name for pid, profile in load_profiles().items()})
    return transaction(
        lambda session: import_people(session=session, people=specs, source=source or path.name, actor=actor)
    )
