"""The API documentation as a plain page, rendered on the server from the OpenAPI schema.

Swagger UI and Redoc are JavaScript applications; our Content-Security-Policy forbids every script
(``script-src 'none'``) and our pages work with JavaScript off. Rather than relax that policy for one
page (and ship a JavaScript bundle to a staff laptop that may be seized), this page lists each
operation, its parameters, request body and responses from the same schema that ``/api/schema/``
serves to tools. Nothing is fetched from anywhere else.
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from drf_spectacular.generators import SchemaGenerator

_METHODS = ("get", "post", "put", "patch", "delete")


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _type(schema: dict | None) -> str:
    """A one-line description of a schema: `Person`, `array of Task`, `string (uuid)`."""
    if not schema:
        return ""
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    if schema.get("type") == "array":
        return f"array of {_type(schema.get('items'))}"
    if "allOf" in schema or "oneOf" in schema:
        return " | ".join(_type(s) for s in schema.get("allOf", schema.get("oneOf", [])))
    kind = schema.get("type", "object")
    extra = schema.get("format") or (", ".join(map(str, schema["enum"])) if "enum" in schema else "")
    return f"{kind} ({extra})" if extra else kind


def _body(content: dict | None) -> str:
    if not content:
        return ""
    media = content.get("application/json") or next(iter(content.values()), {})
    return _type(media.get("schema"))


def describe(schema: dict) -> dict:
    operations = []
    for path, item in sorted(schema.get("paths", {}).items()):
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            operations.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "id": op.get("operationId", ""),
                "parameters": [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                                "type": _type(p.get("schema")), "description": p.get("description", "")}
                               for p in op.get("parameters", [])],
                "request": _body((op.get("requestBody") or {}).get("content")),
                "responses": [{"code": code, "description": r.get("description", ""), "body": _body(r.get("content"))}
                              for code, r in sorted(op.get("responses", {}).items())],
            })
    components = []
    for name, component in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(component.get("required", []))
        components.append({"name": name, "fields": [
            {"name": field, "type": _type(spec), "required": field in required,
             "read_only": spec.get("readOnly", False), "description": spec.get("description", "")}
            for field, spec in component.get("properties", {}).items()]})
    return {"info": schema.get("info", {}), "operations": operations, "components": components}


@never_cache
@login_required
def docs_view(request):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return render(request, "api/docs.html", describe(schema))
