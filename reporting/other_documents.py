"""The tracking-feedback report (OR-8: ordos 8) and the supervision report (OR-10: ordos 10,
minhang 督查细则 10–11) as PDF and Word, from an operator's YAML or JSON file.

The input's keys are English (as below), its texts Chinese; a missing or blank item is refused with
its Chinese name, nothing is written.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from core.errors import InputFileError, Problem

Text = str


class _Input(BaseModel):
    model_config = {"extra": "forbid"}

    @field_validator("*", mode="after")
    @classmethod
    def _not_blank(cls, value):
        if isinstance(value, str) and not value.strip():
            raise ValueError("不能为空")
        return value


class TrackingInput(_Input):
    """跟踪反馈报告（鄂尔多斯市办法第八条）：工作进展、执行效果、存在问题和解决建议、下一步工作安排。"""

    period: Text = Field(title="报告期间")
    unit: Text = Field(title="报告单位（决策承办单位）")
    progress: Text = Field(title="工作进展")
    effect: Text = Field(title="执行效果")
    problems: Text = Field(title="执行中存在的问题")
    proposals: Text = Field(title="解决建议")
    next_steps: Text = Field(title="下一步工作安排")
    major_change: Text | None = Field(default=None, title="须及时报告的严重问题、重大变化或不可抗力情况")


class Rectification(_Input):
    """督查结论中要求整改的一项事项。"""

    item: Text = Field(title="整改事项")
    unit: Text = Field(title="责任单位")
    deadline: date = Field(title="整改期限")


class SupervisionInput(_Input):
    """督查报告（鄂尔多斯市办法第十条、闵行区督查细则第十条）。"""

    supervisor: Text = Field(title="督查单位")
    methods: list[Literal["书面督查", "听取汇报", "实地督查", "网上信息核查"]] = Field(min_length=1, title="督查方式")
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
    if error["type"] == "extra_forbidden":
        return f"“{error['loc'][-1]}”不是可用的项目（可用：{'、'.join(model.model_fields)}）"
    what = "未填写" if error["type"] == "missing" else error["msg"].removeprefix("Value error, ")
    return f"“{_title_of(model, tuple(error['loc']))}”{what}"


def read_input(kind: str, path: Path) -> _Input:
    """The report's input from a YAML or JSON file, validated; InputFileError names every problem."""
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
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = [Problem(reason=_reason(model, e)) for e in error.errors()]
        raise InputFileError(
            f"{KINDS[kind][2]}的内容有 {len(problems)} 处问题，未生成报告：", problems=problems, path=str(path)
        ) from None


def render_document(kind: str, decision: dict, report_input: _Input, directory: Path, today: date) -> tuple[Path, Path]:
    """Write the report as PDF and Word in `directory`; return both paths."""
    from reporting.docx import write_pdf_and_docx
    from reporting.pdf import render_html

    _, template, title = KINDS[kind]
    html = render_html(
        template, {"decision": decision, "input": report_input.model_dump(), "generated_on": today.isoformat()}
    )
    written = write_pdf_and_docx(html, directory / f"{decision['code']}-{title}-{today.isoformat()}")
    return written["pdf"][0], written["docx"][0]
