"""The per-ticket assessment facts (hotline/assessment/facts.py):

    python manage.py assessment_facts [--rebuild] [--batch 20000]

Without ``--rebuild``: whether the facts are ready and how many rows they hold. ``--rebuild``
recomputes the facts of every ticket in batches (after a bulk load that bypassed the write
path, or a move in the unit tree), marks them ready and refreshes the planner's statistics.
Last line: ``ready=<bool> tickets=<n> units=<n>``.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from hotline.assessment.facts import BATCH, facts_ready, facts_rebuild
from hotline.assessment.models import TicketFact, UnitFact
from hotline.core.db import refresh_statistics


class Command(BaseCommand):
    help = "Rebuild or show the per-ticket assessment facts."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="recompute every ticket's")
        parser.add_argument("--batch", type=int, default=BATCH, help="ticket ids per transaction")

    def handle(self, *args, **opts):
        if opts["rebuild"]:
            started = time.monotonic()

            def progress(line: str) -> None:
                self.stdout.write(f"{line} ({time.monotonic() - started:.1f} s)")

            facts_rebuild(batch=max(1, opts["batch"]), progress=progress)
            refresh_statistics()
            self.stdout.write(f"rebuilt in {time.monotonic() - started:.1f} s")
        self.stdout.write(
            f"ready={facts_ready()} tickets={TicketFact.objects.count()}"
            f" units={UnitFact.objects.count()}"
        )
