"""Every deployment on a process work pool, for Prefect workers on as many machines as needed
(`python -m pinggu.deployments.workpool [POOL]`; `pinggu up --workers N` does it and starts N local workers).

The same deployments as `pinggu.deployments.serve` — names, schedules, parameters, Chinese forms — but
named by module path (`pinggu.flows.post_evaluation.post_evaluation`), so a worker runs them from the
pinggu package installed on its machine, from any working directory. A suspended run that is
resumed goes back to the pool, and whichever worker asks first runs it on.
"""

from __future__ import annotations

import contextlib
import sys
from uuid import UUID

from pinggu.core.settings import configure_prefect_environment

configure_prefect_environment()

from prefect import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.deployments.runner import EntrypointType
from prefect.exceptions import ObjectAlreadyExists

from pinggu.deployments.serve import deployments
from pinggu.services.recovery import ensure_recovery_automations

WORK_POOL = "pinggu"
# Each run starts as `python -m pinggu.deployments.warm_run` (the `python` first on the worker's PATH, which
# `pinggu up --workers` and `pinggu worker` make the installation's own): a client of the worker's warm
# server that starts in milliseconds, the run itself forked from a process that has imported Prefect and
# the flows (pinggu.deployments.warm_worker). Without a command, Prefect's process worker (3.8, 3.9) starts a
# workspace supervisor that starts the engine: two cold interpreters a resume.
JOB_VARIABLES = {"command": "python -m pinggu.deployments.warm_run"}


def ensure_work_pool(name: str = WORK_POOL) -> None:
    """Create the process work pool `name` unless it exists."""
    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):
        client.create_work_pool(
            WorkPoolCreate(name=name, type="process", description="pinggu 后评估：各评估、年度计划和期限巡查的运行")
        )


def deploy_to_work_pool(name: str = WORK_POOL) -> list[UUID]:
    """Create the pool if needed, (re)apply every deployment to it and the automations that continue crashed
    and silent runs; return the deployment ids."""
    ensure_work_pool(name)
    ids = []
    for deployment in deployments(entrypoint_type=EntrypointType.MODULE_PATH, job_variables=JOB_VARIABLES):
        deployment_id = deployment.apply(work_pool_name=name)
        assert isinstance(deployment_id, UUID)  # called from sync code, apply runs synchronously
        ids.append(deployment_id)
    ensure_recovery_automations()  # after the deployments: the continuation automation names recovery/on-crash
    return ids


if __name__ == "__main__":
    pool = sys.argv[1] if len(sys.argv) > 1 else WORK_POOL
    print(f"已部署到工作池 {pool}：{len(deploy_to_work_pool(pool))} 个部署")
