"""Importing the decision catalog: all rows or none, unless the operator asks to skip bad rows."""

from __future__ import annotations

from pathlib import Path

from pinggu.analysis.catalog import CatalogParse, read_catalog
from pinggu.core.errors import InputFileError
from pinggu.models.db import transaction
from pinggu.models.decisions import upsert_decisions
from pinggu.rules.profiles import known_profile_ids


def import_catalog(path: Path, *, skip_bad: bool = False) -> tuple[int, int, CatalogParse]:
    """Validate and upsert a catalog file; return (created, updated, parse result)."""
    parsed = read_catalog(path, known_profile_ids())
    if parsed.problems and not skip_bad:
        raise InputFileError(
            f"决策目录 {path.name} 有 {len(parsed.bad_rows)} 行错误，未导入任何记录"
            "（修正后重新导入，或加 --skip-bad 只导入无误的行）",
            problems=parsed.problems,
            path=str(path),
        )
    created, updated = transaction(
        lambda session: upsert_decisions(session=session, rows=parsed.rows, source=path.name)
    )
    return created, updated, parsed
