"""Background work of the insight app (Django's tasks interface). Thin: each task calls a command
or a service and can be retried safely."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.tasks import task


@task()
def insight_retrain() -> str:
    """Retrain the suggestion model from the dispatchers' final choices in the database and
    make it the one in use. Returns the new model's name."""
    out = StringIO()
    call_command("insight_train", stdout=out)
    return out.getvalue().strip().splitlines()[-1].removeprefix("model=")
