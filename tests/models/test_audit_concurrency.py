"""The audit chain stays intact when several processes append at once (flow runs run side by side)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

WRITER = textwrap.dedent("""
    import sys
    from pinggu.models import audit
    from pinggu.models.db import transaction
    for n in range(40):
        transaction(lambda session: audit.record(session=session, action="concurrency_probe", writer=sys.argv[1], n=n))
""")


def test_chain_survives_concurrent_writers(settings):
    from pinggu.models.audit import verify_chain
    from pinggu.models.db import read_session

    with read_session() as session:  # the schema exists before the writers start
        verify_chain(session=session)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(i)]) for i in range(4)]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0, 0]
    with read_session() as session:
        assert verify_chain(session=session) is None
