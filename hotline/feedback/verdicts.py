"""The structured verdict of third-party review (DESIGN section 4). Pure: no ORM.

The evaluator judges the complaint (reasonable? lawful?) and the unit (process compliant?
result lawful?), each true or false with a note, and gives the outcome (``verdict``: proper or
redo). The review action carries them as::

    "judgements": {
        "complaint_reasonable": {"value": true, "note": "..."},
        "complaint_lawful": {"value": true, "note": "..."},
        "process_compliant": {"value": false, "note": "..."},
        "result_lawful": {"value": true, "note": "..."}
    }
"""

from __future__ import annotations

from collections.abc import Mapping

from hotline.core.errors import BadInput

JUDGEMENTS = {
    "complaint_reasonable": "诉求是否合理",
    "complaint_lawful": "诉求是否合法",
    "process_compliant": "办理过程是否合规",
    "result_lawful": "办理结果是否合法",
}
MAX_NOTE = 2000


def judgements_clean(raw: object) -> dict[str, dict]:
    """The four judgements, checked; ``BadInput`` names the first missing or wrong field
    (``judgements``, ``judgements.<name>``, ``judgements.<name>.value`` or ``.note``)."""
    if raw is None:
        raise BadInput("judgements", f"required: {', '.join(JUDGEMENTS)}, each {{value, note}}")
    if not isinstance(raw, Mapping):
        raise BadInput("judgements", "must be an object")
    unknown = sorted(set(raw) - set(JUDGEMENTS))
    if unknown:
        raise BadInput(f"judgements.{unknown[0]}", f"unknown; one of {', '.join(JUDGEMENTS)}")
    out: dict[str, dict] = {}
    for name in JUDGEMENTS:
        item = raw.get(name)
        field = f"judgements.{name}"
        if item is None:
            raise BadInput(field, "required: {value: true or false, note}")
        if not isinstance(item, Mapping):
            raise BadInput(field, "must be an object {value, note}")
        value = item.get("value")
        if not isinstance(value, bool):
            raise BadInput(f"{field}.value", "required, true or false")
        note = item.get("note")
        if not isinstance(note, str) or not note.strip():
            raise BadInput(f"{field}.note", "required, the reason for the judgement")
        if len(note.strip()) > MAX_NOTE:
            raise BadInput(f"{field}.note", f"at most {MAX_NOTE} characters")
        out[name] = {"value": value, "note": note.strip()}
    return out
