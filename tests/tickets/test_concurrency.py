"""Parallel registrations on a real PostgreSQL server: distinct, consecutive numbers."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from hotline.accounts.models import User
from hotline.tickets.models import Ticket
from hotline.tickets.services import ticket_register

pytestmark = [pytest.mark.transactional, pytest.mark.postgres]

BODY = {"channel": "phone", "kind": "help", "content": "并发登记测试"}


def run_parallel(n: int, work) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


@pytest.fixture
def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL (make test-postgres)")


def test_50_parallel_registrations_get_50_consecutive_numbers(needs_postgres, reseeded):
    agent = User.objects.get(username="agent")
    numbers = run_parallel(50, lambda i: ticket_register(actor=agent, data=BODY).ticket.number)
    assert len(set(numbers)) == 50
    seqs = sorted(int(n[-5:]) for n in numbers)
    assert seqs == list(range(seqs[0], seqs[0] + 50))
    assert Ticket.objects.count() == 50


def test_parallel_retries_with_one_idempotency_key_make_one_ticket(needs_postgres, reseeded):
    agent = User.objects.get(username="agent")
    numbers = run_parallel(
        10,
        lambda i: (
            ticket_register(actor=agent, data=BODY, idempotency_key="same-call").ticket.number
        ),
    )
    assert len(set(numbers)) == 1
    assert Ticket.objects.count() == 1


def test_parallel_accepts_of_one_ticket_take_effect_once(needs_postgres, reseeded):
    from hotline.core.errors import Conflict
    from hotline.tickets.services import ticket_transition

    agent, dispatcher = User.objects.get(username="agent"), User.objects.get(username="dispatcher")
    number = ticket_register(actor=agent, data=BODY).ticket.number
    ticket_transition(actor=dispatcher, number=number, action="dispatch", data={"unit": "jiangan"})

    def accept(i):
        try:
            ticket_transition(
                actor=User.objects.get(username="jiangan-handler"),
                number=number,
                action="accept",
                data={},
            )
            return "ok"
        except Conflict:
            return "conflict"

    results = run_parallel(8, accept)
    assert results.count("ok") == 1 and results.count("conflict") == 7
    assert Ticket.objects.get(number=number).events.filter(action="accept").count() == 1
