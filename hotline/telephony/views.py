"""The leaders' page of answer rates (inside the console's layout)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from hotline.core.errors import Forbidden, HotlineError
from hotline.tickets.staff_pages import error_text as _error_text
from hotline.tickets.staff_pages import forbidden as _forbidden
from hotline.tickets.staff_pages import page as _page
from hotline.tickets.staff_pages import staff_login_required as console_login_required

from . import selectors
from .records import rate


@console_login_required
@require_GET
def call_stats(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    start = request.GET.get("from") or (today - timedelta(days=6)).isoformat()
    end = request.GET.get("to") or today.isoformat()
    by = request.GET.get("by") or "day"
    by_line = request.GET.get("by_line") == "1"
    try:
        rows = selectors.call_stats(request.user, start=start, end=end, by=by, by_line=by_line)
    except Forbidden as error:
        return _forbidden(request, str(error.detail))
    except HotlineError as error:
        messages.error(request, _error_text(error))
        rows = []
    totals = {
        "offered": sum(r["offered"] for r in rows),
        "answered": sum(r["answered"] for r in rows),
        "answered_15s": sum(r["answered_15s"] for r in rows),
        "abandoned": sum(r["abandoned"] for r in rows),
    }

    totals["answer_rate_15s"] = rate(totals["answered_15s"], totals["offered"])
    totals["connection_rate"] = rate(totals["answered"], totals["offered"])
    return _page(
        request,
        "telephony/call_stats.html",
        {
            "rows": rows,
            "totals": totals,
            "start": start,
            "end": end,
            "by": by,
            "by_line": by_line,
        },
    )
