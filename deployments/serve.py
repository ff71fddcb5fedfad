"""Every deployment of the product, and the process that serves them (`python -m pinggu.deployments.serve`).

One flow, `post-evaluation`, serves all five evaluation types; each deployment presets the type.
Serving keeps no process per evaluation: a suspended run holds nothing; when it is resumed the
server reschedules it and this process picks it up again.
"""

from __future__ import annotations

import contextlib
from typing import Any
from uuid import UUID

from pinggu.core.settings import configure_prefect_environment, get_settings
from pinggu.deployments.fork_server import start_fork_server, start_runs_from_the_fork_server

configure_prefect_environment()
if __name__ == "__main__":
    # The fork server preloads what every run imports while this process imports the flows for itself: on two cores
    # the first run no longer waits for the two one after the other.
    start_fork_server()

from prefect.schedules import Cron
from prefect.utilities.annotations import freeze

from pinggu.flows.annual_plan import annual_plan
from pinggu.flows.deadline_watch import deadline_watch
from pinggu.flows.decision_procedure import decision_procedure
from pinggu.flows.post_evaluation import post_evaluation
from pinggu.flows.recovery import recovery
from pinggu.flows.supervision import supervision
from pinggu.flows.tracking import tracking
from pinggu.rules.profiles import load_profiles
from pinggu.rules.vocabulary import EVALUATION_TYPES


def _chinese_titles(deployment):
    """Title each run-form field with the Chinese name its docstring gives (“决策编号：说明” → 决策编号 + 说明).

    Prefect titles top-level parameters with their Python names; the descriptions are already Chinese.
    """
    for field in deployment._parameter_openapi_schema.properties.values():
        title, sep, explanation = (field.get("description") or "").partition("：")
        if sep:
            field["title"], field["description"] = title, explanation
    return deployment


TIMEZONE = "Asia/Shanghai"


