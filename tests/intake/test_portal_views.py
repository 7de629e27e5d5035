"""The citizen portal through Django's test client: submit with a confirmed phone and photos,
look up with a one-time code, rate from the signed link; and the unhappy paths (wrong, used or
expired codes, rate limits with Retry-After, refused photos, oversized uploads, XSS payloads
coming back escaped)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from hotline.intake.models import FollowUpLinkUse, PortalCode, PortalPhoto
from hotline.intake.portal import services
from hotline.notifications.models import Outbox
from hotline.tickets.models import Ticket
from tests.factories import act

PHONE = "13800138000"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def jpeg(width=64, height=48, exif=None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), (200, 30, 30))
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, format="JPEG", **kwargs)
    return out.getvalue()


def upload(name: str, data: bytes, content_type="image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def last_code(phone: str = PHONE) -> str:
    row = Outbox.objects.filter(template="portal_code", recipient=phone).order_by("-pk").first()
    assert row is not None, "no code was sent"
    return row.params["code"]


def start(client: Client, phone: str = PHONE) -> str:
    response = client.post("/portal/submit/", {"action": "send_code", "phone": phone})
    assert response.status_code == 302
    page = client.get("/portal/submit/")
    return re.search(r'name="key" value="([0-9a-f]{32})"', page.content.decode()).group(1)


def form(key: str, **overrides) -> dict:
    data = {
        "action": "submit",
        "key": key,
        "code": last_code(),
        "kind": "complaint",
        "title": "小区门口路灯不亮",
        "content": "大智路小区门口的路灯坏了一周，晚上很黑，请尽快修好。",
        "region": "jiangan-01",
        "address": "大智路 12 号",
        "name": "张先生",
    }
    data.update(overrides)
    return data


def submit(client: Client, **overrides) -> Ticket:
    key = start(client)
    response = client.post("/portal/submit/", form(key, **overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    number = response["Location"].rstrip("/").rsplit("/", 1)[1]
    return Ticket.objects.get(number=number)


def lookup(client: Client, ticket: Ticket):
    client.post("/portal/lookup/", {"action": "send_code", "number": ticket.number})
    return client.post(
        "/portal/lookup/",
        {"action": "verify", "number": ticket.number, "code": last_code(ticket.citizen_phone)},
    )


def test_every_page_has_the_viewport_meta_and_no_inline_script(client):
    for url in ("/portal/", "/portal/submit/", "/portal/lookup/"):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
        assert "Content-Security-Policy" in response.headers


def test_the_staff_login_page_leads_citizens_to_the_portal(client):
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert 'href="/portal/"' in response.content.decode()


def test_submit_registers_through_the_web_channel_and_sends_the_number(client):
    ticket = submit(client, **{"photos": [upload("a.jpg", jpeg()), upload("b.png", jpeg())]})
    assert ticket.channel == "web"
    assert ticket.status == "registered"
    assert ticket.registered_by.username == "portal"
    assert ticket.citizen_phone == PHONE
    assert ticket.region.code == "jiangan-01"
    assert ticket.events.get().action == "register"
    ack = Outbox.objects.get(ticket=ticket, kind="acknowledgement")
    assert ack.recipient == PHONE and ack.params["number"] == ticket.number
    assert PortalPhoto.objects.filter(ticket=ticket).count() == 2
    page = client.get(f"/portal/done/{ticket.number}/")
    assert ticket.number in page.content.decode()


def test_a_districts_portal_entry_names_its_line_and_registers_at_its_centre(client):
    """Each district's own line (区长专线) has its portal entry: ``/portal/?centre=jianghan``."""
    page = client.get("/portal/?centre=jianghan").content.decode()
    assert "江汉区区长专线" in page and "027-80212345" in page
    ticket = submit(client, region="jianghan-01", address="汉正街 8 号")
    assert ticket.registered_centre.unit.code == "jianghan"
    ack = Outbox.objects.get(ticket=ticket, kind="acknowledgement")
    assert ack.params["line"] == "江汉区区长专线 027-80212345"
    # An unknown centre changes nothing; the city's entry is the default.
    assert "江汉区区长专线" in client.get("/portal/?centre=atlantis").content.decode()
    assert "区长专线" not in Client().get("/portal/").content.decode()


def test_photos_are_re_encoded_without_exif(client):
    exif = Image.Exif()
    exif[0x8825] = {2: (30, 35, 0)}  # GPS latitude
    exif[0x010F] = "SecretCamera"
    ticket = submit(client, photos=[upload("gps.jpg", jpeg(exif=exif))])
    photo = PortalPhoto.objects.get(ticket=ticket)
    data = bytes(photo.data)
    assert b"SecretCamera" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()


