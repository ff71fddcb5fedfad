"""A text field whose values come from a registry: `Annotated[str, OneOf(values)]`.

pydantic validates it and describes it exactly as it does a `Literal` of the same values (the same
`literal_error` refusal, the same JSON schema `{"enum": [...], "type": "string"}` that Prefect's run
form and the profile messages read), while mypy sees `str`, which is what the field holds. A `Literal`
built from a registry at run time is a type mypy cannot evaluate, and writing the values out again as a
static `Literal` would register them twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema


@dataclass(frozen=True, init=False)
class OneOf:
    """The values a text field allows, in the order a form offers them."""

    values: tuple[str, ...]

    def __init__(self, values: Iterable[str]) -> None:
        object.__setattr__(self, "values", tuple(values))

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        """The core schema of `Literal[*values]`, so validation and JSON schema are a Literal's."""
        return core_schema.literal_schema(list(self.values))