def deployments(**options: Any) -> list:
    """The deployments this product serves: the yearly plan (5 January), the daily deadline watch
    (08:00 Beijing time), monthly tracking (the 1st, 09:00), supervision rounds, the continuation of crashed
    evaluations (started by the server's automation), and one per evaluation type (the type fixed, read-only in the form).
    `options` go to every `to_deployment` (pinggu.deployments.workpool names the flows by module path). The three
    scheduled ones are deployed paused (run only on demand) when PINGGU_SCHEDULES is false."""
    paused = not get_settings().schedules
    return (
        [
            _chinese_titles(
                annual_plan.to_deployment(
                    name="yearly",
                    description="年度评估计划：每年 1 月 5 日 9:00（北京时间）按决策目录和评估情形编制当年计划，经审定后逐项启动评估（已启动的不重复启动）；也可随时手动运行，并可只计划某一规则（辖区）的决策；填写决策编号则只为该项决策编制专项计划（执行中出现较大争议或风险时须及时评估）。",
                    schedule=Cron("0 9 5 1 *", timezone=TIMEZONE),
                    paused=paused,
                    tags=["年度计划"],
                    **options,
                )
            ),
            _chinese_titles(
                deadline_watch.to_deployment(
                    name="daily",
                    description="期限巡查：每日 8:00（北京时间）查找临期和逾期的阶段、审批环节、法定期限、后续措施、跟踪反馈报告、时间节点和督查整改事项，记录并发送提醒，更新评估总览和跟踪督查总览；也可随时手动运行。",
                    schedule=Cron("0 8 * * *", timezone=TIMEZONE),
                    paused=paused,
                    tags=["期限巡查"],
                    **options,
                )
            ),
            _chinese_titles(
                tracking.to_deployment(
                    name="monthly",
                    description="跟踪反馈：每月 1 日 9:00（北京时间）按跟踪反馈工作方案请各决策承办单位报送上一期跟踪反馈报告（周期和报送期限按适用的规定），生成已报送报告的 PDF 和 Word，更新跟踪督查总览；也可随时手动运行。",
                    schedule=Cron("0 9 1 * *", timezone=TIMEZONE),
                    paused=paused,
                    tags=["跟踪反馈"],
                    **options,
                )
            ),
            recovery.to_deployment(
                name="on-crash",
                description="续办中断的评估：评估的流程运行中断（Crashed，包括超过 PINGGU_ZOMBIE_MINUTES 分钟无心跳被标记中断的）时，由 Prefect 自动化自动启动，在同一部署上续办，已完成的步骤不重做；同一评估一天内至多自动续办三次。也可随时手动运行（同 pinggu recover）。",
                tags=["续办"],
                **options,
            ),
            _chinese_titles(
                supervision.to_deployment(
                    name="round",
                    description="督查：记录一次督查（书面督查、听取汇报、实地督查或网上信息核查）的情况，形成书面督查报告；督查结论中要求整改的事项由责任单位限期整改并书面报告，逐项审核后办结。也可用 pinggu supervision start 从文件启动。",
                    tags=["督查"],
                    **options,
                )
            ),
        ]
        + [
            _chinese_titles(
                decision_procedure.to_deployment(
                    name=profile_id,
                    description=f"重大行政决策的作出（{profile.name}）：决策启动和目录、公众参与、专家论证、风险评估、合法性审查、集体讨论决定、决策公布，每一步由规定的单位和人员登录网页办理（决策程序页面），按《{profile.title}》审查后记录；在此界面填写的内容不作为办理记录；公布后写入决策目录及其实施后评估计划，年度评估计划据此列入。",
                    parameters={"profile": freeze(profile_id)},
                    tags=["决策程序"],
                    **options,
                )
            )
            for profile_id, profile in load_profiles().items()
            if profile.decision_procedure is not None
        ]
        + [
            _chinese_titles(
                post_evaluation.to_deployment(
                    name=spec.id.value,
                    description=spec.description + "在 Prefect 界面点击 Run 填写决策编号和评估小组即可启动。",
                    parameters={"evaluation_type": freeze(spec.name)},
                    tags=["后评估", spec.name],
                    **options,
                )
            )
            for spec in EVALUATION_TYPES.values()
        ]
    )


def wait_for_the_server(api_url: str, seconds: float = 120) -> None:
    """Wait until the Prefect server answers: `pinggu up` starts this process beside the server, not after it."""
    import time

    from pinggu.core.settings import server_healthy

    deadline = time.monotonic() + seconds
    while not server_healthy(api_url):
        if time.monotonic() > deadline:
            raise SystemExit(f"Prefect 服务 {api_url} 在 {seconds:.0f} 秒内未应答，部署服务进程退出")
        time.sleep(0.2)


def ensure_recovery_automations_or_say_why() -> None:
    """Create or update the zombie and continuation automations (pinggu.services.recovery); a failure is printed
    into this process's log and does not stop it: the deadline watch's sweep remains the backstop."""
    from pinggu.services.recovery import ensure_recovery_automations

    try:
        outcome = ensure_recovery_automations()
    except Exception as error:  # the server refusing must not stop the runs from being served
        print(f"未能创建中断运行的自动化（续办仍由每日期限巡查和 pinggu recover 完成）：{error}", flush=True)
        return
    print("；".join(f"{name}：{what}" for name, what in outcome.items()), flush=True)


