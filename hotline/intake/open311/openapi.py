"""An OpenAPI 3.1 description of /open311/v2/ (served at /open311/v2/openapi.json), for
clients and for schema-driven testing. Pure data."""

from __future__ import annotations

FORMAT = {
    "name": "format",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "enum": ["json", "xml"]},
}
JURISDICTION = {"name": "jurisdiction_id", "in": "query", "schema": {"type": "string"}}

ERRORS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_NUMBER = {"type": ["number", "null"]}

SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": {"type": "string"},
        "service_name": {"type": "string"},
        "description": {"type": "string"},
        "metadata": {"type": "boolean"},
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": {"type": "string"},
        "group": {"type": "string"},
    },
}
REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "requested_datetime"],
    "properties": {
        "service_request_id": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": NULLABLE_STRING,
        "service_name": NULLABLE_STRING,
        "service_code": NULLABLE_STRING,
        "description": NULLABLE_STRING,
        "agency_responsible": NULLABLE_STRING,
        "service_notice": NULLABLE_STRING,
        "requested_datetime": {"type": "string", "format": "date-time"},
        "updated_datetime": NULLABLE_STRING,
        "expected_datetime": NULLABLE_STRING,
        "address": NULLABLE_STRING,
        "address_id": NULLABLE_STRING,
        "zipcode": NULLABLE_STRING,
        "lat": NULLABLE_NUMBER,
        "long": NULLABLE_NUMBER,
        "media_url": NULLABLE_STRING,
    },
}
CREATED = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_request_id"],
        "properties": {
            "service_request_id": {"type": "string"},
            "service_notice": NULLABLE_STRING,
            "account_id": NULLABLE_STRING,
        },
    },
}
TOKENS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_request_id", "token"],
        "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"}},
    },
}
DISCOVERY = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": {"type": "string"},
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {"type": "array", "items": {"type": "object"}},
    },
}
ATTRIBUTE = {
    "type": "object",
    "required": ["variable", "code", "datatype", "required", "order", "description"],
    "properties": {
        "variable": {"type": "boolean"},
        "code": {"type": "string"},
        "datatype": {
            "type": "string",
            "enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"],
        },
        "required": {"type": "boolean"},
        "datatype_description": NULLABLE_STRING,
        "order": {"type": "integer"},
        "description": {"type": "string"},
        "values": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "name"],
                "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
            },
        },
    },
}
DEFINITION = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {
        "service_code": {"type": "string"},
        "attributes": {"type": "array", "items": ATTRIBUTE},
    },
}


def _answer(schema: dict, description: str = "OK") -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": schema},
            "text/xml": {"schema": {"type": "string"}},
        },
    }


def _errors(*codes: int) -> dict:
    words = {
        400: "bad input",
        403: "missing, wrong or revoked api_key",
        404: "not found",
        413: "the body is larger than the platform accepts",
        429: "rate-limited",
        503: "unavailable",
    }
    return {str(code): _answer(ERRORS, words[code]) for code in codes}


def _get(summary: str, schema: dict, *params: dict, errors=(400, 404, 429)) -> dict:
    return {
        "get": {
            "summary": summary,
            "parameters": [FORMAT, JURISDICTION, *params],
            "responses": {"200": _answer(schema), **_errors(*errors)},
        }
    }


def _query(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "description": description, "schema": {"type": "string"}}


def _path(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _text(max_length: int, description: str = "") -> dict:
    out: dict = {"type": "string", "maxLength": max_length}
    if description:
        out["description"] = description
    return out


# The spec's POST requests fields, with the limits the server enforces (a longer value is 400).
FORM_PROPERTIES: dict[str, dict] = {
    "api_key": {
        "type": "string",
        "minLength": 1,
        "description": "the key made by `open311_key create`",
    },
    "jurisdiction_id": {"type": "string"},
    "service_code": {
        "type": "string",
        "minLength": 1,
        "description": "a service_code of services.{format}",
    },
    "lat": {"type": "number", "minimum": -90, "maximum": 90, "description": "WGS-84, with long"},
    "long": {"type": "number", "minimum": -180, "maximum": 180, "description": "with lat"},
    "address_string": _text(255, "lat/long, address_string or address_id is required"),
    "address_id": _text(32, "a region code of the platform"),
    "email": _text(254),
    "device_id": _text(128),
    "account_id": _text(128),
    "first_name": _text(32),
    "last_name": _text(32),
    "phone": _text(32, "never published"),
    "description": _text(4000),
    "media_url": _text(
        1000, "an http(s) URL of a photo; stored as a link and never fetched by the server"
    ),
}
FORM_FIELDS = list(FORM_PROPERTIES)
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "description": "1 to 128 characters; the same key again returns the first request; "
    "it is the request's token",
    "schema": {"type": "string", "minLength": 1, "maxLength": 128},
}


def schema(base_url: str) -> dict:
    requests = _get(
        "Service requests (the last 90 days unless given dates; at most 1000)",
        {"type": "array", "items": REQUEST},
        _query("service_request_id", "comma-delimited; overrides the other filters"),
        _query("service_code", "comma-delimited"),
        _query("start_date", "w3 date-time with its zone"),
        _query("end_date", "w3 date-time with its zone; at most 90 days after start_date"),
        _query("status", "open, closed, or both comma-delimited"),
    )
    requests["post"] = {
        "summary": "File a service request",
        "parameters": [FORMAT, IDEMPOTENCY_KEY],
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["api_key", "service_code"],
                        "properties": FORM_PROPERTIES,
                        # attribute[code]=value (attribute[code][]= for a multivaluelist): the
                        # codes of the service's definition; others are a 400
                        "patternProperties": {
                            r"^attribute\[[A-Za-z0-9_.-]{1,64}\](\[\])?$": {
                                "type": "string",
                                "maxLength": 1000,
                            }
                        },
                        # the spec: a location is required, one of these
                        "anyOf": [
                            {"required": ["lat", "long"]},
                            {
                                "required": ["address_string"],
                                "properties": {"address_string": {"pattern": "\\S"}},
                            },
                            {
                                "required": ["address_id"],
                                "properties": {"address_id": {"pattern": "\\S"}},
                            },
                        ],  # fmt: skip
                    }
                }
            },
        },
        "responses": {
            "201": _answer(CREATED, "registered"),
            "200": _answer(CREATED, "the same Idempotency-Key again: the first request"),
            **_errors(400, 403, 404, 413, 429, 503),
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Hotline Open311 GeoReport v2",
            "version": "2",
            "description": "GeoReport v2 (http://wiki.open311.org/GeoReport_v2); docs/channels.md",
        },
        "servers": [{"url": base_url}],
        "paths": {
            "/discovery.{format}": _get("Service discovery", DISCOVERY, errors=(400, 429)),
            "/services.{format}": _get(
                "Service types (the catalogue's leaves)", {"type": "array", "items": SERVICE}
            ),
            "/services/{service_code}.{format}": _get(
                "A service definition", DEFINITION, _path("service_code")
            ),
            "/requests.{format}": requests,
            "/requests/{service_request_id}.{format}": _get(
                "One service request",
                {"type": "array", "items": REQUEST},
                _path("service_request_id"),
            ),  # fmt: skip
            "/tokens/{token}.{format}": _get(
                "The request of a token (the client's Idempotency-Key)", TOKENS, _path("token")
            ),
        },
    }
