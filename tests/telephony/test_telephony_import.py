"""python manage.py import_calls FILE --format freeswitch|asterisk, on files written from the
published formats (test_telephony_records has the fixtures); a re-sent file changes nothing."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from hotline.telephony.models import CallRecord
from tests.telephony.test_telephony_records import (
    ASTERISK_ANSWERED,
    ASTERISK_NO_ANSWER,
    freeswitch_cdr,
)


def run(path, fmt, *extra) -> str:
    out = StringIO()
    call_command("import_calls", str(path), "--format", fmt, *extra, stdout=out, stderr=StringIO())
    return out.getvalue().strip().splitlines()[-1]


def test_freeswitch_file_imported_once(tmp_path):
    docs = [
        freeswitch_cdr(uuid="fs-1", cc_queue="12345@default", cc_agent="agent@default"),
        freeswitch_cdr(uuid="fs-2", answer_epoch="0", answer_uepoch="0"),
        freeswitch_cdr(uuid="fs-3", direction="outbound"),  # the agent's leg: not a call offered
    ]
    path = tmp_path / "cdr.json"
    path.write_text("\n".join(json.dumps(d) for d in docs))
    assert run(path, "freeswitch") == "imported=2 existing=0 failed=0"
    before = list(CallRecord.objects.order_by("call_id").values())
    assert run(path, "freeswitch") == "imported=0 existing=2 failed=0"
    assert list(CallRecord.objects.order_by("call_id").values()) == before
    assert CallRecord.objects.get(call_id="fs-1").agent == "agent"
    assert CallRecord.objects.get(call_id="fs-2").outcome == "abandoned"


def test_asterisk_master_csv_imported_once(tmp_path):
    path = tmp_path / "Master.csv"
    path.write_text(ASTERISK_ANSWERED + "\n" + ASTERISK_NO_ANSWER + "\n")
    assert run(path, "asterisk") == "imported=2 existing=0 failed=0"
    assert run(path, "asterisk") == "imported=0 existing=2 failed=0"
    answered = CallRecord.objects.get(call_id="1764550800.1")
    assert answered.wait_us == 16_000_000 and answered.agent == "1001"


def test_a_file_with_a_bad_record_writes_nothing_unless_asked(tmp_path):
    path = tmp_path / "Master.csv"
    broken = ASTERISK_NO_ANSWER.replace("2026-12-01 09:02:00", "")  # no end time
    path.write_text(ASTERISK_ANSWERED + "\n" + broken + "\n")
    err = StringIO()
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_calls", str(path), "--format", "asterisk", stdout=out, stderr=err)
    assert "row 2: ended_at" in err.getvalue()
    assert out.getvalue().strip().endswith("imported=0 existing=0 failed=1")
    assert not CallRecord.objects.exists()
    assert run(path, "asterisk", "--skip-bad") == "imported=1 existing=0 failed=1"
