"""The outbox worker: ``manage.py deliver_outbox`` loops, ``--once`` delivers one batch and exits.

Run as many as you like on as many machines as you like: rows are claimed with
``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL), so no row goes out twice from two workers.
"""

from __future__ import annotations

import json
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from hotline.notifications.services import outbox_deliver_due


class Command(BaseCommand):
    help = "Deliver the notification outbox (SMS, voice calls) through the configured gateways."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one batch, then exit")
        parser.add_argument("--limit", type=int, default=100, help="rows per batch (default 100)")
        parser.add_argument(
            "--interval",
            type=float,
            default=2.0,
            help="seconds to sleep when nothing was due (default 2)",
        )

    def handle(self, *args, **options):
        limit = options["limit"]
        if options["once"]:
            self.stdout.write(json.dumps(outbox_deliver_due(limit=limit), sort_keys=True))
            return
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True  # finish the batch in hand, then leave

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        totals = {"claimed": 0, "sent": 0, "retry": 0, "failed": 0}
        while not stopping:
            close_old_connections()
            counts = outbox_deliver_due(limit=limit)
            for key, value in counts.items():
                totals[key] += value
            if counts["claimed"]:
                self.stdout.write(json.dumps(counts, sort_keys=True))
            elif not stopping:
                time.sleep(options["interval"])
        self.stdout.write(json.dumps(totals, sort_keys=True))