def test_the_same_form_sent_twice_makes_one_ticket(client):
    key = start(client)
    data = form(key)
    first = client.post("/portal/submit/", data)
    second = client.post("/portal/submit/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Ticket.objects.filter(channel="web").count() == 1


def test_a_retry_whose_first_answer_was_lost_gets_the_same_number(client):
    """The first post committed, but its answer (and the session saved with it) never reached
    the browser: the same form again, with the session as it was before, still gets the first
    number, though its code is used by now."""
    key = start(client)
    data = form(key)
    first = client.post("/portal/submit/", data)
    session = client.session
    session["portal_phone"] = PHONE
    session.pop("portal_done")
    session.save()
    again = client.post("/portal/submit/", data)
    assert again.status_code == 302
    assert again["Location"] == first["Location"]
    assert Ticket.objects.filter(channel="web").count() == 1
    assert client.get(again["Location"]).status_code == 200


def test_a_retry_racing_the_first_post_past_its_check_still_gets_the_number(client, monkeypatch):
    """The retry looked for the form's ticket before the first post committed, and found its
    code used after: it looks again and answers the number (found by
    tests/intake/test_idempotency_pg.py on PostgreSQL)."""
    key = start(client)
    data = form(key)
    first = client.post("/portal/submit/", data)
    session = client.session
    session["portal_phone"] = PHONE
    session.pop("portal_done")
    session.save()
    real = services.portal_submitted
    calls = []

    def not_yet_then_real(**kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else real(**kwargs)

    monkeypatch.setattr(services, "portal_submitted", not_yet_then_real)
    again = client.post("/portal/submit/", data)
    assert len(calls) == 2
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Ticket.objects.filter(channel="web").count() == 1


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"content": ""}, "content", "请填写此项"),
        ({"content": "灯坏"}, "content", "请至少写 5 个字"),
        ({"kind": "nonsense"}, "kind", "请选择诉求类型"),
        ({"region": "", "address": ""}, "address", "请选择所在区域或填写详细地址"),
        ({"region": "atlantis"}, "region", "请从列表中选择区域"),
        ({"code": "12ab"}, "code", "验证码为 6 位数字"),
    ],
)
def test_bad_fields_are_named_in_chinese_and_nothing_is_written(client, overrides, field, message):
    key = start(client)
    response = client.post("/portal/submit/", form(key, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Ticket.objects.filter(channel="web").exists()


def test_a_wrong_code_is_refused_and_counted(client):
    key = start(client)
    right = last_code()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post("/portal/submit/", form(key, code=wrong))
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert PortalCode.objects.get(phone=PHONE).tries == 1
    assert not Ticket.objects.filter(channel="web").exists()


def test_a_code_tried_too_often_stops_working(client):
    key = start(client)
    right = last_code()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        client.post("/portal/submit/", form(key, code=wrong))
    response = client.post("/portal/submit/", form(key, code=right))
    assert response.status_code == 400
    assert "错误次数过多" in response.content.decode()
    assert not Ticket.objects.filter(channel="web").exists()


def test_an_expired_code_is_refused(client):
    key = start(client)
    PortalCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post("/portal/submit/", form(key))
    assert response.status_code == 400
    assert "验证码已过期" in response.content.decode()


def test_a_used_code_is_refused_for_a_second_request(client, settings):
    settings.HOTLINE_PORTAL_RATES = {"code_gap": (5, 60)}
    submit(client)
    key = start(client, PHONE)  # sends a new code; reuse the old one
    used = PortalCode.objects.filter(used_at__isnull=False).get()
    PortalCode.objects.exclude(pk=used.pk).delete()
    old = Outbox.objects.filter(template="portal_code").order_by("pk").first().params["code"]
    response = client.post("/portal/submit/", form(key, code=old))
    assert response.status_code == 400
    assert "验证码已使用" in response.content.decode()
    assert Ticket.objects.filter(channel="web").count() == 1


@pytest.mark.parametrize(
    "name, data, message",
    [
        (
            "evil.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "只接受",
        ),
        ("page.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "只接受"),
        ("poly.jpg", jpeg() + b"<script>alert(1)</script>", "网页或脚本"),
        ("gifjs.gif", b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=alert(1);//<script>", "网页或脚本"),
        ("cut.jpg", jpeg()[:200], "损坏"),
        ("text.png", b"just some text, not an image at all", "无法识别"),
    ],
)
def test_a_file_that_is_not_a_photo_is_refused(client, name, data, message):
    key = start(client)
    response = client.post("/portal/submit/", {**form(key), "photos": [upload(name, data)]})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Ticket.objects.filter(channel="web").exists()
    assert PortalCode.objects.get().used_at is None  # the code still works after a fix


def test_ten_photos_are_refused(client):
    key = start(client)
    photos = [upload(f"{i}.jpg", jpeg()) for i in range(10)]
    response = client.post("/portal/submit/", {**form(key), "photos": photos})
    assert response.status_code == 400
    assert "最多上传 9 张照片" in response.content.decode()


def test_an_oversized_photo_is_refused(client, settings):
    key = start(client)
    big = upload("big.jpg", jpeg() + b"\0" * (8 * 1024 * 1024))
    response = client.post("/portal/submit/", {**form(key), "photos": [big]})
    assert response.status_code == 400
    assert "不能超过 8 MB" in response.content.decode()
    assert not Ticket.objects.filter(channel="web").exists()


def test_an_oversized_request_is_refused_before_it_is_read(client):
    start(client)
    response = client.post(
        "/portal/submit/",
        data=b"x",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert response.status_code == 413


def test_codes_are_rate_limited_per_phone_with_retry_after(client):
    client.post("/portal/submit/", {"action": "send_code", "phone": PHONE})
    response = client.post("/portal/submit/", {"action": "send_code", "phone": PHONE})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "操作过于频繁" in response.content.decode()
    assert Outbox.objects.filter(template="portal_code").count() == 1


def test_codes_are_rate_limited_per_client_across_phones(client, settings):
    settings.HOTLINE_PORTAL_RATES = {"code": (3, 3600)}
    statuses = [
        client.post(
            "/portal/submit/", {"action": "send_code", "phone": f"1390000000{i}"}
        ).status_code
        for i in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert (
        other.post("/portal/submit/", {"action": "send_code", "phone": "13700000000"}).status_code
        == 302
    )


def test_submissions_are_rate_limited(client, settings):
    settings.HOTLINE_PORTAL_RATES = {"submit": (1, 3600)}
    submit(client)
    key = start(client, "13900000001")
    response = client.post("/portal/submit/", form(key, code=last_code("13900000001")))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Ticket.objects.filter(channel="web").count() == 1


def test_lookup_with_the_code_shows_progress_and_never_staff_or_notes(client):
    ticket = submit(client, photos=[upload("a.jpg", jpeg())])
    act("dispatcher", ticket.number, "dispatch", unit="jiangan")
    act("jiangan-handler", ticket.number, "comment", text="内部备注：请勿外传")
    response = lookup(client, ticket)
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "已转交承办单位" in html
    assert ticket.content in html
    assert "内部备注" not in html
    assert "派单员小王" not in html and "dispatcher" not in html
    photo = PortalPhoto.objects.get(ticket=ticket)
    image = client.get(f"/portal/ticket/{ticket.number}/photos/{photo.pk}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"


def test_lookup_without_the_code_shows_nothing(client):
    ticket = submit(client)
    other = Client()
    response = other.get(f"/portal/ticket/{ticket.number}/")
    assert response.status_code == 302
    assert ticket.content not in other.get(response["Location"]).content.decode()
    photo = other.get(f"/portal/ticket/{ticket.number}/photos/1/")
    assert photo.status_code == 404


def test_lookup_codes_go_to_the_tickets_phone_and_are_single_use(client):
    ticket = submit(client)
    stranger = Client(REMOTE_ADDR="10.1.1.1")
    stranger.post("/portal/lookup/", {"action": "send_code", "number": ticket.number})
    code_row = Outbox.objects.filter(template="portal_code", ticket=ticket).get()
    assert code_row.recipient == PHONE  # never to whoever asked
    code = code_row.params["code"]
    first = stranger.post(
        "/portal/lookup/", {"action": "verify", "number": ticket.number, "code": code}
    )
    assert first.status_code == 302
    again = Client(REMOTE_ADDR="10.1.1.2").post(
        "/portal/lookup/", {"action": "verify", "number": ticket.number, "code": code}
    )
    assert again.status_code == 400
    assert "验证码已使用" in again.content.decode()


def test_lookup_of_an_unknown_number_looks_the_same_and_sends_nothing(client):
    response = client.post("/portal/lookup/", {"action": "send_code", "number": "2099010100001"})
    assert response.status_code == 200
    assert "如工单编号正确" in response.content.decode()
    assert not Outbox.objects.filter(template="portal_code").exists()
    wrong = client.post(
        "/portal/lookup/", {"action": "verify", "number": "2099010100001", "code": "123456"}
    )
    assert wrong.status_code == 400


def test_lookups_are_rate_limited(client, settings):
    settings.HOTLINE_PORTAL_RATES = {"verify": (2, 600)}
    ticket = submit(client)
    other = Client(REMOTE_ADDR="10.2.2.2")
    codes = [
        other.post(
            "/portal/lookup/", {"action": "verify", "number": ticket.number, "code": "000000"}
        ).status_code
        for _ in range(3)
    ]
    assert codes == [400, 400, 429]


def replied(client) -> Ticket:
    ticket = submit(client)
    act("dispatcher", ticket.number, "dispatch", unit="jiangan")
    act("jiangan-handler", ticket.number, "accept")
    act("jiangan-handler", ticket.number, "reply", text="路灯已于今日修复。", outcome="resolved")
    return Ticket.objects.get(pk=ticket.pk)


def test_rating_from_the_signed_link_is_the_follow_up_action(client):
    ticket = replied(client)
    assert services.follow_up_send(ticket=ticket)
    link = Outbox.objects.get(ticket=ticket, kind="follow_up").params["link"]
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get(f"/{path}")
    assert "路灯已于今日修复" in page.content.decode()
    response = client.post(f"/{path}", {"satisfaction": "satisfied", "note": "修得很快"})
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.satisfaction == "satisfied"
    event = ticket.events.order_by("-seq").first()
    assert event.action == "follow_up" and event.actor_name == "portal"
    again = client.post(f"/{path}", {"satisfaction": "dissatisfied"})
    assert again.status_code == 409
    assert FollowUpLinkUse.objects.count() == 1


def test_dissatisfied_goes_to_review(client):
    ticket = replied(client)
    token = services.follow_up_token(ticket)
    client.post(f"/portal/rate/{token}/", {"satisfaction": "dissatisfied"})
    ticket.refresh_from_db()
    assert ticket.status == "under_review"


def test_forged_or_expired_links_are_refused(client, settings):
    ticket = replied(client)
    token = services.follow_up_token(ticket)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/portal/rate/{forged}/").status_code == 404
    settings.HOTLINE_PORTAL_FOLLOW_UP_DAYS = -1
    assert client.post(f"/portal/rate/{token}/", {"satisfaction": "satisfied"}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == "replied"


def test_a_link_for_a_ticket_not_waiting_for_a_rating_is_refused(client):
    ticket = submit(client)
    token = services.follow_up_token(ticket)
    response = client.post(f"/portal/rate/{token}/", {"satisfaction": "satisfied"})
    assert response.status_code == 409
    ticket.refresh_from_db()
    assert ticket.status == "registered"


def test_a_rating_without_a_choice_is_named(client):
    ticket = replied(client)
    token = services.follow_up_token(ticket)
    response = client.post(f"/portal/rate/{token}/", {"satisfaction": "great"})
    assert response.status_code == 400
    assert "请选择满意程度" in response.content.decode()


def test_xss_in_every_citizen_field_comes_back_escaped(client):
    ticket = submit(client, title=XSS[:60], content=XSS, address=XSS, name=XSS[:32])
    act("dispatcher", ticket.number, "dispatch", unit="jiangan")
    act("jiangan-handler", ticket.number, "accept")
    act("jiangan-handler", ticket.number, "reply", text=XSS, outcome="resolved")
    response = lookup(client, ticket)
    html = client.get(response["Location"]).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in html
    token = services.follow_up_token(Ticket.objects.get(pk=ticket.pk))
    rate_page = client.get(f"/portal/rate/{token}/").content.decode()
    assert "<script>alert" not in rate_page and "&lt;script&gt;" in rate_page


def test_the_acknowledgement_link_opens_the_lookup_with_the_number(client):
    ticket = submit(client)
    link = Outbox.objects.get(ticket=ticket, kind="acknowledgement").params["link"]
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page = client.get(path, follow=True)
    assert page.status_code == 200
    assert f'value="{ticket.number}"' in page.content.decode()


def test_the_follow_up_command_queues_each_link_once(client):
    from django.core.management import call_command

    ticket = replied(client)
    out = io.StringIO()
    call_command("portal_follow_up_links", stdout=out)
    call_command("portal_follow_up_links", stdout=io.StringIO())
    assert out.getvalue().strip().splitlines()[-1] == "queued=1"
    assert Outbox.objects.filter(ticket=ticket, kind="follow_up").count() == 1


def test_the_scheduler_sends_follow_up_links_past_a_backlog(client, settings):
    """The job runs every minute with a limit: tickets whose link went out are skipped in the
    query, so the next run reaches the next tickets instead of the same oldest ones."""
    from hotline.intake.tasks import portal_follow_up_links
    from hotline.runtime.jobs import JOBS

    assert "hotline.intake.tasks.portal_follow_up_links" in {job.task for job in JOBS}
    settings.HOTLINE_PORTAL_RATES = {"code_gap": (100, 60)}
    first = replied(client)
    second = replied(client)
    assert portal_follow_up_links.call(limit=1) == 1
    assert portal_follow_up_links.call(limit=1) == 1
    assert portal_follow_up_links.call(limit=1) == 0
    for ticket in (first, second):
        assert Outbox.objects.filter(ticket=ticket, kind="follow_up").count() == 1
