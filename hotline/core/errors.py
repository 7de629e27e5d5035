"""Domain errors. Services raise these; the API layer maps them to the codes of DESIGN section 9.

400 bad input (field named), 401 no valid token, 403 role may not act, 404 not visible,
409 the ticket's state does not allow the action, 429 rate-limited.
"""

from __future__ import annotations


class HotlineError(Exception):
    status = 500
    code = "error"

    def __init__(self, detail: object = None, *, field: str | None = None):
        self.detail = detail if detail is not None else self.code
        self.field = field
        super().__init__(str(self.detail))

    def as_dict(self) -> dict:
        body: dict = {"error": self.code, "detail": self.detail}
        if self.field:
            body["field"] = self.field
        return body


class BadInput(HotlineError):
    status = 400
    code = "bad_request"

    def __init__(self, field: str, message: str):
        super().__init__({field: message}, field=field)


class NotAuthenticated(HotlineError):
    status = 401
    code = "not_authenticated"


class Forbidden(HotlineError):
    status = 403
    code = "forbidden"


class NotFound(HotlineError):
    status = 404
    code = "not_found"


class Conflict(HotlineError):
    status = 409
    code = "conflict"


class RateLimited(HotlineError):
    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int, detail: object = None):
        self.retry_after = retry_after
        super().__init__(detail or "too many requests")


class CalendarMissing(HotlineError):
    """A working-day computation needs a year whose calendar is missing or unconfirmed."""

    status = 503
    code = "calendar_missing"

    def __init__(self, year: int, reason: str = "missing"):
        self.year = year
        super().__init__(f"working-day calendar for {year} is {reason}; an admin must confirm it")
