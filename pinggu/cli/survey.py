"""`pinggu survey …`: questionnaire figures on the command line (SPEC §7; E-SAMPLE, E-PRIVACY).

Registered in pinggu.cli.main; errors go through pinggu.cli.common.friendly.

``pinggu survey analyze FILE --json`` prints::

    {"respondents": N,
     "items": [{"question": <column header>, "kind": "satisfaction" | "yes_no", "n": …,
                "rate": …, "ci95": [lo, hi], "mean": … (satisfaction items only)}, …],
     "unanalysed": [{"question": <column header>, "reason": <why, in Chinese>}, …],
     "breakdowns": {<demographic>: [{"group", "respondents", "share", "satisfaction_rate",
                                     "awareness_rate"}, …]},
     "representativeness": {…}}          # only with --population (pinggu.analysis.sample)

A satisfaction item is a column whose non-blank answers all lie on the 很满意/满意/一般/不满意/
很不满意 scale (scored 5…1); its rate is the share of 很满意 + 满意 among non-blank answers. A yes_no
item has only 是/否 answers; its rate is the share of 是. Blanks never count in n: an empty cell,
the platforms' markers ``(跳过)`` / ``(空)``, and 问卷星's ``-3`` / ``-2`` in a satisfaction or 是/否
item. Numeric answers 1–5 under a 满意 header are read only in a known direction (E-SCALE): the
header's own ``1=很满意`` … or its ``量表题`` (a score, 5 = 很满意), else ``--scale 1=很满意`` (问卷星's
download by option number: 1 is the first option) or ``--scale 5=很满意``; without any, the file is
refused naming the columns. A question that cannot be analysed (every answer blank or skipped, or unrecognisable
answers) is in no figure but listed in ``unanalysed`` with its reason — always present, ``[]`` when
every question was analysed — and under the table of the readable output. The figures and the rules
are pinggu.analysis.survey_figures' and pinggu.analysis.survey_reading's (their module docstrings); read_survey has already removed personal data, so
nothing here can print it.

The population file (``--population``) is a CSV (UTF-8 or GBK) or XLSX table, one row per group::

    分组字段,类别,占比
    性别,男,51%
    性别,女,49%
    年龄段,18-29,0.22
    …

``分组字段`` names a demographic column of the questionnaire (性别, 年龄段, 职业, 收入水平, 文化程度,
街镇), ``类别`` a group as the questionnaire spells it, ``占比`` the group's share of the population:
a fraction, a percentage (``51%``) or a head count — only the ratios within one 分组字段 matter.
"""

from __future__ import annotations

import dataclasses
import json
import math
import unicodedata
from collections.abc import Container
from pathlib import Path
from typing import Annotated, Any

import typer

from pinggu.analysis.sample import read_population
from pinggu.core.errors import InputFileError
from pinggu.cli.common import friendly
from pinggu.rules.vocabulary import SatisfactionScale

survey_app = typer.Typer(help="问卷调查数据", no_args_is_help=True)

_WHAT = "总体比例表"
_KIND_NAMES = {"satisfaction": "满意度", "yes_no": "是否"}
_RATE_NAMES = {"satisfaction": "满意率", "yes_no": "“是”占比"}


# --- figures ----------------------------------------------------------------------------------


def survey_json(figures: dict, representativeness: dict | None = None) -> dict:
    """The command's JSON from ``SurveyFigures.to_dict()``: respondents, items, breakdowns (+ check).

    Also takes the unrounded ``dataclasses.asdict(figures)``, for the text table.
    """
    items = []
    for item in figures["items"]:
        row = {key: item[key] for key in ("question", "kind", "n", "rate", "ci95")}
        if item["kind"] == "satisfaction":
            row["mean"] = item["mean"]
        items.append(row)
    out: dict[str, Any] = {
        "respondents": figures["respondents"],
        "items": items,
        "unanalysed": [{"question": u["question"], "reason": u["reason"]} for u in figures.get("unanalysed", [])],
        "breakdowns": figures["breakdowns"],
    }
    if representativeness is not None:
        out["representativeness"] = representativeness
    return out


# --- text output ------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(header: list[str], rows: list[list[str]], right: Container[int] = frozenset()) -> list[str]:
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - _width(cell))
            parts.append(pad + cell if i in right else cell + pad)
        return "  ".join(parts).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _pct(value: float | None) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value * 100:.1f}%"


def _verdict(value: bool | None) -> str:
    return {True: "具有代表性", False: "不具代表性", None: "无法判断"}[value]


