"""``python manage.py import_tickets FILE --mapping NAME``: historical tickets from CSV or Excel.

Each row is registered through the registration service in its own transaction (a row is
imported whole or not at all); a re-run skips the rows already imported; bad rows are listed
with their row number and reason. The last line is ``imported=N failed=M skipped=K``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from hotline.core.db import refresh_statistics
from hotline.intake.bulk.mappings import MAPPINGS
from hotline.intake.bulk.readers import FileError, read_rows, row_count
from hotline.intake.bulk.services import import_actor, tickets_import


class Command(BaseCommand):
    help = "Import historical tickets from a CSV or Excel file with a named mapping."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", required=True, choices=sorted(MAPPINGS))
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")
        parser.add_argument("--limit", type=int, default=0, help="import the first N rows only")
        parser.add_argument(
            "--batch",
            type=int,
            default=1,
            help="rows per transaction (each row still a savepoint of its own): faster on "
            "PostgreSQL, but holds the write locks longer; default 1",
        )

    def handle(
        self, *args, file: Path, mapping: str, no_progress: bool, limit: int, batch: int, **options
    ):
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        if not file.is_file():
            raise CommandError(f"no file {file}")
        try:
            total = row_count(file)
            rows = read_rows(file)
            if limit:
                total = min(total, limit)
                rows = (r for i, r in enumerate(rows) if i < limit)
            with tqdm(
                total=total, unit="row", desc=file.name, file=self.stderr._out, disable=no_progress
            ) as bar:
                result = tickets_import(
                    actor=import_actor(),
                    mapping=mapping,
                    rows=rows,
                    file_name=file.name,
                    progress=lambda: bar.update(1),
                    batch=batch,
                )
        except FileError as exc:
            raise CommandError(str(exc)) from None
        refresh_statistics()
        for number, warning in result.warnings:
            self.stdout.write(f"row {number}: warning: {warning}")
        for number, reason in result.failures:
            self.stdout.write(f"row {number}: {reason}")
        self.stdout.write(result.summary)
