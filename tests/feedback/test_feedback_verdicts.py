"""The structured verdict's four judgements (pure)."""

from __future__ import annotations

import copy

import pytest

from hotline.core.errors import BadInput
from hotline.feedback.verdicts import JUDGEMENTS, judgements_clean
from tests.factories import JUDGEMENTS as GOOD


def test_four_judgements_are_kept_with_their_notes():
    assert judgements_clean(GOOD) == GOOD
    assert set(JUDGEMENTS) == set(GOOD)


def without(name):
    data = copy.deepcopy(GOOD)
    del data[name]
    return data


def changed(name, **item):
    data = copy.deepcopy(GOOD)
    data[name].update(item)
    return data


@pytest.mark.parametrize(
    "raw, field",
    [
        (None, "judgements"),
        ("yes", "judgements"),
        (without("complaint_lawful"), "judgements.complaint_lawful"),
        (without("result_lawful"), "judgements.result_lawful"),
        ({**GOOD, "extra": {"value": True, "note": "x"}}, "judgements.extra"),
        (changed("process_compliant", value="true"), "judgements.process_compliant.value"),
        (changed("process_compliant", value=None), "judgements.process_compliant.value"),
        (changed("complaint_reasonable", note="  "), "judgements.complaint_reasonable.note"),
        (changed("complaint_reasonable", note="x" * 2001), "judgements.complaint_reasonable.note"),
        ({**GOOD, "result_lawful": True}, "judgements.result_lawful"),
    ],
)
def test_a_missing_or_wrong_judgement_names_its_field(raw, field):
    with pytest.raises(BadInput) as err:
        judgements_clean(raw)
    assert err.value.field == field
