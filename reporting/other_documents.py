"""What a lead unit writes in its tracking report (OR-8: ordos 8; OR-9: ordos 9) and what the office finds
in a supervision round (OR-10: ordos 10, minhang 督查细则 10–11), and both rendered as PDF and Word.

They come from a web form, the Prefect run form, or an operator's YAML or JSON file: keys English (as
below), texts Chinese; a missing or blank item is refused with its Chinese name, nothing is written.
The documents are rendered from what was recorded (pinggu.services.tracking), with the period, unit and
milestones taken from the database.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from pinggu.core.errors import InputFileError, Problem
from pinggu.rules.tracking import SeriousReport, SupervisionMethod

Text = str


class _Input(BaseModel):
    model_config = {"extra": "forbid"}

    @field_validator("*", mode="after")
    @classmethod
    def _not_blank(cls, value):
        if isinstance(value, str) and not value.strip():
            raise ValueError("不能为空")
        return value


class MilestoneDone(_Input):
    """A milestone of the tracking plan the unit reports done."""

    seq: int = Field(ge=1, title="节点序号")
    done_on: date = Field(title="完成日期")


class TrackingInput(_Input):
    """跟踪反馈报告（鄂尔多斯市办法第八条）：工作进展、执行效果、存在问题和解决建议、下一步工作安排；
    以及须及时报告的严重问题、重大变化或不可抗力（第九条）。"""

    reporter: Text = Field(title="填报人")
    progress: Text = Field(title="工作进展")
    effect: Text = Field(title="执行效果")
    problems: Text = Field(title="执行中存在的问题")
    proposals: Text = Field(title="解决建议")
    next_steps: Text = Field(title="下一步工作安排")
    milestones_done: list[MilestoneDone] = Field(default_factory=list, title="本期完成的时间节点")
    serious: SeriousReport = Field(default=SeriousReport.none, title="须及时报告的情况")
    serious_note: Text | None = Field(default=None, title="情况说明（严重问题、重大变化或不可抗力）")

    @model_validator(mode="after")
    def _serious_explained(self) -> TrackingInput:
        if self.serious is not SeriousReport.none and not self.serious_note:
            raise ValueError("报告了须及时报告的情况，请在“情况说明”中写明")
        return self


class Rectification(_Input):
    """督查结论中要求整改的一项事项。"""

    item: Text = Field(title="整改事项")
    unit: Text = Field(title="责任单位")
    deadline: date = Field(title="整改期限")


class SupervisionInput(_Input):
    """督查报告（鄂尔多斯市办法第十条、闵行区督查细则第十条、昌黎县规定第五十二条、第五十三条）。"""

    supervisor: Text | None = Field(default=None, title="督查单位（留空为规则规定的督查机关）")
    supervised: Text | None = Field(default=None, title="被督查单位（留空为决策承办单位）")
    methods: list[SupervisionMethod] = Field(min_length=1, title="督查方式")
    held_on: date | None = Field(default=None, title="督查日期（留空为今天）")
    self_inspection_due: date | None = Field(default=None, title="书面督查：要求被督查单位全面自查并书面报告情况的期限")
    already_supervised: Text | None = Field(
        default=None, title="已按照其他规定督查的情况（督查名称、时间、结果；没有的留空）"
    )
    repeat_reason: Text | None = Field(default=None, title="已督查过仍须再次督查的理由")
    execution: Text = Field(title="决策执行情况")
    effect: Text = Field(title="实施效果")
    problems: Text = Field(title="存在的问题")
    proposals: Text = Field(title="改进的意见建议")
    leader_matters: Text | None = Field(default=None, title="需提请领导协调的事项")
    suggestions: Text | None = Field(default=None, title="相关工作建议")
    rectifications: list[Rectification] = Field(default_factory=list, title="督查结论中要求整改的事项")


KINDS: dict[str, tuple[type[_Input], str, str]] = {
    "tracking": (TrackingInput, "tracking_report.html.j2", "跟踪反馈报告"),
    "supervision": (SupervisionInput, "supervision_report.html.j2", "督查报告"),
}


def _title_of(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    names = []
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            names.append(f"第 {part + 1} 项")
            continue
        field = current.model_fields.get(str(part)) if current else None
        names.append(field.title if field and field.title else str(part))
        annotation = field.annotation if field else None
        args = getattr(annotation, "__args__", ())
        current = next((a for a in (annotation, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None)
    return "／".join(names)


def _reason(model: type[BaseModel], error: ErrorDetails) -> str:
    if not error["loc"]:  # a check across items (model_validator)
        return error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return f"“{error['loc'][-1]}”不是可用的项目（可用：{'、'.join(model.model_fields)}）"
    what = "未填写" if error["type"] == "missing" else error["msg"].removeprefix("Value error, ")
    return f"“{_title_of(model, tuple(error['loc']))}”{what}"


def read_input(kind: str, path: Path, **signed: str) -> _Input:
    """The report's input from a YAML or JSON file, validated; InputFileError names every problem. `signed`: values
    that are not the file's to say (who reports: the person the command names by login), set over the file's."""
    model = KINDS[kind][0]
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(f"找不到文件 {path}", path=str(path)) from None
    except UnicodeDecodeError:
        raise InputFileError(f"文件 {path.name} 不是 UTF-8 编码的文本，请另存为 UTF-8 后重试", path=str(path)) from None
    try:
        data = json.loads(raw) if path.suffix.lower() == ".json" else yaml.safe_load(raw)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise InputFileError(f"文件 {path.name} 格式有误：{error}", path=str(path)) from None
    if not isinstance(data, dict):
        raise InputFileError(
            f"文件 {path.name} 应为“键: 内容”的形式，可用的键：{'、'.join(model.model_fields)}", path=str(path)
        )
    return parse_input(kind, {**data, **signed}, path=str(path))


def parse_input(kind: str, data: dict, **context: str) -> _Input:
    """The report's input from a form's or file's values, validated; InputFileError names every problem."""
    model = KINDS[kind][0]
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = [Problem(reason=_reason(model, e)) for e in error.errors()]
        raise InputFileError(
            f"{KINDS[kind][2]}的内容有 {len(problems)} 处问题，未记录：", problems=problems, **context
        ) from None


def document_html(kind: str, decision: dict, report_input: _Input, today: date, **context: object) -> str:
    """The report as HTML; `context` adds what was recorded beside the input (the period, the unit, the
    milestones, the supervisor)."""
    from pinggu.reporting.pdf import render_html

    _, template, _ = KINDS[kind]
    return render_html(
        template,
        {"decision": decision, "input": report_input.model_dump(), "generated_on": today.isoformat(), **context},
    )


def render_document(
    kind: str, decision: dict, report_input: _Input, directory: Path, today: date, **context: object
) -> tuple[Path, Path]:
    """Write the report as PDF and Word in `directory`; return both paths."""
    from pinggu.reporting.docx import write_pdf_and_docx

    html = document_html(kind, decision, report_input, today, **context)
    written = write_pdf_and_docx(html, directory / f"{decision['code']}-{KINDS[kind][2]}-{today.isoformat()}")
    return written["pdf"][0], written["docx"][0]
