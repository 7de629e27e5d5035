"""seed_demo builds the evaluators and the call records too, and a second run adds nothing."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from hotline.feedback.models import Evaluator
from hotline.telephony.models import CallRecord


def test_seed_demo_makes_the_roster_and_the_calls_and_is_idempotent():
    out = StringIO()
    call_command("seed_demo", tickets=0, no_train=True, call_days=2, stdout=out)
    assert "new_evaluators=" in out.getvalue()
    evaluators, calls = Evaluator.objects.count(), CallRecord.objects.count()
    assert evaluators >= 11 + 16 and calls > 100
    again = StringIO()
    call_command("seed_demo", tickets=0, no_train=True, call_days=2, stdout=again)
    assert "new_logins=0 new_evaluators=0" in again.getvalue()
    assert Evaluator.objects.count() == evaluators
    # Only the calls that ended in the seconds between the two runs can be new.
    assert CallRecord.objects.count() - calls <= 2
