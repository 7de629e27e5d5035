"""The month of the assessment tests (october.py), imported with import_history."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from october import history_lines

from hotline.orgs.models import Category


@pytest.fixture
def october(tmp_path, django_db_blocker):
    """Import the month; red warnings come from the platform's own scanner; one accountability
    record. Returns the ticket numbers by source id."""
    from hotline.accounts.models import User
    from hotline.insight.services import repeats_check
    from hotline.intake.history import imported_sources
    from hotline.supervision.services import accountability_record
    from hotline.supervision.warnings import warnings_scan

    complex_category = (
        Category.objects.filter(
            level=3, time_limit=15, time_limit_unit="working_days", utility=False
        )
        .order_by("code")
        .first()
    )
    path = tmp_path / "october.jsonl"
    path.write_text("\n".join(history_lines(complex_category.code)) + "\n", encoding="utf-8")
    out = StringIO()
    call_command("import_history", str(path), stdout=out, stderr=StringIO())
    assert out.getvalue().strip().splitlines()[-1] == "imported=20 failed=0", out.getvalue()
    warnings_scan()
    repeats_check()  # the repeat detector's verdicts, as its job takes them
    numbers = imported_sources()
    accountability_record(
        actor=User.objects.get(username="supervisor"),
        data={"ticket": numbers["T09"], "unit": "housing", "reason": "超期未办", "measure": "talk"},
    )
    return numbers
