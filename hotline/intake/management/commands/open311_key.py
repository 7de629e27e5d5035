"""python manage.py open311_key create NAME | revoke NAME | list

``create`` prints the new key alone on its last line (it is stored hashed and cannot be shown
again); ``revoke`` makes the key answer 403 from then on."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from hotline.core.errors import BadInput
from hotline.intake.models import Open311Key
from hotline.intake.open311.services import open311_key_create, open311_key_revoke


class Command(BaseCommand):
    help = "Make, revoke or list Open311 API keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="make a key; prints it alone on the last line")
        create.add_argument("name")
        revoke = sub.add_parser("revoke", help="revoke a key")
        revoke.add_argument("name")
        sub.add_parser("list", help="list the keys")

    def handle(self, *args, action: str, **options):
        try:
            if action == "create":
                row, key = open311_key_create(name=options["name"])
                self.stdout.write(f"Open311 key {row.name!r} made for user {row.user.username}.")
                self.stdout.write("Store it now: it cannot be shown again.")
                self.stdout.write(key)
            elif action == "revoke":
                row = open311_key_revoke(name=options["name"])
                self.stdout.write(f"revoked {row.name}")
            else:
                for row in Open311Key.objects.order_by("name"):
                    state = (
                        f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
                    )
                    self.stdout.write(f"{row.name}\t{row.prefix}…\t{state}")
        except BadInput as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {"error": exc.detail}
            raise CommandError("; ".join(f"{k}: {v}" for k, v in detail.items())) from None
