"""Reading the decision catalog: the sample, bad rows, encodings, XLSX, file-level failures, speed."""

from __future__ import annotations

import csv
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from pydantic import ValidationError

from pinggu.analysis.catalog import CATALOG_COLUMNS, CatalogRow, read_catalog
from pinggu.core.errors import InputFileError
from pinggu.core.settings import SAMPLES_DIR

SAMPLE = SAMPLES_DIR / "catalog.csv"
PROFILES = {"bazhou", "ordos", "ningxia_commerce", "changli", "minhang"}
HEADERS = list(CATALOG_COLUMNS)

GOOD = {
    "编号": "T-001",
    "决策名称": "关于测试的实施方案",
    "规则": "bazhou",
    "决策机关": "霸州市人民政府",
    "承办单位": "市教育局",
    "决策类别": "重大公共政策",
    "普遍影响": "是",
    "决策日期": "2024-08-19",
    "实施起始日": "2024-08-30",
    "实施终止日": "2029-08-29",
    "执行进度": "26",
    "涉及财政资金": "否",
    "上级组织评估": "否",
    "社会关注度": "高",
    "最近评估类型": "",
    "最近评估完成日": "",
    "协助上级评估": "否",
}


def row(**changes: str) -> dict[str, str]:
    """A valid catalog row with some cells replaced (keys are the Chinese headers)."""
    return {**GOOD, **changes}


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    """Write rows under the catalog header, as an operator's spreadsheet would export them."""
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADERS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def sample_records() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the sample catalog ----------------------------------------------------------------------


def test_sample_parses_without_problems() -> None:
    parsed = read_catalog(SAMPLE, PROFILES)

    assert parsed.problems == []
    assert parsed.bad_rows == []
    assert parsed.total_rows == len(parsed.rows) == 40


def test_sample_values_match_the_raw_file() -> None:
    parsed = read_catalog(SAMPLE, PROFILES)

    for parsed_row, raw in zip(parsed.rows, sample_records(), strict=True):
        assert parsed_row.code == raw["编号"]
        assert parsed_row.title == raw["决策名称"]
        assert parsed_row.profile == raw["规则"]
        assert parsed_row.starts_on.isoformat() == raw["实施起始日"]
        assert (parsed_row.ends_on.isoformat() if parsed_row.ends_on else "") == raw["实施终止日"]
        assert parsed_row.broad_impact is (raw["普遍影响"] == "是")
        assert parsed_row.superior_evaluates is (raw["上级组织评估"] == "是")
        assert parsed_row.progress_percent == (int(raw["执行进度"]) if raw["执行进度"] else None)


def test_sample_spot_values() -> None:
    by_code = {r.code: r for r in read_catalog(SAMPLE, PROFILES).rows}

    first = by_code["S-2024-001"]
    assert (first.decision_body, first.lead_unit, first.category) == (
        "闵行区人民政府",
        "区发展和改革委员会",
        "重大公共政策",
    )
    assert (first.decided_on, first.starts_on, first.ends_on) == (
        date(2024, 8, 19),
        date(2024, 8, 30),
        date(2029, 8, 29),
    )
    assert (first.progress_percent, first.uses_fiscal_funds, first.public_attention) == (26, False, "高")
    open_ended = by_code["S-2021-007"]
    assert open_ended.ends_on is None
    assert open_ended.broad_impact is True
    assert by_code["S-2019-024"].progress_percent is None
    assert by_code["S-2019-024"].superior_evaluates is True
    # The sample records no past evaluation at all.
    assert {(r.last_evaluation_type, r.last_evaluation_on) for r in by_code.values()} == {(None, None)}


# --- bad rows --------------------------------------------------------------------------------

