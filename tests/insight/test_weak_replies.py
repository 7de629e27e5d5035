"""The reply check recorded when a reply goes out (insight.services.reply_checked, the step after
``reply``) and the dispatchers' list of weak replies (insight.selectors.weak_replies_for)."""

from __future__ import annotations

from hotline.insight.selectors import weak_replies_for
from hotline.tickets.models import TicketEvent
from tests.factories import JUDGEMENTS, act, ticket_in

WEAK = "已收悉"
GOOD = (
    "经核实，小区噪音扰民系楼下工地夜间施工所致。根据《环境噪声污染防治条例》规定，"
    "我局已责令施工单位停止夜间施工，已处理完毕。如有疑问请联系区城管局，电话027-12345678。"
)


def numbers(user) -> set[str]:
    return set(weak_replies_for(user).values_list("number", flat=True))


def test_only_the_current_reply_of_a_replied_ticket_counts(user):
    dispatcher = user("dispatcher")
    ticket = ticket_in("in_progress")
    act("jiangan-handler", ticket.number, "reply", text=WEAK, outcome="resolved")
    assert ticket.number in numbers(dispatcher)
    act("callback", ticket.number, "follow_up", satisfaction="dissatisfied")
    act("evaluator", ticket.number, "review", verdict="redo", judgements=JUDGEMENTS)
    assert ticket.number not in numbers(dispatcher)
    # Redone with a good reply: the weak first reply no longer flags the ticket.
    act("jiangan-handler", ticket.number, "reply", text=GOOD, outcome="resolved")
    scores = list(
        TicketEvent.objects.filter(ticket=ticket, action="reply")
        .order_by("seq")
        .values_list("data__check_ok", flat=True)
    )
    assert scores == [False, True]
    assert ticket.number not in numbers(dispatcher)


def test_weak_replies_for_takes_the_same_queries_for_5_and_25_tickets(user):
    dispatcher = user("dispatcher")

    def count_queries(n: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            rows = [(t.number, t.unit.name) for t in weak_replies_for(dispatcher)[:n]]
        assert len(rows) == n
        return len(ctx.captured_queries)

    for _ in range(25):
        ticket = ticket_in("in_progress")
        act("jiangan-handler", ticket.number, "reply", text=WEAK, outcome="resolved")
    count_queries(1)  # the dispatcher's grants, read once and kept
    assert count_queries(5) == count_queries(25) == 1


def test_the_dispatchers_home_has_the_weak_replies_queue(user, client):
    """The flag reaches the dispatcher as a queue of their home, by the follow-up clock: a
    weak reply is checked before the citizen is called back."""
    from hotline.accounts.roles import Role
    from hotline.tickets.queues import queue_counts, queue_tickets

    weak = ticket_in("in_progress")
    act("jiangan-handler", weak.number, "reply", text=WEAK, outcome="resolved")
    good = ticket_in("in_progress")
    act("jiangan-handler", good.number, "reply", text=GOOD, outcome="resolved")
    dispatcher = user("dispatcher")
    listed = set(
        queue_tickets(dispatcher, Role.DISPATCHER, "weak_replies").values_list("number", flat=True)
    )
    assert listed == {weak.number} == numbers(dispatcher)
    assert queue_counts(dispatcher, Role.DISPATCHER)["weak_replies"] == 1
    client.force_login(dispatcher)
    page = client.get("/console/?queue=weak_replies").content.decode()
    assert "答复质量偏低" in page and weak.number in page and good.number not in page
