"""Imported once by the serving process's fork server (deployments/serve.py) and a worker's warm server
(deployments/warm_worker.py): whatever every flow run would otherwise set up again is set up here, and each forked
run inherits it.

Measured in the flow runs' own profile (py-spy on the serving process and its runs, 2026-12-08): besides rendering,
a resume spent its CPU on six TLS contexts, each loading certifi's certificate bundle (one per Prefect client, even
for a plain-HTTP API), on modules its first task imports, and on the name tagger's dictionary, which the minutes
gate loads to mask personal names (1–6 s a run that receives minutes); and each run's process lingered up to a
second after its run had ended, waiting for its heartbeat thread (pinggu.deployments.heartbeats).
"""

import gc
import logging
from typing import Any

from sqlalchemy.orm import configure_mappers

import pinggu.models.agencies
import pinggu.models.tables  # noqa: F401  (with pinggu.models.agencies: every table mapped before the mappers are configured)
from pinggu.analysis import names
from pinggu.deployments.heartbeats import stop_heartbeats_at_once
from pinggu.deployments.shared_tls import share_certificate_contexts
from pinggu.reporting import pdf
from pinggu.rules.profiles import load_profiles

logger = logging.getLogger(__name__)

# Imported by every run on its first task, state change or database session rather than when the flows are imported.
RUN_TIME_MODULES = [
    "prefect.task_engine",
    "prefect.utilities.visualization",
    "prefect._internal.observers",
    "prefect._flow_run_suspension",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.postgresql.psycopg",
    "encodings.idna",
]


def _warm(what: str, work: Any) -> None:
    """Do `work` now; if it fails, say so and let each run do it cold (a fork server whose preload failed starts none)."""
    try:
        work()
    except Exception:
        logger.warning("预热失败（%s），各次运行将在首次使用时再加载", what, exc_info=True)


def _import_run_time_modules() -> None:
    import importlib

    for name in RUN_TIME_MODULES:
        importlib.import_module(name)


configure_mappers()  # the ORM's first query would otherwise configure every mapper (~50 ms a run)
load_profiles()  # read and validated once, not in every run's first transaction
_warm("TLS 证书", share_certificate_contexts)
_warm("心跳线程", stop_heartbeats_at_once)
_warm("运行时模块", _import_run_time_modules)
# Templates compiled, the CJK fonts opened and WeasyPrint's and python-docx's first-use work done here
# (~0.1–0.2 s of each report step's render otherwise).
_warm("报告渲染", pdf.warm_up)
_warm("人名识别词典", names.warm_up)
# What is here now is only read by the runs: kept out of the collector's sweeps, its pages stay shared with every
# forked run instead of being copied into each when the collector touches them.
gc.freeze()
