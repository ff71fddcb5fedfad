"""A decision's archive package (CL-48: changli 48, minhang 档案 8): the files its procedure's answers name, made
fit to archive, then the package itself (pinggu.models.archive.export_decision_package).

The participation step's answer names the poll's survey data and population table as they were handed in — an
upload (the raw-import quarantine) or a path — and survey data as received can hold respondents' names, phone
numbers and ID numbers (E-PRIVACY), which no archive may: the package gets the copy pinggu keeps of any survey,
read again and cleaned with the office's name lists, each row on its line of the original (as pinggu.services.evaluation.submissions
keeps an evaluation's), and the population table as the shares read from it.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from pinggu.core.document_store import local_file
from pinggu.core.errors import InputFileError, NotFound
from pinggu.models.archive import ExportResult, PreparedDocument, export_decision_package, procedure_of
from pinggu.models.db import read_session
from pinggu.models.kept_answers import procedure_answers
from pinggu.rules.archive import STEP_MATERIALS
from pinggu.rules.decision_procedure import STEP_NAMES, ParticipationAnswer, ProcedureStep
from pinggu.rules.vocabulary import SatisfactionScale
from pinggu.services.privacy import known_names

GONE = "答案所指的文件已不存在或无法读取，未能打包"


def _survey_copy(location: str, target: Path, *, scale: SatisfactionScale | None, names: list[str]) -> str:
    """The survey data cleaned into `target`; how many answers it holds, as the title says it."""
    from pinggu.analysis.survey_reading import read_survey, write_stored_copy

    survey = read_survey(local_file(location), names, scale)
    write_stored_copy(survey, target)
    return f"{len(survey)} 份"


def _population_copy(location: str, target: Path) -> str:
    """The population shares read from the table, written to `target`; how many groups they are."""
    from pinggu.analysis.sample import read_population

    shares = read_population(local_file(location))
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["分组字段", "类别", "占比"])
        writer.writerows(
            [field, group, f"{share:g}"] for field, groups in shares.items() for group, share in groups.items()
        )
    return f"{sum(len(groups) for groups in shares.values())} 个类别"


def prepared_documents(code: str, work: Path) -> list[PreparedDocument]:
    """The files the accepted answers of decision `code`'s procedure name, each made into `work` fit to archive
    (none for a decision made outside pinggu); one whose file is gone is listed without a copy."""
    with read_session() as session:
        procedure = procedure_of(session, code)
    if procedure is None:
        return []
    names = known_names()
    prepared = []
    for number, answer in enumerate(procedure_answers(procedure.answers), start=1):
        # Only the participation step's answer names files (the poll's survey data and population table).
        if not answer.accepted or answer.step is not ProcedureStep.participation:
            continue
        values = answer.values_as(ParticipationAnswer)
        step, on = answer.step, answer.on.isoformat()
        files: tuple[tuple[str, str, str, Callable[[str, Path], str]], ...] = (
            (
                "survey_file",
                values.survey_file,
                "问卷调查数据（已去除个人信息）",
                partial(_survey_copy, scale=values.survey_scale, names=names),
            ),
            ("population_file", values.population_file, "总体比例表（检验样本代表性）", _population_copy),
        )
        for key, named, what, make in files:
            location = named.strip()
            if not location:
                continue
            target = work / f"{number:03d}-{key}.csv"
            meta = {"step": STEP_NAMES[step], "answered_on": on, "answer_key": answer.key}
            try:
                size: str | None = make(location, target)
            except (NotFound, InputFileError):
                size, meta["note"] = None, GONE
            # Named by step and date, never by the file's own name (it can carry a respondent's name, E-PRIVACY).
            title = f"{what}（{STEP_NAMES[step]}，{on} 填报" + (f"，{size}）" if size else "）")
            copy = target if size else None
            prepared.append(PreparedDocument(STEP_MATERIALS[step], title, location, copy, meta))
    return prepared


def export_decision(code: str, target: Path, actor: str = "系统") -> ExportResult:
    """Export decision `code`'s archive (CL-48) to the zip `target`, with the files its answers name made fit to
    archive; the export audited with the manifest's SHA-256."""
    with tempfile.TemporaryDirectory(prefix="pinggu-archive-") as work:
        prepared = prepared_documents(code, Path(work))
        return export_decision_package(code=code, target=target, actor=actor, prepared=prepared)


def record_filing(decision_code: str, on: date, by: str) -> list[tuple[str, str]]:
    """登记决策档案已报备 (MH-A10, minhang 档案 10) on `on` as `by` (姓名（单位）); for each deadline met, its rule and
    a Chinese line (what, when filed, when due, on time or how late) the command line and the web page print."""
    from pinggu.models.db import transaction
    from pinggu.models.decisions import record_archive_filed

    met = transaction(
        lambda session: [
            (d.rule, d.label, d.met_on or on, d.due_date)
            for d in record_archive_filed(session=session, decision_code=decision_code, on=on, by=by)
        ]
    )
    said = []
    for rule, label, met_on, due_date in met:
        late = (met_on - due_date).days
        timing = f"逾期 {late} 天" if late > 0 else "按期"
        said.append((rule, f"{label}，{met_on} 报备，{due_date} 届满（{timing}）"))
    return said
