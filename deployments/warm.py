"""Imported once by the serving process's fork server (deployments/serve.py): whatever every flow run
would otherwise set up again on its first step is set up here, and each forked run inherits it."""

from sqlalchemy.orm import configure_mappers

import pinggu.models.agencies
import pinggu.models.tables  # noqa: F401  (with pinggu.models.agencies: every table mapped before the mappers are configured)
from pinggu.rules.profiles import load_profiles

configure_mappers()  # the ORM's first query would otherwise configure every mapper (~50 ms a run)
load_profiles()  # read and validated once, not in every run's first transaction