# Each case: the second data row (spreadsheet row 3) gets these cells; the problem expected.
BAD_ROWS = [
    pytest.param({"编号": ""}, "编号", "必须填写", id="code-missing"),
    pytest.param({"编号": "   "}, "编号", "必须填写", id="code-only-spaces"),
    pytest.param({"决策名称": ""}, "决策名称", "必须填写", id="title-missing"),
    pytest.param({"决策机关": ""}, "决策机关", "必须填写", id="body-missing"),
    pytest.param({"承办单位": ""}, "承办单位", "必须填写", id="lead-unit-missing"),
    pytest.param({"决策类别": ""}, "决策类别", "必须填写", id="category-missing"),
    pytest.param({"规则": ""}, "规则", "必须填写", id="profile-missing"),
    pytest.param(
        {"规则": "shanghai"},
        "规则",
        "未知的规则“shanghai”，可用的规则：bazhou、changli、minhang、ningxia_commerce、ordos",
        id="profile-unknown",
    ),
    pytest.param({"实施起始日": ""}, "实施起始日", "必须填写", id="start-missing"),
    pytest.param({"实施起始日": "2023-02-30"}, "实施起始日", "日期不存在：“2023-02-30”", id="start-impossible"),
    pytest.param({"决策日期": "2024年13月1日"}, "决策日期", "日期不存在", id="decided-impossible-month"),
    pytest.param({"决策日期": "下周一"}, "决策日期", "日期格式无法识别：“下周一”", id="decided-malformed"),
    pytest.param({"实施终止日": "2024-08/30"}, "实施终止日", "日期格式无法识别", id="end-mixed-separators"),
    pytest.param({"实施终止日": "30/08/2029"}, "实施终止日", "日期格式无法识别", id="end-day-first"),
    pytest.param(
        {"实施终止日": "2024-08-29"},
        "实施终止日",
        "实施终止日 2024-08-29 早于实施起始日 2024-08-30",
        id="end-before-start",
    ),
    pytest.param({"普遍影响": "Y"}, "普遍影响", "应填“是”或“否”（留空视为“否”），实际为“Y”", id="broad-impact-bad"),
    pytest.param({"涉及财政资金": "不是"}, "涉及财政资金", "应填“是”或“否”", id="fiscal-bad"),
    pytest.param({"上级组织评估": "1"}, "上级组织评估", "应填“是”或“否”", id="superior-bad"),
    pytest.param({"执行进度": "120"}, "执行进度", "应在 0 到 100 之间，实际为“120”", id="progress-over"),
    pytest.param({"执行进度": "-5%"}, "执行进度", "应在 0 到 100 之间", id="progress-negative"),
    pytest.param({"执行进度": "55.5"}, "执行进度", "应为 0 到 100 的整数", id="progress-fraction"),
    pytest.param({"执行进度": "过半"}, "执行进度", "应为 0 到 100 的整数", id="progress-words"),
    pytest.param({"社会关注度": "很高"}, "社会关注度", "应填“高”“中”“低”之一或留空", id="attention-bad"),
    pytest.param(
        {"最近评估类型": "年度评估", "最近评估完成日": "2025-01-01"},
        "最近评估类型",
        "未知的评估类型“年度评估”",
        id="evaluation-type-unknown",
    ),
    pytest.param(
        {"最近评估类型": "中期评估"},
        "最近评估完成日",
        "填写了最近评估类型，也须填写最近评估完成日",
        id="evaluation-date-missing",
    ),
    pytest.param(
        {"最近评估完成日": "2025-01-01"},
        "最近评估类型",
        "填写了最近评估完成日，也须填写最近评估类型",
        id="evaluation-type-missing",
    ),
    pytest.param(
        {"最近评估完成日": "2025-02-29", "最近评估类型": "final"},
        "最近评估完成日",
        "日期不存在",
        id="evaluation-date-impossible",
    ),
    pytest.param({"编号": "T-001"}, "编号", "编号“T-001”与第 2 行重复", id="code-duplicate"),
]


