"""python manage.py import_history FILE.jsonl: a previous platform's tickets with their whole
timelines, one JSON object a line (DESIGN section 9; the format in hotline/intake/history.py)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from hotline.accounts.models import User
from hotline.core.db import refresh_statistics
from hotline.intake import history


class Progress:
    """A one-line progress bar on stderr (redrawn at most every 1 %)."""

    WIDTH = 30

    def __init__(self, total: int, stream=None):
        self.total, self.stream, self.shown = total, stream or sys.stderr, -1

    def update(self, done: int, failed: int) -> None:
        percent = 100 if not self.total else done * 100 // self.total
        if percent == self.shown and done != self.total:
            return
        self.shown = percent
        filled = self.WIDTH * percent // 100
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {percent:3d}% {done}/{self.total} failed={failed}")
        if done == self.total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import a previous platform's tickets with their timelines (JSON lines)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a JSON-lines file")
        parser.add_argument(
            "--user",
            default="integration",
            help="who registers tickets without a registered_by (default: integration)",
        )

    def handle(self, *args, **options):
        actor = User.objects.filter(username=options["user"], is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {options['user']!r}")
        try:
            with open(options["file"], encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc.strerror}") from None
        known = history.imported_sources()
        users: dict = {}
        now = history.now()
        imported = failed = skipped = 0
        progress = Progress(len(lines), self.stderr._out)
        for number, line in enumerate(lines, start=1):
            if line.strip():
                try:
                    record = history.parse_record(line, now=now)
                    if record.source_id in known:
                        skipped += 1
                    else:
                        known[record.source_id] = history.history_import(
                            actor=actor, record=record, known=known, users=users
                        )
                        imported += 1
                except history.LineError as exc:
                    failed += 1
                    self.stderr.write(f"\nline {number}: {exc}")
            progress.update(number, failed)
        if imported:
            refresh_statistics()
        if skipped:
            self.stdout.write(f"skipped={skipped} (already imported)")
        self.stdout.write(f"imported={imported} failed={failed}")
