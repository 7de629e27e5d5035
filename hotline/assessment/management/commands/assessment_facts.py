"""The per-ticket assessment facts (hotline/assessment/facts.py):

    python manage.py assessment_facts [--rebuild] [--batch 20000] [--sums] [--check]

Without options: whether the facts are ready and how many rows they hold. ``--rebuild``
recomputes the facts of every ticket in batches (after a bulk load that bypassed the write
path, or a move in the unit tree), then their running sums, marks them ready, refreshes the
planner's statistics and vacuums the fact tables (PostgreSQL: their open rows and sums are then
read from covering indexes alone). ``--sums`` recomputes the running sums alone (a repair: sums.py).
``--check`` compares the running sums with the facts and exits 1 naming every key that
differs. Last line: ``ready=<bool> tickets=<n> units=<n>``.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from hotline.assessment.facts import BATCH, facts_ready, facts_rebuild, facts_vacuum
from hotline.assessment.models import TicketFact, UnitFact
from hotline.assessment.sums import sums_check, sums_rebuild, sums_vacuum
from hotline.core.db import refresh_statistics


class Command(BaseCommand):
    help = "Rebuild or show the per-ticket assessment facts."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="recompute every ticket's")
        parser.add_argument("--batch", type=int, default=BATCH, help="ticket ids per transaction")
        parser.add_argument("--sums", action="store_true", help="recompute the running sums")
        parser.add_argument("--check", action="store_true", help="compare the sums and facts")

    def handle(self, *args, **opts):
        if opts["rebuild"]:
            started = time.monotonic()

            def progress(line: str) -> None:
                self.stdout.write(f"{line} ({time.monotonic() - started:.1f} s)")

            facts_rebuild(batch=max(1, opts["batch"]), progress=progress)
            refresh_statistics()
            facts_vacuum()
            self.stdout.write(f"rebuilt in {time.monotonic() - started:.1f} s")
        if opts["sums"]:
            started = time.monotonic()
            sums_rebuild()
            sums_vacuum()
            self.stdout.write(f"running sums rebuilt in {time.monotonic() - started:.1f} s")
        if opts["check"]:
            problems = sums_check()
            for line in problems:
                self.stdout.write(line)
            if problems:
                raise CommandError(f"{len(problems)} running sums differ from the facts")
            self.stdout.write("running sums agree with the facts")
        self.stdout.write(
            f"ready={facts_ready()} tickets={TicketFact.objects.count()}"
            f" units={UnitFact.objects.count()}"
        )
