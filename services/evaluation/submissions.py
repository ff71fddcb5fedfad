"""Submitted material: each file is read, checked and stored before any transaction opens.

A large survey takes seconds to read; the short write transaction then only records what its
preparer returned (pinggu.services.evaluation.acceptors.accept_submission). E-PRIVACY: only the cleaned copy of a
survey or an opinions register, without personal data, is kept by the product.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pinggu.core.document_store import StoredObject, in_store, keep, local_file
from pinggu.core.errors import InputFileError, NotFound, PingguError, RuleViolation
from pinggu.core.file_types import UPLOADED, check_file
from pinggu.core.settings import get_settings
from pinggu.core.spreadsheet import decoded_text
from pinggu.models.tables import Decision, Evaluation
from pinggu.rules.gate_details import (
    ExpertMarksDetails,
    ExpertMarksMeta,
    FileMeta,
    GateDetails,
    OpinionsDetails,
    OpinionsMeta,
    RecordsDetails,
    RecordsMeta,
    SurveyDetails,
    SurveyMeta,
)
from pinggu.rules.gates import GATES, GateId
from pinggu.rules.profiles import load_profile
from pinggu.rules.scoring import missing_inputs, read_expert_marks
from pinggu.services.evaluation.answers import DataFileAnswer, ExpertMarksAnswer, RecordsAnswer
from pinggu.services.privacy import known_names


@dataclass(frozen=True)
class StoredSubmission:
    """A submitted file, checked and stored; what its gate records."""

    gate: GateId
    title: str
    kept: StoredObject
    meta: FileMeta  # the file's record (Document.meta), the model the gate's registry entry names
    details: GateDetails  # what the answer keeps (Approval.details)
    comment: str | None = None


Preparer = Callable[[Evaluation, Decision, int, Any], StoredSubmission]


def _shown_name(source: Path, attempt: int) -> str:
    """A submitted file as records and reports name it: which submission and what kind of file, never the
    file's own name, which can carry a respondent's name or phone number no list knows (E-PRIVACY)."""
    return f"第{attempt}次提交的 {source.suffix.lstrip('.').upper() or '无扩展名'} 文件"


NOT_FROM_STORE = (
    "材料文件只能通过网页办理页面上传，或用命令 pinggu submit 提交；不受理评估服务器上的其他路径。"
    "请在网页办理页面上传文件后提交"
)


def _source(given: str) -> Path:
    """The submitted file: an upload (web page, `pinggu submit`) or a document of the store, checked by its
    content (pinggu.core.file_types). Any other server path is refused without being opened, and the refusal
    quotes nothing of it: a resume form must not read the server's files for whoever holds a code."""
    location = given.strip()
    if not in_store(location):
        raise InputFileError(NOT_FROM_STORE)
    try:
        source = local_file(location)
    except NotFound:
        raise InputFileError(f"找不到{UPLOADED}（可能已被清理），请重新上传后提交") from None
    check_file(source)
    return source


@contextmanager
def _as_uploaded(source: Path) -> Iterator[None]:
    """A refusal names the file as the person knows it (您上传的文件), never by the store's content hash."""
    try:
        yield
    except PingguError as error:
        for hashed in (str(source), source.name, source.stem):
            error.message = error.message.replace(hashed, UPLOADED)
        error.context.pop("path", None)
        raise


def _stored_copy(evaluation: Evaluation, gate: GateId, attempt: int, source: Path) -> Path:
    name = f"{GATES[gate].name}-第{attempt}次提交{source.suffix}"
    stored = get_settings().documents_dir / evaluation.code / name
    stored.parent.mkdir(parents=True, exist_ok=True)
    return stored


def prepare_survey(evaluation: Evaluation, decision: Decision, attempt: int, form: DataFileAnswer) -> StoredSubmission:
    """Questionnaire data: read and cleaned (InputFileError names each bad row and column)."""
    # pandas only where data is read: a resumed run starts faster
    from pinggu.analysis.survey_reading import read_survey, write_stored_copy

    source = _source(form.file)
    names = known_names()
    # E-SCALE: numeric satisfaction codes are read in the direction the file or the form states, never
    # guessed; the stored copy holds the answers as text, so the analysis re-reads it without one.
    with _as_uploaded(source):
        survey = read_survey(source, names, form.scale)
    stored = _stored_copy(evaluation, GateId.survey, attempt, source.with_suffix(".csv"))
    write_stored_copy(survey, stored)  # rows where the original had them: 第 N 行 stays the person's line N
    shown = _shown_name(source, attempt)
    # The scale only when stated: the stored JSON keeps the shape it always had.
    stated = {"scale": form.scale} if form.scale is not None else {}
    return StoredSubmission(
        gate=GateId.survey,
        title=f"问卷数据（{shown}，{len(survey)} 份）",
        kept=keep(stored),
        meta=SurveyMeta(source_name=shown, respondents=len(survey), **stated),
        details=SurveyDetails(file=shown, respondents=len(survey), **stated),
    )


