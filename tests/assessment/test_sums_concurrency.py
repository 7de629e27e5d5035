"""The running sums under concurrent writers on a real PostgreSQL server (sums.py): the worker's
fold while a change is open loses nothing of it, and changes of tickets of one district run
side by side without waiting for each other."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from hotline.assessment import selectors, setcounts, sums
from hotline.assessment.models import CohortSum
from hotline.orgs.models import Unit
from tests.factories import act, register

pytestmark = [pytest.mark.transactional, pytest.mark.postgres]


@pytest.fixture
def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL (make test-postgres)")


def _dispatched(n: int) -> list[str]:
    numbers = []
    for i in range(n):
        ticket = register(title=f"路灯不亮 {i}")
        act("dispatcher", ticket.number, "dispatch", unit="jiangan")
        numbers.append(ticket.number)
    return numbers


def _counts(code: str) -> dict:
    period = selectors.month_period(timezone.localtime().strftime("%Y-%m"), timezone.now())
    unit = Unit.objects.get(code=code)
    (counts, _days) = setcounts.counts_of([unit.pk], period, selectors.rules_for(period))
    return counts[unit.pk]


def test_a_fold_while_a_change_is_open_loses_nothing(needs_postgres, reseeded):
    (number,) = _dispatched(1)
    sums.sums_compact()
    written, folded = threading.Event(), threading.Event()
    errors: list = []

    def change() -> None:
        try:
            with transaction.atomic():
                act("jiangan-handler", number, "accept")
                written.set()  # its sums rows are inserted, not yet committed
                assert folded.wait(20)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            written.set()
            connections.close_all()

    thread = threading.Thread(target=change)
    thread.start()
    assert written.wait(20)
    sums.sums_compact()  # sees none of the open change's rows, deletes none of them
    folded.set()
    thread.join()
    assert not errors, errors
    assert CohortSum.objects.filter(compacted=False).exists()  # the change's, folded next time
    assert sums.sums_check() == []
    sums.sums_compact()
    assert sums.sums_check() == []
    assert not CohortSum.objects.filter(compacted=False).exists()


def test_changes_in_one_district_run_side_by_side(needs_postgres, reseeded):
    numbers = _dispatched(6)
    sums.sums_compact()
    before = _counts("jiangan")
    barrier = threading.Barrier(len(numbers))
    errors: list = []

    def accept(number: str) -> None:
        try:
            with transaction.atomic():
                act("jiangan-handler", number, "accept")
                # every change holds its transaction open until all six have written their
                # sums: appending rows, none waits for another
                barrier.wait(timeout=20)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(n,)) for n in numbers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    after = _counts("jiangan")
    assert after["accepted_on_time"] == before["accepted_on_time"] + len(numbers)
    assert sums.sums_check() == []
    sums.sums_compact()
    assert sums.sums_check() == []
    assert _counts("jiangan") == after
