"""Call records as the telephony system sends them: validation and the two CDR converters.
Pure: no ORM, no settings. See docs/telephony.md for the mappings.

A record (DESIGN section 9) is ``{call_id, line, caller, queued_at, answered_at, ended_at,
agent, outcome, recording_ref?}``. ``record_clean`` turns one JSON object into a ``Call`` or
raises ``RecordError`` naming the field; the API prefixes the field with the record's index.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

OUTCOMES = ("answered", "abandoned", "transferred", "callback")
ANSWERED_OUTCOMES = ("answered", "transferred")
WITHIN = timedelta(seconds=15)  # GB/T 33358-2016: answered within 15 s of queueing (15 s included)
SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_ID, MAX_LINE, MAX_CALLER, MAX_AGENT, MAX_REF = 64, 32, 32, 150, 255


class RecordError(ValueError):
    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class Call:
    call_id: str
    line: str
    caller: str
    queued_at: datetime
    answered_at: datetime | None
    ended_at: datetime
    agent: str | None
    outcome: str
    recording_ref: str = ""

    @property
    def wait_us(self) -> int | None:
        """Microseconds from queueing to answer (None when never answered)."""
        if self.answered_at is None:
            return None
        delta = self.answered_at - self.queued_at
        return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _string(data: Mapping, field: str, max_len: int, *, required: bool) -> str:
    value = data.get(field)
    if value is None or value == "":
        if required:
            raise RecordError(field, "required")
        return ""
    if not isinstance(value, str):
        raise RecordError(field, "must be a string")
    value = value.strip()
    if required and not value:
        raise RecordError(field, "required")
    if len(value) > max_len:
        raise RecordError(field, f"at most {max_len} characters")
    return value


def parse_time(value: object, field: str, *, required: bool) -> datetime | None:
    """An ISO 8601 time with its UTC offset (``2026-12-01T08:00:03+08:00`` or ``...Z``)."""
    if value is None or value == "":
        if required:
            raise RecordError(field, "required (ISO 8601 with offset)")
        return None
    if not isinstance(value, str):
        raise RecordError(field, "must be an ISO 8601 string with offset")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(field, "not an ISO 8601 time") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise RecordError(field, "must carry a UTC offset, e.g. +08:00")
    return moment.astimezone(UTC)


def record_clean(data: object) -> Call:
    """One record as a ``Call``; ``RecordError`` names the first wrong field."""
    if not isinstance(data, Mapping):
        raise RecordError("body", "a call record must be a JSON object")
    call_id = _string(data, "call_id", MAX_ID, required=True)
    line = _string(data, "line", MAX_LINE, required=True)
    caller = _string(data, "caller", MAX_CALLER, required=False)
    queued_at = parse_time(data.get("queued_at"), "queued_at", required=True)
    answered_at = parse_time(data.get("answered_at"), "answered_at", required=False)
    ended_at = parse_time(data.get("ended_at"), "ended_at", required=True)
    agent = _string(data, "agent", MAX_AGENT, required=False) or None
    outcome = data.get("outcome")
    if outcome not in OUTCOMES:
        raise RecordError("outcome", f"required, one of {', '.join(OUTCOMES)}")
    recording_ref = _string(data, "recording_ref", MAX_REF, required=False)
    assert queued_at is not None and ended_at is not None
    if answered_at is not None and answered_at < queued_at:
        raise RecordError("answered_at", "earlier than queued_at")
    if ended_at < (answered_at or queued_at):
        raise RecordError("ended_at", "earlier than answered_at or queued_at")
    if outcome in ANSWERED_OUTCOMES and answered_at is None:
        raise RecordError("answered_at", f"required when the outcome is {outcome}")
    if outcome == "abandoned" and answered_at is not None:
        raise RecordError("answered_at", "an abandoned call was never answered: must be null")
    return Call(
        call_id=call_id,
        line=line,
        caller=caller,
        queued_at=queued_at,
        answered_at=answered_at,
        ended_at=ended_at,
        agent=agent,
        outcome=outcome,
        recording_ref=recording_ref,
    )


def records_clean(body: object, *, max_records: int) -> list[Call]:
    """A body of one record or a list of records. The field of an error in a list is
    ``[index].field`` (index from 0); the whole batch is refused on the first bad record."""
    if isinstance(body, Mapping):
        return [record_clean(body)]
    if not isinstance(body, list):
        raise RecordError("body", "one call record (an object) or a list of them")
    if not body:
        raise RecordError("body", "the list is empty")
    if len(body) > max_records:
        raise RecordError("body", f"at most {max_records} records a request")
    calls = []
    for index, item in enumerate(body):
        try:
            calls.append(record_clean(item))
        except RecordError as exc:
            field = f"[{index}]" if exc.field == "body" else f"[{index}].{exc.field}"
            raise RecordError(field, exc.message) from None
    return calls


def record_json(call: Call) -> dict:
    """A ``Call`` back as the API's JSON record (times in Asia/Shanghai with offset)."""

    def iso(moment: datetime | None) -> str | None:
        return moment.astimezone(SHANGHAI).isoformat() if moment else None

    return {
        "call_id": call.call_id,
        "line": call.line,
        "caller": call.caller,
        "queued_at": iso(call.queued_at),
        "answered_at": iso(call.answered_at),
        "ended_at": iso(call.ended_at),
        "agent": call.agent,
        "outcome": call.outcome,
        "recording_ref": call.recording_ref,
    }


