"""Every deployment of the product, and the process that serves them (`python -m deployments.serve`).

One flow, `post-evaluation`, serves all five evaluation types; each deployment presets the type.
Serving keeps no process per evaluation: a suspended run holds nothing; when it is resumed the
server reschedules it and this process picks it up again.
"""

from __future__ import annotations

from pinggu.settings import configure_prefect_environment

configure_prefect_environment()

from prefect import serve  # noqa: E402  (after the environment points Prefect at our server)
from prefect.utilities.annotations import freeze  # noqa: E402

from flows.post_evaluation import post_evaluation  # noqa: E402
from rules.vocabulary import EVALUATION_TYPE_NAMES  # noqa: E402

DESCRIPTIONS = {
    "ordinary": "一般程序后评估（含执行满一年的执行评估）：方案审定、材料提交、专家论证、决策机关审定。",
    "simplified": "简易程序后评估：不另设方案审定，只选一种方法（座谈会、问卷调查、意见征询或论证会），形成报告后报决策机关审定。",
    "midterm": "中期评估：执行期限五年以上的规划、政策在期限或进度过半时评估，报告说明实施以来的效果、问题和建议。",
    "final": "终期评估：执行期限五年以上的规划、政策、改革事项执行结束后评估，报告总结经验、不足和教训。",
    "ningxia_90day": "九十日评估（宁夏商务厅）：厅决策机关决定开展之日起九十日内完成，完成后十五日内提请审议。",
}


def _chinese_titles(deployment):
    """Title each run-form field with the Chinese name its docstring gives (“决策编号：说明” → 决策编号 + 说明).

    Prefect titles top-level parameters with their Python names; the descriptions are already Chinese.
    """
    for field in deployment._parameter_openapi_schema.properties.values():
        title, sep, explanation = (field.get("description") or "").partition("：")
        if sep:
            field["title"], field["description"] = title, explanation
    return deployment


def deployments() -> list:
    """The deployments this product serves: one per evaluation type, the type fixed (read-only in the form)."""
    return [
        _chinese_titles(
            post_evaluation.to_deployment(
                name=evaluation_type,
                description=DESCRIPTIONS[evaluation_type] + "在 Prefect 界面点击 Run 填写决策编号和评估小组即可启动。",
                parameters={"evaluation_type": freeze(type_name)},
                tags=["后评估", type_name],
            )
        )
        for evaluation_type, type_name in EVALUATION_TYPE_NAMES.items()
    ]


def main() -> None:
    """Serve every deployment until stopped."""
    serve(*deployments(), limit=8, print_starting_message=False)


if __name__ == "__main__":
    main()
