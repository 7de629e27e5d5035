"""python manage.py import_calls FILE --format freeswitch|asterisk

Converts FreeSWITCH JSON CDRs (mod_json_cdr) or an Asterisk CSV CDR (cdr_csv's Master.csv) into
call records (docs/telephony.md has the mappings) and stores them as POST /api/v1/calls does:
idempotent by call id, so a re-sent file changes nothing. A file with a bad record writes
nothing (each bad record is reported with its position) unless --skip-bad is given.
Last line: ``imported=N existing=M failed=K``."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError

from hotline.accounts.selectors import SYSTEM
from hotline.telephony import records
from hotline.telephony.services import calls_store


class Command(BaseCommand):
    help = "Import call records from FreeSWITCH JSON CDRs or an Asterisk CSV CDR."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", required=True, choices=("freeswitch", "asterisk"))
        parser.add_argument(
            "--line", default="12345", help="line name when a CDR names none (FreeSWITCH)"
        )
        parser.add_argument(
            "--line-from",
            default="dst",
            choices=("dst", "dcontext"),
            help="Asterisk: the column that names the line",
        )
        parser.add_argument(
            "--timezone", default="Asia/Shanghai", help="Asterisk: the zone of Master.csv times"
        )
        parser.add_argument(
            "--skip-bad", action="store_true", help="store the good records, report the bad"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        calls: list[records.Call] = []
        bad: list[str] = []
        for where, raw in self._raw(text, options):
            try:
                calls.append(records.record_clean(raw()))
            except records.RecordError as exc:
                bad.append(f"{where}: {exc.field}: {exc.message}")
        for line in bad:
            self.stderr.write(f"BAD {line}")
        if bad and not options["skip_bad"]:
            self.stdout.write(f"imported=0 existing=0 failed={len(bad)}")
            raise SystemExit(1)
        result = calls_store(actor=SYSTEM, calls=calls) if calls else {"created": 0, "existing": 0}
        self.stdout.write(
            f"imported={result['created']} existing={result['existing']} failed={len(bad)}"
        )

    def _raw(self, text: str, options):
        if options["format"] == "freeswitch":
            try:
                documents = list(records.freeswitch_documents(text))
            except records.RecordError as exc:
                raise CommandError(f"{exc.field}: {exc.message}") from exc
            for number, cdr in enumerate(documents, start=1):
                if not records.freeswitch_is_inbound(cdr):
                    continue
                if not isinstance(cdr, dict):
                    yield f"document {number}", lambda: None
                    continue
                yield (
                    f"document {number}",
                    lambda cdr=cdr: records.freeswitch_record(cdr, default_line=options["line"]),
                )
        else:
            try:
                tz = ZoneInfo(options["timezone"])
            except Exception as exc:
                raise CommandError(f"unknown time zone {options['timezone']!r}") from exc
            for number, row in enumerate(records.asterisk_rows(text), start=1):
                yield (
                    f"row {number}",
                    lambda row=row: records.asterisk_record(
                        row, tz=tz, line_from=options["line_from"]
                    ),
                )
