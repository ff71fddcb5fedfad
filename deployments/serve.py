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

configure_prefect_environment()

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


# What a flow run imports before its first step: preloaded once into the fork server (below).
WARM_MODULES = [
    "prefect.flow_engine",
    "pinggu.flows.post_evaluation",
    "pinggu.flows.annual_plan",
    "pinggu.flows.deadline_watch",
    "pinggu.flows.recovery",
    "pinggu.flows.tracking",
    "pinggu.flows.supervision",
    "pinggu.flows.decision_procedure",
    "weasyprint",
    "pinggu.reporting.docx",
    "pinggu.analysis.survey_reading",
    "pinggu.analysis.survey_figures",
    "pinggu.analysis.opinions",
    "pinggu.deployments.warm",
]


def start_runs_from_a_warm_process() -> None:
    """Fork each flow run from a process that has already imported Prefect and the flows.

    Prefect's runner starts every flow run (and every resume of a suspended one) in a freshly
    spawned interpreter that imports Prefect and the product again: about 3 CPU-seconds of a
    resume's 6, which under load is what an operator waits for. A fork server with those modules
    preloaded starts the same run in milliseconds; the run itself is unchanged (its own process,
    environment and settings, as Prefect's `run_flow_in_subprocess` sets them up).
    """
    import multiprocessing
    import multiprocessing.forkserver

    import prefect.flow_engine

    fork_server = multiprocessing.get_context("forkserver")
    fork_server.set_forkserver_preload(WARM_MODULES)
    # Warm now, while `pinggu up` starts, not when the first operator's evaluation starts (~6 s cold).
    multiprocessing.forkserver.ensure_running()

    class _WarmMultiprocessing:
        """`multiprocessing` as prefect.flow_engine sees it: its "spawn" context is the fork server."""

        def __getattr__(self, name: str) -> Any:
            return getattr(multiprocessing, name)

        def get_context(self, method: str | None = None) -> Any:
            return fork_server if method == "spawn" else multiprocessing.get_context(method)

    # A stand-in for the module, on purpose: mypy wants a real module there.
    prefect.flow_engine.multiprocessing = _WarmMultiprocessing()  # type: ignore[assignment]


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

    from prefect.exceptions import TerminationSignal
    from prefect.runner import Runner

    start_runs_from_a_warm_process()
    settings = get_settings()
    # A float below Prefect's whole-second setting (PREFECT_RUNNER_POLL_FREQUENCY): a resumed run waits for
    # this poll before it starts again.
    runner = Runner(limit=settings.serve_limit, query_seconds=settings.poll_seconds)
    flows = {
        flow.name: flow
        for flow in (annual_plan, deadline_watch, post_evaluation, recovery, tracking, supervision, decision_procedure)
    }
    for deployment in deployments():
        deployment_id = runner.add_deployment(deployment)
        assert isinstance(deployment_id, UUID)  # called from sync code, add_deployment runs synchronously
        # As Runner.add_flow does: the runner then starts a run from this flow object in a forked
        # process (run_flow_in_subprocess) instead of `python -m prefect.engine`, which would
        # import everything again.
        runner._deployment_registry.register_flow(deployment_id, flows[deployment.flow_name])
    ensure_recovery_automations_or_say_why()
    with contextlib.suppress(KeyboardInterrupt, TerminationSignal):
        asyncio.run(runner.start())


if __name__ == "__main__":
    main()
