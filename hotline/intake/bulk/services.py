"""``tickets_import``: each row of a file registered through ``ticket_register`` in its own
transaction with the record of where it came from, so a row is imported whole or not at all;
a re-run finds the rows already imported (by mapping and source key) and skips them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from hotline.accounts.models import User
from hotline.accounts.roles import Role
from hotline.core.errors import BadInput, HotlineError, NotFound
from hotline.orgs.models import Category
from hotline.tickets.services import acting_at, ticket_register

from ..models import ImportedRow
from ..system_users import system_user
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
    """The importer's system user: an integration at the city's hotline centre."""
    return system_user(
        username=IMPORT_USERNAME, display_name="历史数据导入", roles=(Role.INTEGRATION,)
    )


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
    batch: int = 1,
) -> ImportResult:
    """Import ``rows`` (row number, row) with ``mapping``. Never raises for a bad row: it is
    counted as failed with its row number and reason.

    Each row is one transaction (``batch=1``), or one savepoint inside a transaction of
    ``batch`` rows: a failing row still leaves nothing of itself, the batch commits the rows
    that succeeded. Fewer commits are faster on PostgreSQL (each commit waits for the disk)
    but hold the write locks (SQLite: the whole database) for the batch's duration."""
    if mapping not in MAPPINGS:
        raise NotFound(f"no mapping {mapping!r}; one of {', '.join(MAPPINGS)}")
    if batch < 1:
        raise BadInput("batch", "at least 1")
    job = _Job(
        actor=actor,
        mapping=mapping,
        mapper=MAPPINGS[mapping],
        stem=Path(file_name).stem,
        file_name=Path(file_name).name[:255],
        done=set(ImportedRow.objects.filter(mapping=mapping).values_list("source_key", flat=True)),
        categories=dict(Category.objects.filter(level=1, active=True).values_list("name", "code")),
    )
    chunk: list[tuple[int, dict]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= batch:
            job.run(chunk, progress)
            chunk = []
    if chunk:
        job.run(chunk, progress)
    return job.result


@dataclass
class _Job:
    actor: object
    mapping: str
    mapper: Callable
    stem: str
    file_name: str
    done: set[str]
    categories: dict[str, str]
    result: ImportResult = field(default_factory=ImportResult)

    def run(self, chunk: list[tuple[int, dict]], progress) -> None:
        if len(chunk) == 1:
            self.row(*chunk[0])
            if progress:
                progress()
            return
        outcomes: list = []
        with transaction.atomic():
            for number, row in chunk:
                outcomes.append(self.row(number, row, commit_later=True))
        # Committed: only now are the batch's keys done and its rows counted.
        for key, created in outcomes:
            if key is not None:
                self.done.add(key)
                if created:
                    self.result.imported += 1
                else:
                    self.result.skipped += 1
            if progress:
                progress()

    def row(self, number: int, row: dict, *, commit_later: bool = False):
        """Import one row in its own transaction (or savepoint). Returns (key, created), or
        (None, None) when the row was skipped or failed (already counted)."""
        result = self.result
        try:
            mapped = self.mapper(row, self.stem, number)
            key = mapped.source_key[:128]
            if key in self.done:
                result.skipped += 1
                return None, None
            if mapped.category_name:
                if mapped.category_name in self.categories:
                    mapped.data["category"] = self.categories[mapped.category_name]
                else:
                    result.warnings.append(
                        (number, f"no category named {mapped.category_name!r}: imported without")
                    )
            with transaction.atomic():
                if mapped.registered_at is not None:
                    with acting_at(mapped.registered_at):
                        registration = _register(self.actor, self.mapping, key, mapped.data)
                else:
                    registration = _register(self.actor, self.mapping, key, mapped.data)
                if registration.created:
                    ImportedRow.objects.create(
                        mapping=self.mapping,
                        source_key=key,
                        ticket=registration.ticket,
                        file_name=self.file_name,
                        row_number=number,
                        imported_at=timezone.now(),
                    )
        except (RowError, HotlineError, IntegrityError) as exc:
            result.failed += 1
            result.failures.append((number, _reason(exc)))
            return None, None
        if commit_later:
            self.done.add(key)  # a repeat of the key later in the same batch is a skip
            return key, registration.created
        self.done.add(key)
        if registration.created:
            result.imported += 1
        else:
            result.skipped += 1
        return key, registration.created


def _register(actor, mapping: str, key: str, data: dict):
    return ticket_register(actor=actor, data=data, idempotency_key=f"import:{mapping}:{key}"[:128])
