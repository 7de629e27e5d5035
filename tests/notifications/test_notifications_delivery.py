"""Delivering the outbox: backoff and retries, one bad row failing alone, idempotency keys,
leases, the task, the worker command, and rows reaching the worker only after commit."""

from __future__ import annotations

import json
import logging
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from hotline.notifications import services
from hotline.notifications.gateways import Gateway, GatewayError, PermanentError
from hotline.notifications.models import Outbox
from hotline.notifications.services import backoff_seconds, outbox_deliver_due, outbox_enqueue
from tests.factories import register


class Recorder(Gateway):
    """A gateway that fails ``failures`` times, then records what it sends."""

    def __init__(self, failures: int = 0, error: type[Exception] = GatewayError):
        self.failures, self.error = failures, error
        self.sent: list = []
        self.tries = 0

    def send(self, message):
        self.tries += 1
        if self.failures:
            self.failures -= 1
            raise self.error("gateway down")
        self.sent.append(message)
        return f"rec-{len(self.sent)}"


def enqueue(key: str, *, template="acknowledgement", params=None, recipient="13800002222", **kw):
    with transaction.atomic():
        outbox_enqueue(
            kind=kw.pop("kind", template),
            recipient=recipient,
            template=template,
            params={"number": "N1", "link": "http://h/l"} if params is None else params,
            key=key,
            **kw,
        )
    return Outbox.objects.get(idempotency_key=key)


def test_backoff_doubles_and_is_capped():
    assert [backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff_seconds(50) == services.BACKOFF_CAP


def test_gateway_down_retries_with_backoff_then_delivers_once():
    ticket = register()
    row = Outbox.objects.get(ticket=ticket, kind="acknowledgement")
    assert (row.status, row.recipient) == ("pending", "13800001111")
    gateway = Recorder(failures=3)
    t0 = timezone.now()
    waits = []
    moment = t0
    for attempt in (1, 2, 3):
        counts = outbox_deliver_due(now=moment, gateways={"sms": gateway})
        assert counts == {"claimed": 1, "sent": 0, "retry": 1, "failed": 0}
        row.refresh_from_db()
        assert (row.status, row.attempts) == ("pending", attempt)
        assert "gateway down" in row.last_error
        waits.append((row.next_attempt_at - moment).total_seconds())
        # not due before its time
        assert (
            outbox_deliver_due(
                now=row.next_attempt_at - timedelta(seconds=1), gateways={"sms": gateway}
            )["claimed"]
            == 0
        )
        moment = row.next_attempt_at
    assert waits == [30, 60, 120]
    assert outbox_deliver_due(now=moment, gateways={"sms": gateway})["sent"] == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.receipt, row.sent_at, row.last_error) == (
        "sent",
        4,
        "rec-1",
        moment,
        "",
    )
    assert row.next_attempt_at is None
    # delivered once: later runs find nothing
    assert (
        outbox_deliver_due(now=moment + timedelta(days=1), gateways={"sms": gateway})["claimed"]
        == 0
    )
    assert len(gateway.sent) == 1 and gateway.tries == 4
    (message,) = gateway.sent
    assert message.key == f"ack:{ticket.number}" and message.ticket == ticket.number
    assert f"工单号{ticket.number}" in message.text
    assert f"/portal/lookup?number={ticket.number}" in message.text


def test_after_the_last_attempt_the_row_fails(settings):
    settings.HOTLINE_OUTBOX_MAX_ATTEMPTS = 2
    row = enqueue("k-max")
    gateway = Recorder(failures=99)
    now = timezone.now()
    assert outbox_deliver_due(now=now, gateways={"sms": gateway})["retry"] == 1
    assert (
        outbox_deliver_due(now=now + timedelta(hours=1), gateways={"sms": gateway})["failed"] == 1
    )
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 2, None)
    assert "gateway down" in row.last_error
    assert (
        outbox_deliver_due(now=now + timedelta(days=1), gateways={"sms": gateway})["claimed"] == 0
    )


def test_a_refusal_fails_the_row_at_once():
    row = enqueue("k-refused")
    outbox_deliver_due(gateways={"sms": Recorder(failures=1, error=PermanentError)})
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "gateway down")


