"""``tickets_import``: each row of a file registered through ``ticket_register`` in its own
transaction with the record of where it came from, so a row is imported whole or not at all;
a re-run finds the rows already imported (by mapping and source key) and skips them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from hotline.accounts import services as account_services
from hotline.accounts.models import Membership, User
from hotline.accounts.roles import Role
from hotline.core.errors import HotlineError, NotFound
from hotline.orgs.models import Category, Unit
from hotline.tickets.services import acting_at, ticket_register

from ..models import ImportedRow
from .mappings import MAPPINGS, RowError

IMPORT_USERNAME = "import"


@dataclass
class ImportResult:
    imported: int = 0
    failed: int = 0
    skipped: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"imported={self.imported} failed={self.failed} skipped={self.skipped}"


def import_actor() -> User:
    """The importer's system user (no password), an integration at the hotline centre."""
    user = User.objects.filter(username=IMPORT_USERNAME).first()
    if user is None:
        try:
            with transaction.atomic():
                user = account_services.user_create(
                    username=IMPORT_USERNAME, display_name="历史数据导入"
                )
        except IntegrityError:
            user = User.objects.get(username=IMPORT_USERNAME)
    if not Membership.objects.filter(user=user, role=Role.INTEGRATION).exists():
        centre = Unit.objects.filter(kind="centre", active=True).order_by("path").first()
        if centre is None:
            raise NotFound("the hotline centre unit is missing: build the org tree first")
        account_services.membership_grant(user=user, unit=centre, role=Role.INTEGRATION)
    return user


def _reason(exc: Exception) -> str:
    if isinstance(exc, HotlineError) and isinstance(exc.detail, dict):
        return "; ".join(f"{k}: {v}" for k, v in exc.detail.items())
    return str(exc) or type(exc).__name__


def tickets_import(
    *,
    actor,
    mapping: str,
    rows: Iterable[tuple[int, dict]],
    file_name: str,
    progress: Callable[[], None] | None = None,
) -> ImportResult:
    """Import ``rows`` (row number, row) with ``mapping``. Never raises for a bad row: it is
    counted as failed with its row number and reason."""
    if mapping not in MAPPINGS:
        raise NotFound(f"no mapping {mapping!r}; one of {', '.join(MAPPINGS)}")
    mapper = MAPPINGS[mapping]
    stem = Path(file_name).stem
    done = set(ImportedRow.objects.filter(mapping=mapping).values_list("source_key", flat=True))
    categories = {
        name: code
        for name, code in Category.objects.filter(level=1, active=True).values_list("name", "code")
    }
    result = ImportResult()
    for number, row in rows:
        try:
            mapped = mapper(row, stem, number)
            key = mapped.source_key[:128]
            if key in done:
                result.skipped += 1
                continue
            if mapped.category_name:
                if mapped.category_name in categories:
                    mapped.data["category"] = categories[mapped.category_name]
                else:
                    result.warnings.append(
                        (number, f"no category named {mapped.category_name!r}: imported without")
                    )
            with transaction.atomic():
                if mapped.registered_at is not None:
                    with acting_at(mapped.registered_at):
                        registration = _register(actor, mapping, key, mapped.data)
                else:
                    registration = _register(actor, mapping, key, mapped.data)
                if registration.created:
                    ImportedRow.objects.create(
                        mapping=mapping,
                        source_key=key,
                        ticket=registration.ticket,
                        file_name=Path(file_name).name[:255],
                        row_number=number,
                        imported_at=timezone.now(),
                    )
            done.add(key)
            if registration.created:
                result.imported += 1
            else:
                result.skipped += 1
        except (RowError, HotlineError, IntegrityError) as exc:
            result.failed += 1
            result.failures.append((number, _reason(exc)))
        finally:
            if progress:
                progress()
    return result


def _register(actor, mapping: str, key: str, data: dict):
    return ticket_register(actor=actor, data=data, idempotency_key=f"import:{mapping}:{key}"[:128])
