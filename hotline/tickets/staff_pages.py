"""Staff pages of the apps above tickets (feedback, telephony) inside the console's layout
(its ``console/base.html``) without importing the console, which sits above them: the header's
context, the 403 page, the login guard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from hotline.accounts.roles import ROLE_LABELS
from hotline.accounts.selectors import grants_for
from hotline.core.errors import HotlineError
from hotline.orgs.selectors import units_list

from .services import may_register

staff_login_required = login_required(login_url=reverse_lazy("console:login"))


def page(request: HttpRequest, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    grants = grants_for(request.user)
    units = {u.pk: u.name for u in units_list().filter(pk__in=list(grants.by_unit))}
    roles = [
        {"label": _(ROLE_LABELS[role]), "unit": units.get(unit_id, "")}
        for unit_id, unit_roles in grants.by_unit.items()
        for role in sorted(unit_roles)
    ]
    header = {
        "me": {"name": str(request.user), "username": request.user.get_username(), "roles": roles},
        "can_register": may_register(grants),
        "can_read": grants.reads_tickets,
        "here": request.get_full_path(),
    }
    return render(request, template, {**header, **context}, status=status)


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return page(request, "console/forbidden.html", {"message": message}, status=403)


def error_text(error: HotlineError) -> str:
    """A service error as one line: ``field: message`` for bad input, the detail otherwise."""
    detail = error.detail
    if isinstance(detail, dict):
        return "; ".join(f"{field}: {message}" for field, message in detail.items())
    return str(detail)