def prepare_opinions(
    evaluation: Evaluation, decision: Decision, attempt: int, form: DataFileAnswer
) -> StoredSubmission:
    """An opinions register: read, senders removed (InputFileError names each bad row and column)."""
    from pinggu.analysis.opinions import read_opinions
    from pinggu.analysis.survey_reading import write_stored_copy

    source = _source(form.file)
    names = known_names()
    with _as_uploaded(source):
        opinions = read_opinions(source, names)
    stored = _stored_copy(evaluation, GateId.opinions, attempt, source.with_suffix(".csv"))
    write_stored_copy(opinions, stored)
    shown = _shown_name(source, attempt)
    return StoredSubmission(
        gate=GateId.opinions,
        title=f"意见征集材料（{shown}，{len(opinions)} 条）",
        kept=keep(stored),
        meta=OpinionsMeta(source_name=shown, opinions=len(opinions)),
        details=OpinionsDetails(file=shown, opinions=len(opinions)),
    )


def records_preparer(gate: GateId) -> Preparer:
    """Meeting minutes or field-research records: stored as submitted, with the submitter's summary."""

    def prepare(evaluation: Evaluation, decision: Decision, attempt: int, form: RecordsAnswer) -> StoredSubmission:
        from pinggu.analysis.privacy import mask_text

        source = _source(form.file)
        names = known_names()
        stored = _stored_copy(evaluation, gate, attempt, source)
        with _as_uploaded(source):
            masked_copy(source, stored, names)
        summary = mask_text(form.summary.strip(), names)
        shown = _shown_name(source, attempt)
        return StoredSubmission(
            gate=gate,
            title=f"{GATES[gate].name.removesuffix('提交')}（{shown}）",
            kept=keep(stored),
            meta=RecordsMeta(source_name=shown, summary=summary),
            details=RecordsDetails(file=shown, summary=summary),
            comment=summary,
        )

    return prepare


def masked_copy(source: Path, stored: Path, names: list[str]) -> None:
    """Store minutes or records with contact data and known names masked (E-PRIVACY): a text file line by
    line, a Word file paragraph by paragraph (tables included; a masked paragraph loses its run styling).
    A PDF is stored as submitted: its text cannot be rewritten in place (docs/privacy-audit.md, "Privacy")."""
    from pinggu.analysis.privacy import mask_text

    suffix = source.suffix.lower()
    if suffix == ".txt":
        text = decoded_text(source.read_bytes())
        if text is None:
            raise InputFileError(f"无法识别 {source.name} 的编码：请另存为 UTF-8 或 GBK 文本", path=str(source))
        stored.write_text(mask_text(text, names), encoding="utf-8")
    elif suffix == ".docx":
        from docx import Document
        from docx.opc.exceptions import PackageNotFoundError

        try:
            document = Document(str(source))
        except (PackageNotFoundError, KeyError, ValueError) as error:
            raise InputFileError(f"无法打开 Word 文件 {source.name}：{error}", path=str(source)) from None
        paragraphs = [*document.paragraphs]
        for table in document.tables:
            paragraphs += [p for row in table.rows for cell in row.cells for p in cell.paragraphs]
        for paragraph in paragraphs:
            masked = mask_text(paragraph.text, names)
            if masked != paragraph.text and paragraph.runs:
                paragraph.runs[0].text = masked
                for run in paragraph.runs[1:]:
                    run.text = ""
        document.save(str(stored))
    else:
        shutil.copyfile(source, stored)


def parse_data_values(text: str) -> dict[str, float]:
    """Statistics typed one per line as “名称：数值” (e.g. 目标任务完成率（%）：92)."""
    values: dict[str, float] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        matched = _STATISTIC.match(line.strip())
        if matched is None or not math.isfinite(float(matched.group(2))):
            raise InputFileError(
                f"统计数据第 {number} 行“{line.strip()}”应写作“名称：数值”，例如 目标任务完成率（%）：92"
            )
        values[matched.group(1).strip()] = float(matched.group(2))
    return values


# “名称：数值” — the name may itself hold a colon; the value is a plain number, optionally with %.
_STATISTIC = re.compile(r"^(.*\S)\s*[:：]\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*[%％]?$")


def prepare_expert_marks(
    evaluation: Evaluation, decision: Decision, attempt: int, form: ExpertMarksAnswer
) -> StoredSubmission:
    """Expert marks and statistics: every input the score needs other than the questionnaire (C-NOPRESET)."""
    profile = load_profile(decision.profile)
    source = _source(form.file)
    with _as_uploaded(source):
        marks = read_expert_marks(source, profile=profile)  # bad rows named with row and column
    data = parse_data_values(form.data_values or "")
    placeholder_survey = {"satisfaction_rate": 0.5, "awareness_rate": 0.5}
    missing = missing_inputs(profile, survey=placeholder_survey, expert_marks=marks, data=data)
    if missing:
        raise RuleViolation(f"评分依据不全：{'；'.join(missing)}。请补全专家打分表或统计数据后重新提交", rule="MH-14")
    stored = _stored_copy(evaluation, GateId.expert_marks, attempt, Path("评分.json"))
    stored.write_text(json.dumps({"marks": marks, "data": data}, ensure_ascii=False, indent=2), encoding="utf-8")
    shown = _shown_name(source, attempt)
    return StoredSubmission(
        gate=GateId.expert_marks,
        title=f"专家评分及统计数据（{shown}）",
        kept=keep(stored),
        meta=ExpertMarksMeta(source_name=shown),
        details=ExpertMarksDetails(file=shown, marks=marks, data=data),
    )
