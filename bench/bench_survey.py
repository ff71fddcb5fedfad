"""Time and peak memory of reading and summarising a very large questionnaire export.

Generates N responses (default 1,000,000) × 10 items — 7 satisfaction items (很满意…很不满意)
and 3 awareness items (是/否), about 3 % of answers left blank — plus 3 demographic columns
(性别, 年龄段, 职业) and a 问卷编号 column, as a UTF-8 CSV in a temporary directory. Then, in a
fresh Python process (so that generating the file does not count), runs
``read_survey`` + ``summarise_survey`` and reports the wall time and the process's peak
resident memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss``, KiB on Linux), and prints the
figures.

Targets: under 10 s and under 2 GB peak.

With ``--personal`` the export also has 姓名 and 手机号 columns and a free-text 意见 column
(a fifth filled in, some signed with the respondent's name and phone, some naming another
respondent), which exercises the E-PRIVACY masking of free text.

Usage: .venv/bin/python bench/bench_survey.py [ROWS] [--keep] [--personal]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 10.0
TARGET_BYTES = 2 * 1024**3

SATISFACTION = ["很满意", "满意", "一般", "不满意", "很不满意"]
SATISFACTION_WEIGHTS = [0.25, 0.35, 0.2, 0.12, 0.08]
DEMOGRAPHICS = {
    "性别": (["男", "女"], [0.51, 0.49]),
    "年龄段": (["18-29", "30-44", "45-59", "60及以上"], [0.22, 0.3, 0.28, 0.2]),
    "职业": (
        ["企业职工", "机关事业单位", "个体工商户", "自由职业", "学生", "退休人员", "农民"],
        [0.25, 0.1, 0.12, 0.15, 0.1, 0.18, 0.1],
    ),
}
BLANK_SHARE = 0.03


SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗") + ["欧阳", "司马", "上官"]
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华")


def generate(path: Path, rows: int, seed: int = 20260401, personal: bool = False) -> None:
    """Write the synthetic export (vectorised; a few seconds for a million rows)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {"问卷编号": pd.Series(np.arange(1, rows + 1)).map("R{:07d}".format)}
    if personal:
        surname = np.asarray(SURNAMES, dtype=object)[rng.integers(0, len(SURNAMES), rows)]
        given = np.asarray(GIVEN, dtype=object)[rng.integers(0, len(GIVEN), rows)]
        second = np.where(
            rng.random(rows) < 0.6, np.asarray(GIVEN, dtype=object)[rng.integers(0, len(GIVEN), rows)], ""
        )
        names = surname + given + second
        phones = pd.Series(rng.integers(13_000_000_000, 19_999_999_999, rows)).astype(str).to_numpy(dtype=object)
        columns["姓名"] = names
        columns["手机号"] = phones
    for name, (labels, weights) in DEMOGRAPHICS.items():
        columns[name] = np.asarray(labels, dtype=object)[rng.choice(len(labels), size=rows, p=weights)]

    def with_blanks(values: np.ndarray) -> np.ndarray:
        values = values.copy()
        values[rng.random(rows) < BLANK_SHARE] = ""
        return values

    items = [f"Q{i} 满意度" for i in range(1, 8)] + [f"Q{i} 是否知晓" for i in range(8, 11)]
    for name in items:
        if "满意度" in name:
            picked = np.asarray(SATISFACTION, dtype=object)[rng.choice(5, size=rows, p=SATISFACTION_WEIGHTS)]
        else:
            picked = np.where(rng.random(rows) < 0.7, "是", "否").astype(object)
        columns[name] = with_blanks(picked)
    if personal:
        kind = rng.integers(0, 10, rows)
        others = np.roll(names, 1)
        comment = np.full(rows, "", dtype=object)
        comment[kind == 0] = "希望加大宣传力度"
        comment[kind == 1] = "办理流程较复杂，建议简化"
        signed = kind == 2
        comment[signed] = "我是" + names[signed] + "，电话" + phones[signed] + "，希望尽快答复"
        mention = kind == 3
        comment[mention] = "同意" + others[mention] + "的意见"
        columns["意见"] = comment
    pd.DataFrame(columns).to_csv(path, index=False, encoding="utf-8")


def measure(path: Path) -> dict:
    """Run in the fresh process: read + summarise, timed; peak RSS of this process."""
    import resource

    from pinggu.analysis.survey_figures import summarise_survey
    from pinggu.analysis.survey_reading import read_survey

    started = time.perf_counter()
    frame = read_survey(path)
    read_seconds = time.perf_counter() - started
    figures = summarise_survey(frame)
    total_seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "read_seconds": round(read_seconds, 3),
        "summarise_seconds": round(total_seconds - read_seconds, 3),
        "total_seconds": round(total_seconds, 3),
        "peak_rss_kib": peak_kib,
        "figures": figures.to_dict(),
    }


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if args and args[0] == "measure":
        print(json.dumps(measure(Path(args[1])), ensure_ascii=False))
        return 0
    rows = int(args[0]) if args else 1_000_000
    keep = "--keep" in sys.argv
    personal = "--personal" in sys.argv
    workdir = Path(tempfile.mkdtemp(prefix="pinggu-bench-survey-"))
    path = workdir / "survey.csv"
    started = time.perf_counter()
    generate(path, rows, personal=personal)
    print(f"生成 {rows:,} 份答卷（{path.stat().st_size / 1024**2:.0f} MiB）：{time.perf_counter() - started:.1f} s")

    done = subprocess.run([sys.executable, __file__, "measure", str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        return done.returncode
    result = json.loads(done.stdout)
    figures = result.pop("figures")
    peak_bytes = result["peak_rss_kib"] * 1024
    print(f"read_survey       {result['read_seconds']:7.2f} s")
    print(f"summarise_survey  {result['summarise_seconds']:7.2f} s")
    print(f"合计              {result['total_seconds']:7.2f} s   （目标 < {TARGET_SECONDS:.0f} s）")
    print(f"峰值内存          {peak_bytes / 1024**2:7.0f} MiB （目标 < {TARGET_BYTES / 1024**3:.0f} GiB）")
    print(
        json.dumps(
            {k: figures[k] for k in ("respondents", "awareness_rate", "satisfaction_rate", "satisfaction_mean")},
            ensure_ascii=False,
        )
    )
    for item in figures["items"]:
        print(
            f"  {item['question']:<10} {item['kind']:<12} n={item['n']:>7}  rate={item['rate']:.4f}  "
            f"ci95={item['ci95']}  mean={item['mean']}"
        )
    if keep:
        print(f"文件保留在 {path}")
    else:
        path.unlink()
        workdir.rmdir()
    ok = result["total_seconds"] < TARGET_SECONDS and peak_bytes < TARGET_BYTES
    print("达标" if ok else "未达标")
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