@pytest.mark.parametrize(("changes", "column", "reason"), BAD_ROWS)
def test_bad_row_is_reported_and_left_out(tmp_path: Path, changes: dict[str, str], column: str, reason: str) -> None:
    rows = [row(), row(**{"编号": "T-002", **changes}), row(**{"编号": "T-003"})]

    parsed = read_catalog(write_csv(tmp_path / "catalog.csv", rows), PROFILES)

    assert [(p.row, p.column) for p in parsed.problems] == [(3, column)]
    assert reason in parsed.problems[0].reason
    assert parsed.bad_rows == [3]
    assert [r.code for r in parsed.rows] == ["T-001", "T-003"]
    assert parsed.total_rows == 3


ACCEPTED = [
    pytest.param({"实施起始日": "2024/8/30"}, "starts_on", date(2024, 8, 30), id="date-slashes"),
    pytest.param({"实施起始日": "2024年8月30日"}, "starts_on", date(2024, 8, 30), id="date-chinese"),
    pytest.param({"实施起始日": "2024-08-30 00:00:00"}, "starts_on", date(2024, 8, 30), id="date-with-midnight"),
    pytest.param({"决策日期": ""}, "decided_on", None, id="decided-blank"),
    pytest.param({"实施终止日": ""}, "ends_on", None, id="open-ended"),
    pytest.param({"实施终止日": "2024-08-30"}, "ends_on", date(2024, 8, 30), id="ends-on-start-day"),
    pytest.param({"执行进度": "55%"}, "progress_percent", 55, id="progress-percent-sign"),
    pytest.param({"执行进度": "0"}, "progress_percent", 0, id="progress-zero"),
    pytest.param({"执行进度": "100"}, "progress_percent", 100, id="progress-full"),
    pytest.param({"执行进度": ""}, "progress_percent", None, id="progress-blank"),
    pytest.param({"普遍影响": ""}, "broad_impact", False, id="yes-no-blank-is-no"),
    pytest.param({"社会关注度": ""}, "public_attention", None, id="attention-blank"),
    pytest.param(
        {"最近评估类型": "执行评估", "最近评估完成日": "2025-03-01"},
        "last_evaluation_type",
        "ordinary",
        id="execution-is-ordinary",
    ),
    pytest.param(
        {"最近评估类型": "九十日评估", "最近评估完成日": "2025-03-01"},
        "last_evaluation_type",
        "ningxia_90day",
        id="ninety-day-chinese",
    ),
    pytest.param(
        {"最近评估类型": "Simplified", "最近评估完成日": "2025-03-01"},
        "last_evaluation_type",
        "simplified",
        id="english-code",
    ),
    pytest.param({"编号": "  T-009 "}, "code", "T-009", id="code-stripped"),
    # bazhou 16(2), changli 63(2): 接受上级委任或根据上级要求协助评估 — then the superior's evaluation exempts nothing.
    pytest.param({"协助上级评估": "是"}, "assists_superior", True, id="assists-superior"),
    pytest.param({"协助上级评估": ""}, "assists_superior", False, id="assists-superior-blank"),
]


def test_a_catalog_without_the_later_assists_column_reads_it_as_no(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    good = {header: value for header, value in row().items() if header != "协助上级评估"}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(good))
        writer.writeheader()
        writer.writerow(good)
    parsed = read_catalog(path, PROFILES)
    assert parsed.problems == [] and parsed.rows[0].assists_superior is False


@pytest.mark.parametrize(("changes", "field", "expected"), ACCEPTED)
def test_accepted_spellings(tmp_path: Path, changes: dict[str, str], field: str, expected: object) -> None:
    parsed = read_catalog(write_csv(tmp_path / "catalog.csv", [row(**changes)]), PROFILES)

    assert parsed.problems == []
    assert getattr(parsed.rows[0], field) == expected


def test_every_problem_of_a_row_is_reported(tmp_path: Path) -> None:
    rows = [row(), row(**{"编号": "T-001", "实施起始日": "2024-02-30", "执行进度": "101", "规则": "x"})]

    parsed = read_catalog(write_csv(tmp_path / "catalog.csv", rows), PROFILES)

    assert [(p.row, p.column) for p in parsed.problems] == [
        (3, "编号"),
        (3, "规则"),
        (3, "实施起始日"),
        (3, "执行进度"),
    ]
    assert parsed.bad_rows == [3]


