"""The portal's pages. Views read forms and call services and selectors; they write nothing
themselves. Every POST is rate-limited by client address and by phone or ticket number."""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from hotline.core.errors import Conflict, NotFound, RateLimited
from hotline.core.photos import MAX_BYTES, MAX_PHOTOS, PhotoRefused, photo_clean
from hotline.orgs.selectors import centres_all

from . import services
from .codes import CodeRefused, code_check, code_send, code_use
from .forms import LookupForm, PhoneForm, RateForm, SubmitForm, VerifyForm
from .ratelimit import rate_hit
from .selectors import PROGRESS, citizen_view, photo_of, portal_ticket

VERIFIED_SECONDS = 30 * 60


def max_request() -> int:
    """A whole request (nine photos at most and the form), checked before the body is read;
    never more than the platform's cap on any upload (``HOTLINE_MAX_UPLOAD``), which the edge
    middleware enforces first."""
    own = MAX_PHOTOS * MAX_BYTES + 256 * 1024
    return min(own, getattr(settings, "HOTLINE_MAX_UPLOAD", own))


def max_photo_bytes() -> int:
    return min(MAX_BYTES, max_request() - 256 * 1024)


def client_of(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the header a trusted proxy sets
    (``HOTLINE_CLIENT_IP_HEADER``, e.g. ``HTTP_X_REAL_IP``)."""
    header = getattr(settings, "HOTLINE_CLIENT_IP_HEADER", "")
    value = (request.META.get(header, "") if header else "") or request.META.get("REMOTE_ADDR", "")
    return "ip:" + value.split(",")[0].strip()[:64]


def _too_many(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = render(request, "portal/limited.html", {"retry_after": exc.retry_after}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _too_large(request: HttpRequest) -> HttpResponse | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_request():
        return render(
            request,
            "portal/error.html",
            {
                "message": f"上传内容过大：照片最多 {MAX_PHOTOS} 张，"
                f"合计不超过 {max_request() // 2**20} MB"
            },
            status=413,
        )
    return None


def _centre_of(request: HttpRequest):
    """The hotline centre whose portal entry the citizen came through (``?centre=jianghan``,
    kept in the session), else the city's: its name and number head the pages, and requests
    are registered at it."""
    centres = {c.code: c for c in centres_all()}
    asked = request.GET.get("centre")
    if asked in centres:
        request.session["portal_centre"] = asked
    code = str(request.session.get("portal_centre") or "")
    city = next((c for c in centres.values() if c.parent_id is None), None)
    return centres.get(code) or city


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"centre": _centre_of(request)})


# --- submit ---------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    phone = request.session.get("portal_phone")
    if request.method == "POST":
        too_large = _too_large(request)
        if too_large:
            return too_large
        action = request.POST.get("action")
        if action == "send_code":
            return _send_submit_code(request)
        if action == "change_phone":
            request.session.pop("portal_phone", None)
            return redirect("portal:submit")
        done = request.session.get("portal_done", {})
        key = request.POST.get("key", "")
        if key in done:  # the same form sent again (a double tap, a reload)
            return redirect("portal:done", number=done[key])
        if phone:
            return _submit(request, phone)
    if not phone:
        return render(
            request,
            "portal/submit_phone.html",
            {"form": PhoneForm(), "centre": _centre_of(request)},
        )
    form = SubmitForm(initial={"key": uuid.uuid4().hex})
    return render(request, "portal/submit.html", _submit_context(form, phone, request=request))


def _submit_context(form, phone, photo_errors=(), *, request=None) -> dict:
    return {
        "centre": _centre_of(request) if request is not None else None,
        "form": form,
        "phone": phone,
        "photo_errors": photo_errors,
        "max_photos": MAX_PHOTOS,
        "max_mb": max_photo_bytes() // 2**20,
        "max_total_mb": max_request() // 2**20,
    }


def _send_submit_code(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/submit_phone.html", {"form": form}, status=400)
    phone = form.cleaned_data["phone"]
    try:
        rate_hit("code", client_of(request), f"phone:{phone}")
        rate_hit("code_gap", f"phone:{phone}")
    except RateLimited as exc:
        return _too_many(request, exc)
    code_send(purpose="submit", phone=phone)
    request.session["portal_phone"] = phone
    return redirect("portal:submit")


def _submit(request: HttpRequest, phone: str) -> HttpResponse:
    form = SubmitForm(request.POST)
    files = request.FILES.getlist("photos")
    photo_errors: list[str] = []
    photos = []
    if len(files) > MAX_PHOTOS:
        photo_errors.append(f"最多上传 {MAX_PHOTOS} 张照片")
    else:
        for upload in files:
            if (upload.size or 0) > max_photo_bytes():
                photo_errors.append(
                    f"{upload.name}：单张照片不能超过 {max_photo_bytes() // 2**20} MB"
                )
                continue
            try:
                photos.append(photo_clean(upload.read(), max_bytes=max_photo_bytes()))
            except PhotoRefused as exc:
                photo_errors.append(f"{upload.name}：{exc}")
    if not form.is_valid() or photo_errors:
        return render(
            request,
            "portal/submit.html",
            _submit_context(form, phone, photo_errors, request=request),
            status=400,
        )
    try:
        rate_hit("verify", client_of(request), f"phone:{phone}")
        rate_hit("submit", client_of(request), f"phone:{phone}")
    except RateLimited as exc:
        return _too_many(request, exc)
    data = form.cleaned_data
    centre = _centre_of(request)
    earlier = services.portal_submitted(key=data["key"], phone=phone)
    if earlier is not None:  # a retry of a form whose first answer was lost
        return _submitted(request, data["key"], earlier.number)
    try:
        code = code_check(purpose="submit", phone=phone, code=data["code"])
        ticket, _ = services.portal_submit(
            submission=services.Submission(
                kind=data["kind"],
                title=data["title"].strip(),
                content=data["content"].strip(),
                phone=phone,
                name=data["name"].strip(),
                address=data["address"].strip(),
                region=data["region"],
                confidential=data["confidential"],
                centre=centre.code if centre is not None else "",
            ),
            code=code,
            photos=photos,
            key=data["key"],
        )
    except CodeRefused as exc:
        # The first post of this form may have committed (and used the code) since the check
        # above: then this is its retry, and gets its number.
        earlier = services.portal_submitted(key=data["key"], phone=phone)
        if earlier is not None:
            return _submitted(request, data["key"], earlier.number)
        form.add_error("code", str(exc))
        return render(
            request,
            "portal/submit.html",
            _submit_context(form, phone, photo_errors, request=request),
            status=400,
        )
    return _submitted(request, data["key"], ticket.number)


def _submitted(request: HttpRequest, key: str, number: str) -> HttpResponse:
    done = request.session.get("portal_done", {})
    done[key] = number
    request.session["portal_done"] = dict(list(done.items())[-20:])
    request.session.pop("portal_phone", None)
    return redirect("portal:done", number=number)


@never_cache
def done(request: HttpRequest, number: str) -> HttpResponse:
    if number not in request.session.get("portal_done", {}).values():
        raise Http404("no such submission in this session")
    return render(request, "portal/done.html", {"number": number})


# --- look up --------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        number = request.GET.get("number", "")
        return render(
            request, "portal/lookup.html", {"form": LookupForm(initial={"number": number})}
        )
    if request.POST.get("action") == "send_code":
        form = LookupForm(request.POST)
        if not form.is_valid():
            return render(request, "portal/lookup.html", {"form": form}, status=400)
        number = form.cleaned_data["number"]
        try:
            rate_hit("code", client_of(request), f"number:{number}")
            rate_hit("code_gap", f"number:{number}")
        except RateLimited as exc:
            return _too_many(request, exc)
        ticket = portal_ticket(number)
        if ticket is not None and ticket.citizen_phone:
            code_send(purpose="lookup", phone=ticket.citizen_phone, number=number, ticket=ticket)
        # The same answer whether the ticket exists or not.
        verify = VerifyForm(initial={"number": number})
        return render(request, "portal/lookup.html", {"form": verify, "sent": True})
    form = VerifyForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/lookup.html", {"form": form, "sent": True}, status=400)
    number = form.cleaned_data["number"]
    try:
        rate_hit("verify", client_of(request), f"number:{number}")
    except RateLimited as exc:
        return _too_many(request, exc)
    ticket = portal_ticket(number)
    try:
        if ticket is None or not ticket.citizen_phone:
            raise CodeRefused("工单编号或验证码不正确")
        row = code_check(
            purpose="lookup",
            phone=ticket.citizen_phone,
            number=number,
            code=form.cleaned_data["code"],
        )
        code_use(row)
    except CodeRefused as exc:
        form.add_error("code", str(exc))
        return render(request, "portal/lookup.html", {"form": form, "sent": True}, status=400)
    verified = request.session.get("portal_verified", {})
    verified[number] = time.time() + VERIFIED_SECONDS
    request.session["portal_verified"] = verified
    return redirect("portal:ticket", number=number)


def _verified(request: HttpRequest, number: str) -> bool:
    until = request.session.get("portal_verified", {}).get(number)
    return bool(until and until > time.time())


@never_cache
def ticket(request: HttpRequest, number: str) -> HttpResponse:
    if not _verified(request, number):
        return redirect(
            f"/portal/lookup/?number={number}" if number.isdigit() else "/portal/lookup/"
        )
    found = portal_ticket(number)
    if found is None:
        raise Http404("no such ticket")
    view = citizen_view(found)
    context = {"t": view, "progress": [name for name, _ in PROGRESS]}
    if view.may_rate:
        context["rate_token"] = services.follow_up_token(found)
    return render(request, "portal/ticket.html", context)


@never_cache
def photo(request: HttpRequest, number: str, photo_id: int) -> HttpResponse:
    if not _verified(request, number):
        raise Http404("not verified")
    row = photo_of(number, photo_id)
    if row is None:
        raise Http404("no such photo")
    response = HttpResponse(bytes(row.data), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{number}-{row.position}.jpg"'
    return response


# --- rate -----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, token: str) -> HttpResponse:
    try:
        found = services.follow_up_read(token)
    except NotFound as exc:
        return render(request, "portal/error.html", {"message": exc.detail}, status=404)
    except Conflict as exc:
        return render(request, "portal/error.html", {"message": exc.detail}, status=409)
    view = citizen_view(found)
    if request.method == "GET":
        return render(request, "portal/rate.html", {"t": view, "form": RateForm()})
    form = RateForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/rate.html", {"t": view, "form": form}, status=400)
    try:
        rate_hit("rate", client_of(request))
    except RateLimited as exc:
        return _too_many(request, exc)
    try:
        services.portal_rate(
            token=token,
            satisfaction=form.cleaned_data["satisfaction"],
            note=form.cleaned_data["note"].strip(),
        )
    except (NotFound, Conflict) as exc:
        return render(request, "portal/error.html", {"message": exc.detail}, status=409)
    return render(request, "portal/rated.html", {"t": view})


def openapi(request: HttpRequest) -> HttpResponse:
    """The OpenAPI description of the portal's pages and form posts (schema-driven tests)."""
    from django.http import JsonResponse

    from .openapi import schema

    return JsonResponse(schema(request.build_absolute_uri("/portal")))
