"""`pinggu`: the operator's command line, one module per command group; `app` is the entry point."""

from pinggu.cli.main import app

__all__ = ["app"]
