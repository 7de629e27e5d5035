from django.core.management.base import BaseCommand

from hotline.core.audit import audit_verify
from hotline.tickets.integrity import timeline_breaks


class Command(BaseCommand):
    help = "Verify the hash chains of every ticket timeline and of the audit log."

    def handle(self, *args, **options):
        broken = 0
        for problem in timeline_breaks():
            broken += 1
            self.stdout.write(f"BROKEN {problem.number} at event {problem.seq}: {problem.reason}")
        audit_break = audit_verify()
        if audit_break is not None:
            broken += 1
            self.stdout.write(f"BROKEN audit log at event {audit_break}")
        self.stdout.write(f"broken={broken}")
        if broken:
            raise SystemExit(1)