def test_later_duplicates_all_name_the_first_row(tmp_path: Path) -> None:
    rows = [row(**{"编号": "T-000"}), row(), row(), row()]

    parsed = read_catalog(write_csv(tmp_path / "catalog.csv", rows), PROFILES)

    assert [(p.row, p.reason) for p in parsed.problems] == [
        (4, "编号“T-001”与第 3 行重复"),
        (5, "编号“T-001”与第 3 行重复"),
    ]
    assert [r.code for r in parsed.rows] == ["T-000", "T-001"]


def test_blank_lines_are_ignored_but_keep_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    good = ",".join(GOOD.values())
    bad = ",".join(row(**{"编号": "T-002", "执行进度": "abc"}).values())
    path.write_text("\n".join([",".join(HEADERS), good, "", ",,,,,,,,,,,,,,,", bad, ""]) + "\n", encoding="utf-8")

    parsed = read_catalog(path, PROFILES)

    assert [(p.row, p.column) for p in parsed.problems] == [(5, "执行进度")]
    assert parsed.total_rows == 2


def test_values_without_a_header_are_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    # An unquoted comma in a title shifts every later cell: the row gets one cell too many.
    shifted = ",".join(
        row(**{"决策名称": "关于测试,的实施方案", "最近评估类型": "final", "最近评估完成日": "2025-01-01"}).values()
    )
    path.write_text(",".join(HEADERS) + "\n" + shifted + "\n", encoding="utf-8")

    parsed = read_catalog(path, PROFILES)

    assert parsed.bad_rows == [2]
    assert parsed.problems[-1].column is None
    assert f"第 {len(HEADERS) + 1} 列有内容但没有表头" in parsed.problems[-1].reason


def test_extra_named_columns_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text(
        ",".join([*HEADERS, "备注"]) + "\n" + ",".join([*GOOD.values(), "备注内容"]) + "\n", encoding="utf-8"
    )

    parsed = read_catalog(path, PROFILES)

    assert parsed.problems == []
    assert parsed.rows[0].code == "T-001"


# --- encodings and XLSX ----------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_other_csv_encodings_parse_like_utf8(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "catalog.csv", sample_records(), encoding=encoding)

    assert read_catalog(path, PROFILES) == read_catalog(SAMPLE, PROFILES)


