"""Background work of the insight app (Django's tasks interface). Thin: each task calls a service and can be retried safely."""

from __future__ import annotations

import logging

from django.tasks import task

from .services import ModelKept, model_retrain

log = logging.getLogger("hotline.insight")


@task()
def insight_retrain() -> str | None:
    """Retrain the suggestion model from the dispatchers' final choices in the database and
    make it the one in use if it does at least as well as the model in use on the newest
    tickets (``services.model_retrain``). Returns the new model's name, or None when the
    model in use stays: not enough history yet, or the retrained model is worse."""
    try:
        return model_retrain().version
    except ModelKept as kept:
        log.info("retraining skipped: %s", kept)
        return None


@task()
def insight_repeats() -> int:
    """The repeat detector's verdict on the tickets that have none yet (the assessment's
    repeats); returns how many were checked."""
    from .services import repeats_check

    return repeats_check()


@task()
def insight_hotspots() -> int:
    """The hot spots of the city and each district over the last 7 and 30 days, as the leaders'
    dashboard shows them (``services.hot_spots_refresh_all``); returns the snapshots written."""
    from .services import hot_spots_refresh_all

    return hot_spots_refresh_all()