def main() -> None:
    """Serve every deployment until stopped, each flow run in its own process forked from a warm one."""
    import asyncio

    from prefect.deployments.runner import EntrypointType
    from prefect.exceptions import TerminationSignal
    from prefect.runner import Runner

    start_runs_from_the_fork_server()
    settings = get_settings()
    wait_for_the_server(settings.resolved_prefect_api_url)
    # A float below Prefect's whole-second setting (PREFECT_RUNNER_POLL_FREQUENCY): a resumed run waits for
    # this poll before it starts again.
    runner = Runner(limit=settings.serve_limit, query_seconds=settings.poll_seconds)
    flows = {
        flow.name: flow
        for flow in (annual_plan, deadline_watch, post_evaluation, recovery, tracking, supervision, decision_procedure)
    }
    # Named by module path, as on a work pool: the served process runs wherever PINGGU_HOME is, installed or not.
    for deployment in deployments(entrypoint_type=EntrypointType.MODULE_PATH):
        deployment_id = runner.add_deployment(deployment)
        assert isinstance(deployment_id, UUID)  # called from sync code, add_deployment runs synchronously
        # As Runner.add_flow does: the runner then starts a run from this flow object in a forked
        # process (run_flow_in_subprocess) instead of `python -m prefect.engine`, which would
        # import everything again.
        runner._deployment_registry.register_flow(deployment_id, flows[deployment.flow_name])
    ensure_recovery_automations_or_say_why()
    with contextlib.suppress(KeyboardInterrupt, TerminationSignal):
        asyncio.run(serve_until_stopped(runner))


async def serve_until_stopped(runner: Any) -> None:
    """Run the runner, and have it start a run the moment the server announces it due, or a process ends while an
    announced run waits (pinggu.deployments.due_runs)."""
    import anyio

    from pinggu.deployments.due_runs import DueRuns, start_runs_when_they_become_due

    due = DueRuns()
    async with anyio.create_task_group() as group:

        async def run_then_stop_listening() -> None:
            await runner.start()
            group.cancel_scope.cancel()

        group.start_soon(run_then_stop_listening)
        if not get_settings().start_on_events:
            return
        while not runner.started:  # its poller, client and task groups exist once it has started
            await anyio.sleep(0.05)
        report_processes_to(runner._scheduled_run_poller, due)

        async def start(run_ids: list[UUID]) -> None:
            due.forget(await start_announced_runs(runner, run_ids))

        group.start_soon(lambda: start_runs_when_they_become_due(start, due=due))


async def start_announced_runs(runner: Any, run_ids: list[UUID]) -> list[UUID]:
    """Hand the runner those of `run_ids` it serves that are scheduled and due now, read in one call; return the ids
    that are not its to start now (another deployment's, or due later).

    What the runner's own poll does with what it reads (`ScheduledRunPoller._submit_scheduled_flow_runs`: skip a run
    it is submitting, take a slot, start the process), without its query of the deployments' scheduled runs, which
    the server records as each deployment polled: a write that, at every announcement, locked an SQLite server.
    A run not yet read as scheduled (its announcement came before its commit) stays waiting.
    """
    from datetime import UTC, datetime, timedelta

    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    poller = runner._scheduled_run_poller
    if poller.stopping:
        return []
    runs = await poller._client.read_flow_runs(
        flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=run_ids),
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])),
        ),
        limit=len(run_ids),
    )
    served = set(runner._deployment_registry.get_deployment_ids())
    due_before = datetime.now(UTC) + timedelta(seconds=int(poller._prefetch_seconds))
    mine = [
        run
        for run in runs
        if run.deployment_id in served
        and (run.next_scheduled_start_time is None or run.next_scheduled_start_time <= due_before)
    ]
    if mine:
        await poller._submit_scheduled_flow_runs(flow_run_response=mine, task_group=poller._runs_task_group)
    started = {run.id for run in mine}
    return [run.id for run in runs if run.id not in started]


def report_processes_to(poller: Any, due: Any) -> None:
    """Tell `due` when the runner's poller takes up a run and when that run's process has ended.

    `ScheduledRunPoller._submit_run` starts one run's process and returns when it has ended; the poller skips a run
    while its previous process is still under way, so a run resumed in the meantime waits for the next poll.
    """
    submit = poller._submit_run

    async def submit_and_report(flow_run: Any, *args: Any, **kwargs: Any) -> None:
        due.taken(flow_run.id)
        try:
            await submit(flow_run, *args, **kwargs)
        finally:
            due.process_ended()

    poller._submit_run = submit_and_report


if __name__ == "__main__":
    main()
