"""docs/api.md names every endpoint of the schema, and the permission table every URL."""

from __future__ import annotations

import re
from pathlib import Path

from jixiao.api.main import api

DOC = (Path(__file__).resolve().parents[3] / "docs" / "api.md").read_text(encoding="utf-8")


def test_every_endpoint_is_in_docs_api_md() -> None:
    schema = api.get_openapi_schema(path_prefix="/api/")
    documented = set(re.findall(r"`(GET|POST|PUT|PATCH|DELETE) (/api/[^`?\s]*)", DOC))
    wanted = set()
    for path, methods in schema["paths"].items():
        # The docs name ids as {id}; the schema calls them {pk}.
        shown = path.replace("{pk}", "{id}")
        wanted |= {(method.upper(), shown) for method in methods}
    assert sorted(wanted - documented) == []
    assert sorted(documented - wanted) == []
