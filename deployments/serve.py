"""Every deployment of the product, and the process that serves them (`python -m deployments.serve`).

Serving keeps no process per evaluation: a suspended run holds nothing; when it is resumed the
server reschedules it and this process picks it up again.
"""

from __future__ import annotations

from pinggu.settings import configure_prefect_environment

configure_prefect_environment()

from prefect import serve  # noqa: E402  (after the environment points Prefect at our server)

from flows.ordinary import ordinary_evaluation  # noqa: E402


def deployments() -> list:
    """The deployments this product serves."""
    return [
        ordinary_evaluation.to_deployment(
            name="ordinary",
            description="一般程序后评估：在 Prefect 界面点击 Run 填写决策编号和评估小组即可启动。",
            tags=["后评估", "一般程序"],
        ),
    ]


def main() -> None:
    """Serve every deployment until stopped."""
    serve(*deployments(), limit=8, print_starting_message=False)


if __name__ == "__main__":
    main()
