"""Write a month's bulletin (月度通报) as Excel or PDF (by the file's extension):

    python manage.py assessment_bulletin 2026-10 --out bulletin.pdf [--scope jiangan]
        [--publication 2 | --live]

The latest published version by default; ``--live`` computes the month now. Last line: the path.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hotline.assessment import bulletin, selectors
from hotline.core.errors import HotlineError


class Command(BaseCommand):
    help = "Write a month's assessment bulletin as .xlsx or .pdf."

    def add_arguments(self, parser):
        parser.add_argument("month", help="YYYY-MM")
        parser.add_argument("--out", required=True, help="a .xlsx or .pdf file")
        parser.add_argument("--scope", help="a unit's code: its units, ranked")
        parser.add_argument("--publication", type=int, help="a published version (its number)")
        parser.add_argument("--live", action="store_true", help="computed now, not published")

    def handle(self, *args, **opts):
        out = Path(opts["out"])
        if out.suffix not in (".xlsx", ".pdf"):
            raise CommandError("--out: a .xlsx or .pdf file")
        try:
            scope = selectors.unit_by_code(opts["scope"]) if opts["scope"] else None
            b = bulletin.bulletin_for(opts["month"], scope, opts["publication"], opts["live"])
        except HotlineError as error:
            raise CommandError(str(error.detail)) from None
        data = bulletin.bulletin_xlsx(b) if out.suffix == ".xlsx" else bulletin.bulletin_pdf(b)
        out.write_bytes(data)
        self.stdout.write(f"{b.title} ({b.edition}): {len(b.rows)} units")
        self.stdout.write(str(out))
