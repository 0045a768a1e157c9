"""The OpenAPI schema says which errors each operation can answer, in the API's one error shape.

One drf-spectacular postprocessing hook, so no view has to repeat them: every error goes through
``rollout.errors.api_exception_handler`` (or the 400/500/503 handlers, which use the same shape), and which
statuses an operation can meet follows from what it takes:

- 400: a request body or query parameters (invalid values, an oversized body);
- 401: every operation (missing or bad credentials; ``WWW-Authenticate: Token``);
- 403: every operation (the role may not do this; a session call without its CSRF token);
- 404: any parameter (an object that is not there or not in the caller's scope, a path that names no
  object, a page number past the end);
- 415: a request body in a content type the operation does not read (or a body its parser cannot split);
- 500: every operation (an unexpected error: a bug; the 500 handler answers in the same shape);
- 503: every operation (the database is briefly unavailable; ``Retry-After``).

A view names any other status it answers with ``OpenApiResponse(description=...)`` and no body (e.g. 429 on
the token sign-in); the hook gives it the error shape.
"""

from __future__ import annotations

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error: a message for people (Vietnamese), and details for programs.",
    "properties": {
        "message": {"type": "string"},
        "extra": {
            "type": "object",
            "additionalProperties": True,
            "description": "fields: messages per field (``0.phone`` for the first item of a list); "
            "code and index where a view gives them.",
        },
    },
    "required": ["message", "extra"],
}
RETRY_AFTER = {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}
DESCRIPTIONS = {
    "400": "The request is not valid (see extra.fields).",
    "401": "Missing or bad credentials.",
    "403": "Signed in, but not allowed to do this.",
    "404": "Not found, or not in the caller's scope.",
    "415": "The body's content type is not one the operation reads.",
    "429": "Too many requests.",
    "500": "An unexpected error on the server.",
    "503": "The system is briefly unavailable: try again after Retry-After seconds.",
}


def _error(status: str) -> dict:
    response: dict = {
        "description": DESCRIPTIONS.get(status, ""),
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}},
    }
    if status == "401":
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Token"}}
    if status in ("429", "503"):
        response["headers"] = {"Retry-After": RETRY_AFTER}
    return response


def error_responses_hook(result: dict, generator, request, public) -> dict:
    """drf-spectacular ``POSTPROCESSING_HOOKS`` entry: add the error answers to every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            parameters = operation.get("parameters", [])
            statuses = ["401", "403", "500", "503"]
            if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
                statuses.append("400")
            if parameters:
                statuses.append("404")
            if "requestBody" in operation:
                statuses.append("415")
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                responses.setdefault(status, _error(status))
            for status, response in responses.items():
                if status >= "400" and "content" not in response:
                    described = response.get("description")
                    response.update(_error(status))
                    response["description"] = described or response["description"]
    return result
