"""The pure half of call records: validation, rates, periods and the two CDR converters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hotline.telephony import records
from hotline.telephony.records import RecordError, record_clean, records_clean

GOOD = {
    "call_id": "c-1",
    "line": "12345",
    "caller": "13800001111",
    "queued_at": "2026-12-01T08:00:00+08:00",
    "answered_at": "2026-12-01T08:00:15+08:00",
    "ended_at": "2026-12-01T08:03:00+08:00",
    "agent": "agent",
    "outcome": "answered",
}


def test_a_good_record_is_cleaned_to_utc_with_its_wait():
    call = record_clean(GOOD)
    assert call.queued_at == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert call.wait_us == 15_000_000
    assert records.record_json(call)["queued_at"] == "2026-12-01T08:00:00+08:00"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"call_id": ""}, "call_id"),
        ({"line": None}, "line"),
        ({"queued_at": "2026-12-01 08:00:00"}, "queued_at"),
        ({"queued_at": "yesterday"}, "queued_at"),
        ({"ended_at": None}, "ended_at"),
        ({"answered_at": "2026-12-01T07:59:00+08:00"}, "answered_at"),
        ({"ended_at": "2026-12-01T08:00:10+08:00"}, "ended_at"),
        ({"outcome": "lost"}, "outcome"),
        ({"outcome": "abandoned"}, "answered_at"),
        ({"answered_at": None}, "answered_at"),
        ({"agent": 7}, "agent"),
        ({"line": "x" * 33}, "line"),
    ],
)
def test_a_bad_record_names_its_field(change, field):
    with pytest.raises(RecordError) as err:
        record_clean({**GOOD, **change})
    assert err.value.field == field


def test_a_batch_names_the_index_of_the_first_bad_record():
    batch = [GOOD, {**GOOD, "call_id": "c-2"}, {**GOOD, "call_id": "c-3", "outcome": "x"}]
    with pytest.raises(RecordError) as err:
        records_clean(batch, max_records=10)
    assert err.value.field == "[2].outcome"
    with pytest.raises(RecordError) as err:
        records_clean([GOOD, "nope"], max_records=10)
    assert err.value.field == "[1]"
    with pytest.raises(RecordError):
        records_clean([GOOD] * 11, max_records=10)
    with pytest.raises(RecordError):
        records_clean([], max_records=10)


@pytest.mark.parametrize(
    "part, whole, expected",
    [(0, 0, None), (1, 3, 33.33), (2, 3, 66.67), (1, 8, 12.5), (5, 5, 100.0), (1, 800, 0.13)],
)
def test_rates_are_percentages_rounded_half_up(part, whole, expected):
    assert records.rate(part, whole) == expected


def test_periods_are_local_hours_days_and_months():
    moment = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 2026-12-01 00:30 in Shanghai
    assert records.period_of(moment, "hour") == "2026-12-01T00"
    assert records.period_of(moment, "day") == "2026-12-01"
    assert records.period_of(moment, "month") == "2026-12"


# --- FreeSWITCH mod_json_cdr ------------------------------------------------------------------
# Written from the published format: a document with "variables" (channel variables, all
# strings, times as *_epoch seconds and *_uepoch microseconds, 0 when it never happened) and
# "callflow" (a list of caller profiles).


def freeswitch_cdr(**variables):
    base = {
        "uuid": "4f1e0d3a-9d2c-4b8e-9d3c-2a3b1c0d9e8f",
        "direction": "inbound",
        "caller_id_number": "13912345678",
        "destination_number": "12345",
        "start_epoch": "1764547200",  # 2025-12-01T00:00:00Z
        "start_uepoch": "1764547200000000",
        "answer_epoch": "1764547212",
        "answer_uepoch": "1764547212500000",
        "end_epoch": "1764547380",
        "end_uepoch": "1764547380000000",
        "hangup_cause": "NORMAL_CLEARING",
    }
    base.update(variables)
    return {
        "core-uuid": "c0ffee00-0000-4000-8000-000000000001",
        "switchname": "hotline-fs1",
        "channel_data": {"state": "CS_REPORTING", "direction": "inbound"},
        "variables": {k: v for k, v in base.items() if v is not None},
        "app_log": {"application": [{"app_name": "callcenter", "app_data": "12345@default"}]},
        "callflow": [
            {
                "dialplan": "XML",
                "profile_index": "1",
                "caller_profile": {
                    "username": "",
                    "caller_id_number": base["caller_id_number"],
                    "destination_number": base["destination_number"],
                    "uuid": base["uuid"],
                },
                "times": {"created_time": base["start_uepoch"]},
            }
        ],
    }


def test_freeswitch_answered_call_through_a_queue():
    cdr = freeswitch_cdr(
        cc_queue="complaints@default",
        cc_agent="agent@default",
        cc_queue_joined_epoch="1764547205",
        cc_queue_answered_epoch="1764547220",
        record_path="/var/lib/freeswitch/recordings/4f1e.wav",
    )
    call = record_clean(records.freeswitch_record(cdr))
    assert call.call_id == "4f1e0d3a-9d2c-4b8e-9d3c-2a3b1c0d9e8f"
    assert call.line == "complaints"
    assert call.caller == "13912345678"
    assert call.agent == "agent"
    assert call.wait_us == 15_000_000  # queue join to queue answer
    assert call.outcome == "answered"
    assert call.recording_ref.endswith("4f1e.wav")


def test_freeswitch_without_a_queue_uses_microsecond_epochs():
    call = record_clean(records.freeswitch_record(freeswitch_cdr()))
    assert call.line == "12345"
    assert call.wait_us == 12_500_000
    assert call.agent is None


def test_freeswitch_unanswered_and_callback():
    abandoned = freeswitch_cdr(answer_epoch="0", answer_uepoch="0", cc_cancel_reason="TIMEOUT")
    assert record_clean(records.freeswitch_record(abandoned)).outcome == "abandoned"
    callback = freeswitch_cdr(answer_epoch="0", answer_uepoch="0", cc_cancel_reason="BREAK_OUT")
    call = record_clean(records.freeswitch_record(callback))
    assert call.outcome == "callback" and call.answered_at is None


def test_freeswitch_outbound_legs_are_not_offered_calls():
    assert records.freeswitch_is_inbound(freeswitch_cdr())
    assert not records.freeswitch_is_inbound(freeswitch_cdr(direction="outbound"))


def test_freeswitch_file_shapes():
    import json

    one = freeswitch_cdr()
    assert len(list(records.freeswitch_documents(json.dumps(one)))) == 1
    assert len(list(records.freeswitch_documents(json.dumps([one, one])))) == 2
    lines = json.dumps(one) + "\n" + json.dumps(one) + "\n"
    assert len(list(records.freeswitch_documents(lines))) == 2
    with pytest.raises(RecordError):
        list(records.freeswitch_documents('{"a": 1}\nnot json\n'))


# --- Asterisk cdr_csv Master.csv --------------------------------------------------------------
# Columns: accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start,
# answer, end, duration, billsec, disposition, amaflags, uniqueid, userfield.

ASTERISK_ANSWERED = (
    '"","13800138000","12345","from-pstn","""Zhang"" <13800138000>","SIP/trunk-00000001",'
    '"SIP/1001-00000002","Queue","hotline","2026-12-01 09:00:00","2026-12-01 09:00:16",'
    '"2026-12-01 09:05:00",300,284,"ANSWERED","DOCUMENTATION","1764550800.1","rec/1764550800.1.wav"'
)
ASTERISK_NO_ANSWER = (
    '"","13800138001","12345","from-pstn","<13800138001>","SIP/trunk-00000003","",'
    '"Queue","hotline","2026-12-01 09:01:00","","2026-12-01 09:02:00",60,0,"NO ANSWER",'
    '"DOCUMENTATION","1764550860.3",""'
)


def test_asterisk_rows_map_to_records():
    rows = list(records.asterisk_rows(ASTERISK_ANSWERED + "\n" + ASTERISK_NO_ANSWER + "\n"))
    answered = record_clean(records.asterisk_record(rows[0]))
    assert answered.call_id == "1764550800.1"
    assert answered.line == "12345"
    assert answered.caller == "13800138000"
    assert answered.agent == "1001"
    assert answered.queued_at == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert answered.wait_us == 16_000_000
    assert answered.recording_ref == "rec/1764550800.1.wav"
    missed = record_clean(records.asterisk_record(rows[1]))
    assert missed.outcome == "abandoned" and missed.answered_at is None and missed.agent is None
    assert records.asterisk_record(rows[0], line_from="dcontext")["line"] == "from-pstn"


def test_asterisk_bad_rows():
    with pytest.raises(RecordError) as err:
        records.asterisk_record(["a", "b"])
    assert err.value.field == "row"
    row = next(iter(records.asterisk_rows(ASTERISK_ANSWERED.replace("2026-12-01 09:00:00", "x"))))
    with pytest.raises(RecordError) as err:
        records.asterisk_record(row)
    assert err.value.field == "start"
