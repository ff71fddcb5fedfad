"""The public comment page under load (issue 33; goal: 50 submissions a second, none lost).

Starts the web app as `pinggu up` does (`python -m pinggu.web`, its own process, SQLite in a throwaway home,
the per-address limit lifted for the bench), opens a comment period, then SENDERS threads each open the
public page (a session and its CSRF token, as a browser does) and post opinions as fast as the app answers,
for COUNT submissions in all. Prints the rate beside its goal, and checks that the register holds exactly
the opinions whose receipts came back (none lost, none twice).

Measured on 2026-12-07 (two cores, a full test run going on beside it): 300 submissions from 6 senders in
4.7 s, 64.4 a second (goal ≥ 50); 300 registered, 300 receipts, none lost.

Usage: .venv/bin/python bench/bench_public_comments.py [COUNT] [SENDERS]
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HOME = Path(tempfile.mkdtemp(prefix="pinggu-bench-comments-"))
os.environ["PINGGU_HOME"] = str(HOME)  # before anything reads the settings
os.environ["PINGGU_PUBLIC_COMMENTS_PER_MINUTE"] = "100000"  # one address sends everything here

GOAL_PER_SECOND = 50.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _send(base: str, window: int, count: int, sender: int) -> list[str]:
    import httpx

    receipts = []
    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get(f"/public/comments/{window}").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        for n in range(count):
            nonce = f"bench-{sender}-{n}"
            answer = client.post(
                f"/public/comments/{window}",
                data={"csrf_token": token, "form_nonce": nonce, "opinion": f"第{sender}组第{n}条：希望加快施工进度"},
            )
            found = re.search(r'id="receipt">([^<]+)<', answer.text)
            if answer.status_code != 200 or not found:
                raise SystemExit(f"提交失败：{answer.status_code} {answer.text[:200]}")
            receipts.append(found.group(1))
    return receipts


def main() -> None:
    """Run the bench and print each figure beside its goal."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    senders = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    from sqlmodel import select

    from pinggu.models.db import read_session, transaction
    from pinggu.models.tables import Decision, PublicOpinion, now_beijing
    from pinggu.services.comments import open_window

    today = now_beijing().date()
    transaction(
        lambda session: session.add(
            Decision(code="BENCH-001", title="公开征集压力测试的决策", profile="minhang", decision_body="区政府",
                     lead_unit="区住房保障局", category="重大公共政策", decided_on=today - timedelta(days=400),
                     starts_on=today - timedelta(days=390))
        )
    )  # fmt: skip
    window = open_window("BENCH-001", "对施工进度的意见", today, today + timedelta(days=30), "基准测试")
    port = _free_port()
    environment = {**os.environ, "PINGGU_WEB_PORT": str(port)}
    server = subprocess.Popen([sys.executable, "-m", "pinggu.web"], env=environment, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=senders) as pool:
            batches = list(pool.map(lambda s: _send(base, window, count // senders, s), range(senders)))
        seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=20)
    receipts = [r for batch in batches for r in batch]
    with read_session() as session:
        stored = session.exec(select(PublicOpinion).where(PublicOpinion.decision_code == "BENCH-001")).all()
    rate = len(receipts) / seconds
    print(f"公开意见征集：{len(receipts)} 条，{senders} 个并发，用时 {seconds:.1f} 秒")
    print(f"  每秒提交 {rate:.1f} 条（目标 ≥ {GOAL_PER_SECOND:.0f}）{'达标' if rate >= GOAL_PER_SECOND else '未达标'}")
    lost = {f"YJ{o.id:08d}" for o in stored} ^ set(receipts)
    print(f"  登记 {len(stored)} 条，回执 {len(set(receipts))} 个，不一致 {len(lost)} 条（目标 0）")
    if lost or len(stored) != len(receipts):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