def write_xlsx(path: Path, records: list[dict[str, str]]) -> Path:
    """Write records the way Excel stores typed-in cells: real dates, numbers, blanks as empty."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for record in records:
        cells: list[object] = []
        for header, value in record.items():
            if not value:
                cells.append(None)
            elif CATALOG_COLUMNS[header].endswith("_on"):
                cells.append(date.fromisoformat(value))
            elif header == "执行进度":
                cells.append(int(value))
            else:
                cells.append(value)
        sheet.append(cells)
    workbook.save(path)
    return path


def test_xlsx_parses_like_csv(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "catalog.xlsx", sample_records())

    assert read_catalog(path, PROFILES) == read_catalog(SAMPLE, PROFILES)


def test_xlsx_percentage_cells_blank_rows_and_row_numbers(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "catalog.xlsx", [row(), row(**{"编号": "T-002"}), row(**{"编号": "T-003"})])
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    progress = HEADERS.index("执行进度") + 1
    sheet.cell(row=2, column=progress, value=0.55).number_format = "0%"
    sheet.insert_rows(3)  # a blank line between the first and second decision
    sheet.cell(row=5, column=HEADERS.index("实施起始日") + 1, value="2023-02-30")
    workbook.save(path)

    parsed = read_catalog(path, PROFILES)

    assert parsed.rows[0].progress_percent == 55
    assert [(p.row, p.column) for p in parsed.problems] == [(5, "实施起始日")]
    assert parsed.total_rows == 3


# --- file-level problems ---------------------------------------------------------------------


def test_missing_headers_are_named(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    kept = [h for h in HEADERS if h not in ("实施起始日", "社会关注度")]
    path.write_text(",".join(kept) + "\n" + ",".join("x" for _ in kept) + "\n", encoding="utf-8")

    with pytest.raises(InputFileError, match="缺少列：实施起始日、社会关注度"):
        read_catalog(path, PROFILES)


def test_duplicate_headers_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text(",".join([*HEADERS, "决策日期"]) + "\n" + ",".join([*GOOD.values(), ""]) + "\n", encoding="utf-8")

    with pytest.raises(InputFileError, match=f"表头重复：“决策日期”出现在第 8、{len(HEADERS) + 1} 列"):
        read_catalog(path, PROFILES)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("catalog.xls", b"x", "不支持的目录文件类型“.xls”", id="old-excel"),
        pytest.param("catalog.txt", b"x", "不支持的目录文件类型“.txt”", id="text"),
        pytest.param("catalog.csv", b"", "是空的", id="empty"),
        pytest.param("catalog.csv", b"\n\n,,,\n", "是空的", id="only-blank-lines"),
        pytest.param("catalog.csv", ",".join(HEADERS).encode() + b"\n", "只有表头", id="header-only"),
        pytest.param("catalog.csv", b"\xff\xfe\xff\xff", "无法识别", id="undecodable"),
        pytest.param("catalog.xlsx", b"not a zip", "不是有效的 .xlsx 文件", id="broken-xlsx"),
    ],
)
def test_unusable_files_raise(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(InputFileError, match=message) as raised:
        read_catalog(path, PROFILES)
    assert raised.value.context["path"] == path


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="找不到目录文件“nothing.csv”，请检查文件路径"):
        read_catalog(tmp_path / "nothing.csv", PROFILES)


# --- the row model and speed -----------------------------------------------------------------


def test_row_model_keeps_its_invariants() -> None:
    fields = {"code": "T", "title": "t", "profile": "bazhou", "decision_body": "b", "lead_unit": "u", "category": "c"}
    with pytest.raises(ValidationError, match="实施终止日早于实施起始日"):
        CatalogRow(**fields, starts_on=date(2024, 1, 2), ends_on=date(2024, 1, 1))
    with pytest.raises(ValidationError, match="同时填写"):
        CatalogRow(**fields, starts_on=date(2024, 1, 2), last_evaluation_type="final")
    with pytest.raises(ValidationError):
        CatalogRow(**fields, starts_on=date(2024, 1, 2), progress_percent=101)
    frozen = CatalogRow(**fields, starts_on=date(2024, 1, 2))
    with pytest.raises(ValidationError):
        frozen.code = "other"  # type: ignore[misc]


def test_ten_thousand_rows_parse_in_well_under_two_seconds(tmp_path: Path) -> None:
    profiles = sorted(PROFILES)
    rows = [
        row(
            **{
                "编号": f"G-{n:05d}",
                "规则": profiles[n % len(profiles)],
                "实施起始日": f"20{10 + n % 15}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                "实施终止日": "" if n % 3 else "2040/12/31",
                "执行进度": "" if n % 4 else f"{n % 101}%",
                "最近评估类型": "" if n % 5 else "一般程序",
                "最近评估完成日": "" if n % 5 else "2025年1月15日",
            }
        )
        for n in range(10_000)
    ]
    rows[9_999]["执行进度"] = "abc"
    path = write_csv(tmp_path / "catalog.csv", rows)

    started = time.perf_counter()
    parsed = read_catalog(path, PROFILES)
    elapsed = time.perf_counter() - started

    assert elapsed < 2.0
    assert parsed.total_rows == 10_000
    assert len(parsed.rows) == 9_999
    assert parsed.bad_rows == [10_001]