def test_missing_parameter_or_recipient_fails_that_row_only(caplog):
    good = enqueue("k-good")
    no_link = enqueue("k-no-link", template="follow_up", params={"number": "N2"})
    no_phone = enqueue("k-no-phone", template="yellow", recipient="", params={})
    unknown = enqueue("k-unknown", template="no-such-template", params={})
    wrong_channel = enqueue("k-fax", channel="fax")
    gateway = Recorder()
    caplog.set_level(logging.INFO, logger="hotline.notifications")
    counts = outbox_deliver_due(gateways={"sms": gateway})
    assert counts == {"claimed": 5, "sent": 1, "retry": 0, "failed": 4}
    assert [m.key for m in gateway.sent] == ["k-good"]
    for row in (good, no_link, no_phone, unknown, wrong_channel):
        row.refresh_from_db()
    assert good.status == "sent"
    assert (no_link.status, no_link.last_error) == (
        "failed",
        "template 'follow_up': missing parameter 'link'",
    )
    assert (no_phone.status, no_phone.last_error) == (
        "failed",
        "no recipient (missing phone number)",
    )
    assert (unknown.status, unknown.last_error) == (
        "failed",
        "template 'no-such-template': unknown template",
    )
    assert (wrong_channel.status, wrong_channel.last_error) == (
        "failed",
        "no gateway for channel 'fax'",
    )
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("k-no-link" in e and "missing parameter 'link'" in e for e in errors)
    assert any("k-no-phone" in e and "no recipient" in e for e in errors)


def test_a_crashing_gateway_does_not_stop_the_batch():
    class Broken(Gateway):
        def send(self, message):
            raise RuntimeError("bug")

    enqueue("k-sms")
    enqueue(
        "k-voice",
        template="voice_reminder",
        channel="voice",
        params={"unit": "u", "number": "n", "due_at": "d"},
    )
    voice = Recorder()
    counts = outbox_deliver_due(gateways={"sms": Broken(), "voice": voice})
    assert counts == {"claimed": 2, "sent": 1, "retry": 1, "failed": 0}
    assert Outbox.objects.get(idempotency_key="k-sms").last_error == "RuntimeError: bug"
    assert [m.channel for m in voice.sent] == ["voice"]


def test_the_idempotency_key_stops_a_second_send():
    enqueue("k-once")
    gateway = Recorder()
    outbox_deliver_due(gateways={"sms": gateway})
    enqueue("k-once", params={"number": "other", "link": "x"})  # the same change, written again
    assert Outbox.objects.filter(idempotency_key="k-once").count() == 1
    assert outbox_deliver_due(gateways={"sms": gateway})["claimed"] == 0
    assert [m.key for m in gateway.sent] == ["k-once"]
    assert gateway.sent[0].params["number"] == "N1"


def test_a_claimed_row_is_leased_until_its_worker_would_have_finished():
    row = enqueue("k-lease")
    now = timezone.now()
    (claimed,) = services._claim(limit=10, now=now)  # a worker claims it, then is killed
    assert claimed.attempts == 1
    gateway = Recorder()
    assert (
        outbox_deliver_due(
            now=now + timedelta(seconds=services.LEASE - 1), gateways={"sms": gateway}
        )["claimed"]
        == 0
    )
    later = now + timedelta(seconds=services.LEASE)
    assert outbox_deliver_due(now=later, gateways={"sms": gateway})["sent"] == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_late_answer_from_an_expired_lease_does_not_overwrite():
    row = enqueue("k-fence")
    now = timezone.now()
    (stale,) = services._claim(limit=1, now=now)
    outbox_deliver_due(now=now + timedelta(seconds=services.LEASE), gateways={"sms": Recorder()})
    services._mark_failed(stale, "late timeout", now, permanent=False)
    row.refresh_from_db()
    assert (row.status, row.last_error) == ("sent", "")


def test_batches_are_limited_and_in_order():
    for i in range(5):
        enqueue(f"k-batch-{i}")
    gateway = Recorder()
    assert outbox_deliver_due(limit=2, gateways={"sms": gateway})["sent"] == 2
    assert outbox_deliver_due(limit=10, gateways={"sms": gateway})["sent"] == 3
    assert [m.key for m in gateway.sent] == [f"k-batch-{i}" for i in range(5)]


