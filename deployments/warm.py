"""Imported once by the serving process's fork server (deployments/serve.py): whatever every flow run
would otherwise set up again on its first step is set up here, and each forked run inherits it."""

import logging

from sqlalchemy.orm import configure_mappers

import pinggu.models.agencies
import pinggu.models.tables  # noqa: F401  (with pinggu.models.agencies: every table mapped before the mappers are configured)
from pinggu.reporting import pdf
from pinggu.rules.profiles import load_profiles

configure_mappers()  # the ORM's first query would otherwise configure every mapper (~50 ms a run)
load_profiles()  # read and validated once, not in every run's first transaction

try:
    # Templates compiled, the CJK fonts opened and WeasyPrint's and python-docx's first-use work done here
    # (~0.1–0.2 s of each report step's render otherwise).
    pdf.warm_up()
except Exception:  # a fork server that failed its preload would start no run at all; a cold render still works
    logging.getLogger(__name__).warning("报告渲染预热失败，报告将在首次生成时加载字体和模板", exc_info=True)
