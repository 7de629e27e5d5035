"""An OpenAPI 3.1 description of the citizen portal's pages and form posts (served at
/portal/openapi.json), for schema-driven testing of the public endpoints. Pure data.

The portal is a server-rendered site: every answer is an HTML page or a redirect. Form posts
need Django's CSRF token (the ``csrftoken`` cookie and the form field or ``X-CSRFToken``
header), and submitting needs the session of a phone that asked for a code, as in a browser.
Bad input is a 400 page naming the field, never a 422.
"""

from __future__ import annotations

from typing import Any

from hotline.tickets import workflow

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
HTML = {"text/html": {"schema": {"type": "string"}}}

WORDS = {
    200: "the page",
    302: "a redirect (the next step)",
    400: "the page again, the field's error shown",
    404: "no such page, ticket or link",
    409: "the link was used, or the ticket is not waiting for a rating",
    413: "the upload is too large",
    429: "rate-limited (Retry-After)",
}


def _answers(*codes: int) -> dict:
    out: dict = {}
    for code in codes:
        answer: dict = {"description": WORDS[code]}
        if code != 302:
            answer["content"] = HTML
        out[str(code)] = answer
    return out


def _text(max_length: int, **extra) -> dict:
    return {"type": "string", "maxLength": max_length, **extra}


PHONE = _text(20, description="a mainland mobile number, 11 digits (+86 and spaces allowed)")
NUMBER = _text(20, description="a ticket number, 13 digits")
CODE = {"type": "string", "pattern": "^[0-9]{6}$", "description": "the code sent by SMS"}

SEND_CODE_FORM = {
    "type": "object",
    "required": ["action", "phone"],
    "properties": {"action": {"const": "send_code"}, "phone": PHONE},
}
CHANGE_PHONE_FORM = {
    "type": "object",
    "required": ["action"],
    "properties": {"action": {"const": "change_phone"}},
}
REQUEST_FIELDS: dict[str, Any] = {
    "action": {"const": "submit"},
    "kind": {
        "type": "string",
        "enum": ["complaint", "help", "consultation", "suggestion", "report", "praise"],
        "description": "the kinds of DESIGN section 3",
    },
    "title": _text(60),
    "content": _text(2000, minLength=5),
    "region": _text(32, description="a district's or street's code, as listed on the page"),
    "address": _text(200, description="a region or an address is required"),
    "name": _text(32),
    "confidential": {"type": "string", "enum": ["on", ""]},
    "code": CODE,
    "key": {"type": "string", "pattern": "^[0-9a-f]{32}$", "description": "the form's key"},
}
REQUEST_REQUIRED = ["kind", "content", "code", "key"]
# A district or street, or an address typed: one of them is required.
PLACE: dict[str, Any] = {
    "anyOf": [
        {"required": ["region"], "properties": {"region": {"minLength": 1}}},
        {"required": ["address"], "properties": {"address": {"pattern": "\\S"}}},
    ]
}
SUBMIT_FORM = {
    "oneOf": [
        SEND_CODE_FORM,
        CHANGE_PHONE_FORM,
        {
            "type": "object",
            "required": REQUEST_REQUIRED,
            "properties": REQUEST_FIELDS,
            **PLACE,
        },
    ]
}
SUBMIT_MULTIPART: dict[str, Any] = {
    "type": "object",
    "required": REQUEST_REQUIRED,
    **PLACE,
    "properties": {
        **REQUEST_FIELDS,
        "photos": {
            "type": "array",
            "maxItems": 9,
            "items": {"type": "string", "format": "binary"},
            "description": "JPEG, PNG, WebP or GIF, checked by content, re-encoded",
        },
    },
}
LOOKUP_FORM = {
    "oneOf": [
        {
            "type": "object",
            "required": ["action", "number"],
            "properties": {"action": {"const": "send_code"}, "number": NUMBER},
        },
        {
            "type": "object",
            "required": ["number", "code"],
            "properties": {"action": {"const": "verify"}, "number": NUMBER, "code": CODE},
        },
    ]
}
RATE_FORM = {
    "type": "object",
    "required": ["satisfaction"],
    "properties": {
        "satisfaction": {"type": "string", "enum": list(workflow.SATISFACTIONS)},
        "note": _text(500),
    },
}


def _path(name: str, **schema) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", **schema},
    }


def _page(summary: str, *params: dict, answers=(200, 302, 404)) -> dict:
    return {"summary": summary, "parameters": list(params), "responses": _answers(*answers)}


def _post(summary: str, content: dict, *params: dict, answers: tuple) -> dict:
    return {
        "summary": summary,
        "parameters": list(params),
        "requestBody": {"required": True, "content": content},
        "responses": _answers(*answers),
    }


def schema(base_url: str) -> dict:
    number = _path("number")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Hotline citizen portal",
            "version": "1",
            "description": "The citizen portal's pages and form posts (docs/intake.md).",
        },
        "servers": [{"url": base_url}],
        "paths": {
            "/": {"get": _page("Home", answers=(200,))},
            "/submit/": {
                "get": _page("The phone step, or the request form", answers=(200,)),
                "post": _post(
                    "Ask for a code (send_code), change the phone, or submit the request",
                    {FORM: {"schema": SUBMIT_FORM}, MULTIPART: {"schema": SUBMIT_MULTIPART}},
                    answers=(200, 302, 400, 413, 429),
                ),
            },
            "/done/{number}/": {"get": _page("The number of a request sent", number)},
            "/lookup/": {
                "get": {
                    "summary": "Look a ticket up",
                    "parameters": [{"name": "number", "in": "query", "schema": NUMBER}],
                    "responses": _answers(200),
                },
                "post": _post(
                    "Ask for a code (send_code) or enter it (verify)",
                    {FORM: {"schema": LOOKUP_FORM}},
                    answers=(200, 302, 400, 429),
                ),
            },
            "/ticket/{number}/": {"get": _page("A ticket, once its code was entered", number)},
            "/ticket/{number}/photos/{photo_id}/": {
                "get": _page(
                    "A photo of a ticket",
                    number,
                    _path("photo_id", pattern="^[0-9]{1,9}$"),
                    answers=(200, 302, 404),
                )
            },
            "/rate/{token}/": {
                "get": _page(
                    "The rating page of a follow-up link", _path("token"), answers=(200, 404, 409)
                ),  # fmt: skip
                "post": _post(
                    "Rate the result",
                    {FORM: {"schema": RATE_FORM}},
                    _path("token"),
                    answers=(200, 400, 404, 409, 429),
                ),
            },
        },
    }
