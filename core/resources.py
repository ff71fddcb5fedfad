"""Where the product's own files are: data shipped inside the `pinggu` package, read through importlib.resources.

Profiles, report templates, migrations, calendars, the rule register and the samples travel with the package
(pyproject.toml's package data), so an installed wheel finds them as a source checkout does, wherever it runs from.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from pinggu.core.errors import PingguError


def package_data(*parts: str) -> Path:
    """The file or folder `parts` inside the installed `pinggu` package, e.g. ``package_data("profiles")``."""
    resource = files("pinggu").joinpath(*parts)
    # Alembic, Jinja2's loader and WeasyPrint read real folders; pip installs the package as one, a zip import would not.
    if not isinstance(resource, Path):
        raise PingguError(f"pinggu 的程序文件不在文件系统上（{resource}）；请用 pip 安装到普通目录，不要从压缩包导入")
    return resource


def source_checkout() -> Path | None:
    """The source checkout pinggu runs from (its pyproject.toml beside the package), or None when installed."""
    checkout = package_data().parent
    return checkout if (checkout / "pyproject.toml").is_file() and (checkout / "tests").is_dir() else None