def render_text(name: str, data: dict) -> str:
    """The command's readable Chinese output from ``survey_json``'s dict."""
    lines = [f"问卷“{name}”：答卷 {data['respondents']} 份", ""]
    rows = []
    for item in data["items"]:
        lo, hi = item["ci95"]
        rows.append(
            [
                item["question"],
                _KIND_NAMES[item["kind"]],
                str(item["n"]),
                f"{_RATE_NAMES[item['kind']]} {_pct(item['rate'])}" if item["n"] else "—",
                f"{_pct(lo)}–{_pct(hi)}" if item["n"] else "—",
                f"{item['mean']:.2f}" if item.get("mean") is not None else "—",
            ]
        )
    lines += _table(["题目", "类型", "有效回答", "比例", "95% 置信区间", "平均分"], rows, right={2, 5})
    lines += [
        "",
        "满意率 = “很满意”“满意”占有效回答的比例；平均分按 很满意 5 分 … 很不满意 1 分；"
        "空白、“(跳过)”“(空)”等未作答不计入有效回答。",
    ]
    if data["unanalysed"]:
        lines += ["", f"未能统计的题目 {len(data['unanalysed'])} 道（不计入上表和总体比率）："]
        lines += [f"  {u['question']}：{u['reason']}" for u in data["unanalysed"]]
    for demographic, groups in data["breakdowns"].items():
        lines += ["", f"按{demographic}："]
        lines += _table(
            ["组别", "人数", "占比", "满意率", "知晓率"],
            [
                [
                    g["group"],
                    str(g["respondents"]),
                    _pct(g["share"]),
                    _pct(g["satisfaction_rate"]),
                    _pct(g["awareness_rate"]),
                ]
                for g in groups
            ],
            right={1, 2, 3, 4},
        )
    check = data.get("representativeness")
    if check is not None:
        lines += [
            "",
            f"样本代表性（卡方拟合优度检验，显著性水平 {check['alpha']}）：{_verdict(check['representative'])}",
        ]
        for demographic, result in check["demographics"].items():
            if result["chi_square"] is not None:
                summary = (
                    f"χ² = {result['chi_square']:.2f}，自由度 {result['df']}，p = {result['p_value']:.4f}，"
                    f"{_verdict(result['representative'])}"
                )
            else:
                summary = _verdict(result["representative"])
            lines += ["", f"{demographic}：{summary}"]
            if result["groups"]:
                lines += _table(
                    ["组别", "样本人数", "样本占比", "总体占比", "期望人数"],
                    [
                        [
                            g["group"],
                            str(g["observed"]),
                            _pct(g["observed_share"]),
                            _pct(g["population_share"]),
                            f"{g['expected']:.1f}",
                        ]
                        for g in result["groups"]
                    ],
                    right={1, 2, 3, 4},
                )
            if result["unanswered"]:
                lines.append(f"未填写该项的 {result['unanswered']} 份答卷不参加检验")
            if result["note"]:
                lines.append(f"说明：{result['note']}")
        if check["not_checked"]:
            lines += ["", f"未提供总体比例、未检验：{'、'.join(check['not_checked'])}"]
    return "\n".join(lines)


# --- the command ------------------------------------------------------------------------------


@survey_app.command("analyze")
@friendly
def analyze(
    file: Annotated[Path, typer.Argument(help="问卷导出文件（CSV，UTF-8 或 GBK 编码；或 XLSX）")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    population: Annotated[
        Path | None,
        typer.Option(
            "--population",
            help="总体比例表（CSV/XLSX，列：分组字段,类别,占比），检验样本代表性",
        ),
    ] = None,
    scale: Annotated[
        SatisfactionScale | None,
        typer.Option(
            "--scale",
            help="满意度题答案为数字 1–5 时数字的方向：1=很满意（问卷星按选项序号下载，第一个选项为很满意）"
            "或 5=很满意（按分值）；表头已注明方向或标明“量表题”的列以表头为准",
        ),
    ] = None,
) -> None:
    """统计问卷：各题有效回答数、满意率或“是”占比及其95%置信区间、满意度平均分、按人口特征分组的结果；可检验样本代表性。

    满意度题：非空答案都在“很满意/满意/一般/不满意/很不满意”量表上的列（依次计5至1分），满意率为“很满意”与“满意”占有效回答的比例。

    满意度题的答案是数字 1–5 时，须知道数字的方向才统计，不作推测：表头注明的（如“（1=很满意，5=很不满意）”），或表头标明“量表题”的（按分值，5=很满意），以表头为准；其余用 --scale 说明。方向不明的，拒绝该文件并指出是哪些题。

    是否题：非空答案只有“是/否”的列，比例为“是”占有效回答的比例。空白答案不计入有效回答。

    问卷平台的未作答标记视为空白：“(跳过)”“(空)”（全角括号亦可），以及问卷星按选项序号下载中满意度题、是否题的 -3（跳过）和 -2（空）。全部答案为空或跳过、或含无法识别答案的题目不参加统计，但会在“未能统计的题目”中列出原因（JSON 的 unanalysed）。

    姓名、手机号、身份证号、住址等个人信息在读取时即被删除或隐去，不会出现在输出中。

    总体比例表（--population）：CSV（UTF-8或GBK编码）或XLSX，第1行为表头“分组字段,类别,占比”，每行一个类别，例如“性别,男,51%”“性别,女,49%”“年龄段,18-29,0.22”。

    分组字段为问卷中的人口特征列（性别、年龄段、职业、收入水平、文化程度、街镇）；类别与问卷中的写法一致；占比可写小数、百分数或人数，同一分组字段内只看相对大小。对每个分组字段做卡方拟合优度检验，p≥0.05为具有代表性。
    """
    from pinggu.analysis.sample import representativeness
    from pinggu.analysis.survey_figures import summarise_survey
    from pinggu.analysis.survey_reading import read_survey

    figures = summarise_survey(read_survey(file, scale=scale))
    rounded = figures.to_dict()  # the JSON's figures, rounded to 4 decimals as in reports
    check = None
    if population is not None:
        shares = read_population(population)
        try:
            check = representativeness(rounded["breakdowns"], shares)
        except ValueError as error:  # read_population refuses what sample.py would; kept as a guard
            raise InputFileError(f"{_WHAT}“{population.name}”有误：{error}", path=str(population)) from None
    if as_json:
        typer.echo(json.dumps(survey_json(rounded, check), ensure_ascii=False, indent=2))
        return
    # The table rounds once, from the unrounded figures (60.449 % is 60.4 %, not 60.45 → 60.5 %).
    typer.echo(render_text(file.name, survey_json(dataclasses.asdict(figures), check)))
