"""`python -m pinggu.web`: serve the web app (started in the background by `pinggu up`)."""

from __future__ import annotations

import uvicorn

from pinggu.core.settings import configure_prefect_environment, get_settings


def main() -> None:
    """Serve the web app on the Prefect server's host and PINGGU_WEB_PORT."""
    settings = get_settings()
    configure_prefect_environment(settings)
    from pinggu.web.app import create_app

    uvicorn.run(create_app(), host=settings.prefect_host, port=settings.web_port, log_level="warning")


if __name__ == "__main__":
    main()
