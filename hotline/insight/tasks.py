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
    make it the one in use. Returns the new model's name, or None when there is not yet
    enough history to train on (a new platform): the model in use stays."""
    out = StringIO()
    try:
        call_command("insight_train", stdout=out)
    except CommandError as error:
        log.info("retraining skipped: %s", error)
        return None
    return out.getvalue().strip().splitlines()[-1].removeprefix("model=")
