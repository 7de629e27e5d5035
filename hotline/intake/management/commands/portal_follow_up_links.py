"""Queue the SMS with the signed follow-up link for every replied ticket that came in through
the portal (once per reply; running it again queues nothing new)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from hotline.intake.portal.services import follow_up_send_due


class Command(BaseCommand):
    help = "Send the citizens of replied portal tickets their follow-up (rating) link by SMS."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, limit: int, **options):
        count = follow_up_send_due(limit=limit)
        self.stdout.write(f"queued={count}")
