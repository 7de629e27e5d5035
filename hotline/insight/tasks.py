"""Background work of the insight app (Django's tasks interface). Thin: each task calls a command
or a service and can be retried safely."""

from __future__ import annotations

import logging
from io import StringIO

from django.core.management import CommandError, call_command
from django.tasks import task

log = logging.getLogger("hotline.insight")


@task()
def insight_retrain() -> str | None:
    """Retrain the suggestion model from the dispatchers' final choices in the database and
    make it the one in use if it does at least as well as the model in use on the newest
    tickets (``insight_train --if-better``). Returns the new model's name, or None when the
    model in use stays: not enough history yet, or the retrained model is worse."""
    out = StringIO()
    try:
        call_command("insight_train", "--if-better", stdout=out)
    except CommandError as error:
        log.info("retraining skipped: %s", error)
        return None
    return out.getvalue().strip().splitlines()[-1].removeprefix("model=")


@task()
def insight_repeats() -> int:
    """The repeat detector's verdict on the tickets that have none yet (the assessment's
    repeats); returns how many were checked."""
    from .services import repeats_check

    return repeats_check()
