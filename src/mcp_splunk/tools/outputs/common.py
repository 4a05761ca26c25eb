"""What many results share: the base model, the paging envelope, truncation notes, ACL fields."""

from __future__ import annotations

import functools
from typing import Any, Literal

from fastmcp.utilities.json_schema import compress_schema
from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, SkipJsonSchema
from pydantic_core import core_schema

# A value passed on as splunkd sent it: a string, a number, a list or null, depending on the endpoint and version.
SplunkValue = Any
Row = dict[str, Any]
# ``X | Omitted = None``: a key the result leaves out when it does not apply (never null, so the schema says X).
Omitted = SkipJsonSchema[None]


class Result(BaseModel):
    # Every key a result may carry is declared, so the published schema is exact (additionalProperties: false).
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class _OutputSchema(GenerateJsonSchema):
    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])  # a result has no defaults: its keys are there or left out


@functools.cache
def output_schema(model: type[Result]) -> dict[str, Any]:
    """The MCP ``outputSchema`` of ``model``: an object schema with references inlined (some clients cannot follow
    them), without titles or defaults (they only add tokens to every ``tools/list``)."""
    schema = model.model_json_schema(mode="serialization", schema_generator=_OutputSchema)
    return compress_schema(schema, prune_titles=True, dereference=True)


class Paging(Result):
    offset: int
    count: int
    total: int
    has_more: bool
    next_offset: int | None


class Truncation(Result):
    # Fewer rows than asked for: why, how many, and how to get the rest (``hint``).

    reason: Literal["output_limit", "row_limit"]
    rows_returned: int
    rows_available: int
    hint: str


class Acl(Result):
    app: str | None
    owner: str | None
    sharing: str | None


class Listing(Result):
    paging: Paging
    truncated: Truncation | Omitted = None