def test_the_configured_gateway_is_used(settings, tmp_path):
    settings.HOTLINE_SMS_GATEWAY = "file"
    settings.HOTLINE_GATEWAY_FILE = tmp_path / "sms.jsonl"
    ticket = register()
    assert outbox_deliver_due()["sent"] == 1
    (line,) = (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["key"] == f"ack:{ticket.number}"
    assert Outbox.objects.get(ticket=ticket).receipt == f"file:ack:{ticket.number}"


def test_http_gateway_down_for_a_while_then_delivered_once(settings, fake_provider):
    settings.HOTLINE_SMS_GATEWAY = "http"
    settings.HOTLINE_HTTP_GATEWAY = {"url": fake_provider.url, "secret": "s", "timeout": 2}
    fake_provider.script = [(503, {}, 0), (502, {}, 0), (200, {"id": "p-1"}, 0)]
    ticket = register()
    now = timezone.now()
    for _ in range(3):
        outbox_deliver_due(now=now)
        now += timedelta(hours=1)
    row = Outbox.objects.get(ticket=ticket)
    assert (row.status, row.attempts, row.receipt) == ("sent", 3, "http:p-1")
    assert outbox_deliver_due(now=now)["claimed"] == 0
    assert len(fake_provider.received) == 3
    assert {r.headers["idempotency-key"] for r in fake_provider.received} == {
        f"ack:{ticket.number}"
    }


def test_the_task_delivers():
    from hotline.notifications.tasks import deliver_outbox

    register()
    result = deliver_outbox.enqueue(limit=10)  # the test settings run tasks immediately
    assert result.return_value == {"claimed": 1, "sent": 1, "retry": 0, "failed": 0}
    assert deliver_outbox.enqueue().return_value["claimed"] == 0  # idempotent


def test_the_worker_command_once():
    register()
    out = StringIO()
    call_command("deliver_outbox", "--once", stdout=out)
    assert json.loads(out.getvalue().splitlines()[-1]) == {
        "claimed": 1,
        "failed": 0,
        "retry": 0,
        "sent": 1,
    }
    assert Outbox.objects.get().status == "sent"


# --- real commits: what other connections see ---------------------------------------------------


def _in_thread(work):
    box: dict = {}

    def run():
        try:
            box["value"] = work()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            box["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return box


@pytest.mark.transactional
def test_rows_reach_the_worker_only_after_commit(transactional_db):
    gateway = Recorder()
    with transaction.atomic():
        outbox_enqueue(
            kind="test",
            recipient="13800003333",
            template="acknowledgement",
            params={"number": "N", "link": "L"},
            key="k-commit",
        )
        if connection.vendor == "postgresql":
            during = _in_thread(lambda: outbox_deliver_due(gateways={"sms": gateway}))
            assert during == {"value": {"claimed": 0, "sent": 0, "retry": 0, "failed": 0}}
        else:
            # SQLite: one writer at a time; a worker's read sees the last commit only.
            during = _in_thread(lambda: Outbox.objects.filter(idempotency_key="k-commit").exists())
            assert during.get("value") is False or "locked" in str(during.get("error"))
    after = _in_thread(lambda: outbox_deliver_due(gateways={"sms": gateway}))
    assert after == {"value": {"claimed": 1, "sent": 1, "retry": 0, "failed": 0}}
    assert [m.key for m in gateway.sent] == ["k-commit"]


@pytest.mark.transactional
def test_a_rolled_back_change_sends_nothing(transactional_db):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue(
            kind="test", recipient="1", template="acknowledgement", params={}, key="k-rollback"
        )
        raise RuntimeError("the causing change failed")
    assert outbox_deliver_due(gateways={"sms": Recorder()})["claimed"] == 0


@pytest.mark.transactional
@pytest.mark.postgres
def test_parallel_workers_send_each_row_once(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED runs on PostgreSQL (make test-postgres)")
    with transaction.atomic():
        for i in range(60):
            outbox_enqueue(
                kind="test",
                recipient="13800004444",
                template="acknowledgement",
                params={"number": i, "link": "L"},
                key=f"k-par-{i}",
            )
    gateway = Recorder()
    lock = threading.Lock()
    original = gateway.send

    def send(message):
        with lock:
            return original(message)

    gateway.send = send
    barrier = threading.Barrier(4)

    def worker():
        barrier.wait()
        total = 0
        while True:
            counts = outbox_deliver_due(limit=5, gateways={"sms": gateway})
            if not counts["claimed"]:
                return total
            total += counts["sent"]

    boxes = []
    threads = []
    for _ in range(4):
        box: dict = {}
        boxes.append(box)

        def run(box=box):
            try:
                box["value"] = worker()
            finally:
                connections.close_all()

        threads.append(threading.Thread(target=run))
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(b["value"] for b in boxes) == 60
    keys = [m.key for m in gateway.sent]
    assert len(keys) == len(set(keys)) == 60
    assert Outbox.objects.filter(status="sent").count() == 60