# --- rates -------------------------------------------------------------------------------------


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` in %, rounded half up to 2 decimals; None for an empty denominator."""
    if not whole:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return float(value)


PERIOD_FORMATS = {"hour": "%Y-%m-%dT%H", "day": "%Y-%m-%d", "month": "%Y-%m"}


def period_of(moment: datetime, by: str) -> str:
    """The period label of ``moment`` (its Asia/Shanghai hour, day or month)."""
    return moment.astimezone(SHANGHAI).strftime(PERIOD_FORMATS[by])


# --- FreeSWITCH JSON CDR (mod_json_cdr) --------------------------------------------------------


def _epoch(variables: Mapping, name: str) -> datetime | None:
    """``<name>_uepoch`` (microseconds) when present, else ``<name>_epoch`` (seconds); 0 or
    missing means the moment never happened (e.g. ``answer_epoch`` of an unanswered call)."""
    micro = variables.get(f"{name}_uepoch")
    if micro not in (None, "", "0", 0):
        return datetime.fromtimestamp(int(micro) / 1_000_000, tz=UTC)
    seconds = variables.get(f"{name}_epoch")
    if seconds not in (None, "", "0", 0):
        return datetime.fromtimestamp(int(seconds), tz=UTC)
    return None


def _clean_agent(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


def freeswitch_record(cdr: Mapping, *, default_line: str = "12345") -> dict:
    """One mod_json_cdr document as a call record (a dict for ``record_clean``).

    call_id: variables.uuid (else callflow's unique-id); line: variables.hotline_line, else
    variables.cc_queue (mod_callcenter's queue), else the dialled destination_number;
    caller: variables.caller_id_number (else the caller profile's caller_id_number); queued_at:
    variables.cc_queue_joined_epoch when the call went through a queue, else start_(u)epoch;
    answered_at: variables.cc_queue_answered_epoch, else answer_(u)epoch (0 = never); ended_at:
    end_(u)epoch; agent: variables.cc_agent (mod_callcenter), else
    variables.hotline_agent; outcome: variables.hotline_outcome when set, else answered (or
    transferred when variables.transfer_history is set) for an answered call, callback when
    variables.cc_cancel_reason is BREAK_OUT (the caller left the queue for a callback), else
    abandoned; recording_ref: variables.record_path or variables.hotline_recording.
    """
    variables = cdr.get("variables") or {}
    if not isinstance(variables, Mapping):
        raise RecordError("variables", "must be an object")
    profile = _caller_profile(cdr)
    answered = _epoch(variables, "cc_queue_answered") or _epoch(variables, "answer")
    queued = _epoch(variables, "cc_queue_joined") or _epoch(variables, "start")
    ended = _epoch(variables, "end")
    return {
        "call_id": _first(variables.get("uuid"), profile.get("uuid"), profile.get("unique-id")),
        "line": _before_at(
            _first(
                variables.get("hotline_line"),
                variables.get("cc_queue"),
                variables.get("destination_number"),
                profile.get("destination_number"),
                default_line,
            )
        ),
        "caller": _first(variables.get("caller_id_number"), profile.get("caller_id_number"), ""),
        "queued_at": queued.isoformat() if queued else None,
        "answered_at": answered.isoformat() if answered else None,
        "ended_at": ended.isoformat() if ended else None,
        "agent": _before_at(
            _clean_agent(_first(variables.get("cc_agent"), variables.get("hotline_agent")))
        ),
        "outcome": variables.get("hotline_outcome") or _freeswitch_outcome(variables, answered),
        "recording_ref": _first(
            variables.get("record_path"), variables.get("hotline_recording"), ""
        ),
    }


def _first(*values: object) -> object:
    """The first value that is set (not None, not empty), else the last one."""
    for value in values:
        if value not in (None, ""):
            return value
    return values[-1]


def _before_at(value: object) -> object:
    """mod_callcenter names queues and agents "name@domain": the name."""
    return value.split("@", 1)[0] if isinstance(value, str) and "@" in value else value


def _caller_profile(cdr: Mapping) -> Mapping:
    callflow = cdr.get("callflow")
    if isinstance(callflow, list) and callflow:
        callflow = callflow[0]
    if isinstance(callflow, Mapping):
        return callflow.get("caller_profile") or {}
    return {}


def _freeswitch_outcome(variables: Mapping, answered: datetime | None) -> str:
    if answered is not None:
        return "transferred" if variables.get("transfer_history") else "answered"
    if variables.get("cc_cancel_reason") == "BREAK_OUT":
        return "callback"
    return "abandoned"


def freeswitch_is_inbound(cdr: object) -> bool:
    """Only the caller's leg counts as an offered call: a CDR whose variables.direction is
    "outbound" (the leg to an agent, an outbound call) is skipped."""
    if not isinstance(cdr, Mapping):
        return True
    variables = cdr.get("variables") or {}
    return not (isinstance(variables, Mapping) and variables.get("direction") == "outbound")


def freeswitch_documents(text: str) -> Iterator[object]:
    """The CDR documents of a file: one JSON document, a JSON list of them, or one a line."""
    stripped = text.strip()
    if not stripped:
        return
    try:
        whole = json.loads(stripped)
    except ValueError:
        whole = None
    if isinstance(whole, list):
        yield from whole
        return
    if isinstance(whole, Mapping):
        yield whole
        return
    for number, line in enumerate(stripped.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except ValueError:
            raise RecordError(f"line {number}", "not a JSON document") from None


# --- Asterisk CSV CDR (cdr_csv, Master.csv) ----------------------------------------------------

ASTERISK_COLUMNS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "uniqueid",
    "userfield",
)


def _asterisk_time(value: str, field: str, tz: ZoneInfo) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise RecordError(field, f"not a 'YYYY-MM-DD HH:MM:SS' time: {value!r}") from None
    return moment.replace(tzinfo=tz)


def _channel_agent(channel: str) -> str | None:
    """``SIP/1001-0000002a`` or ``PJSIP/agent7-00000001`` -> ``1001`` / ``agent7``."""
    channel = (channel or "").strip()
    if not channel or "/" not in channel:
        return None
    peer = channel.split("/", 1)[1]
    return peer.rsplit("-", 1)[0] or None


def asterisk_record(row: list[str], *, tz: ZoneInfo = SHANGHAI, line_from: str = "dst") -> dict:
    """One Master.csv row (18 columns, no header) as a call record.

    call_id: uniqueid; line: dst (the dialled hotline number) or, with ``line_from="dcontext"``,
    the context; caller: src; queued_at: start; answered_at: answer (empty = never answered;
    cdr_csv writes start/answer/end in the server's local time, taken as ``tz``); ended_at: end;
    agent: the peer of dstchannel (``SIP/1001-0000002a`` -> ``1001``); outcome: ANSWERED with an
    answer time -> answered (transferred when lastapp is Transfer), NO ANSWER / BUSY / FAILED /
    CONGESTION -> abandoned; recording_ref: userfield."""
    if len(row) < len(ASTERISK_COLUMNS):
        raise RecordError("row", f"{len(row)} columns, Master.csv has {len(ASTERISK_COLUMNS)}")
    cols = dict(zip(ASTERISK_COLUMNS, row, strict=False))
    queued = _asterisk_time(cols["start"], "start", tz)
    answered = _asterisk_time(cols["answer"], "answer", tz)
    ended = _asterisk_time(cols["end"], "end", tz)
    disposition = cols["disposition"].strip().upper()
    if disposition != "ANSWERED":
        answered = None
    if answered is not None:
        outcome = "transferred" if cols["lastapp"].strip().lower() == "transfer" else "answered"
    else:
        outcome = "abandoned"
    return {
        "call_id": cols["uniqueid"].strip(),
        "line": cols["dcontext" if line_from == "dcontext" else "dst"].strip(),
        "caller": cols["src"].strip(),
        "queued_at": queued.isoformat() if queued else None,
        "answered_at": answered.isoformat() if answered else None,
        "ended_at": ended.isoformat() if ended else None,
        "agent": _channel_agent(cols["dstchannel"]) if answered is not None else None,
        "outcome": outcome,
        "recording_ref": cols["userfield"].strip(),
    }


def asterisk_rows(text: str) -> Iterable[list[str]]:
    return (row for row in csv.reader(io.StringIO(text)) if row and any(c.strip() for c in row))
