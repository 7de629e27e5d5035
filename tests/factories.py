"""One factory per model. Tickets are made through the services, never by writing rows."""

from __future__ import annotations

import factory
from django.utils import timezone

from hotline.accounts.models import Membership, User
from hotline.feedback.models import Evaluator, ReviewAssignment, VoiceFollowUp
from hotline.intake.models import Open311Attribute
from hotline.orgs.models import Category, Region, Unit
from hotline.tickets import services


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    code = factory.Sequence(lambda n: f"r{n:04d}")
    name = factory.Sequence(lambda n: f"测试区域{n}")
    level = "district"
    parent = None


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"u{n:04d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    level = "district"
    kind = "government"
    parent = factory.LazyFunction(lambda: Unit.objects.get(code="wuhan"))
    assessed = True


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"测试分类{n}")
    level = 3
    time_limit = 5
    time_limit_unit = "working_days"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "demo")

    @factory.post_generation
    def persist(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = "handler"


class EvaluatorFactory(factory.django.DjangoModelFactory):
    """A third-party evaluator with the evaluator role at ``member_of`` (a unit's code, the
    centre by default); ``units`` and ``districts`` (codes) are those they belong to."""

    class Meta:
        model = Evaluator
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    kind = Evaluator.PROFESSIONAL

    @factory.post_generation
    def member_of(obj, create, extracted, **kwargs):
        if create:
            unit = Unit.objects.get(code=extracted or "center")
            Membership.objects.create(user=obj.user, unit=unit, role="evaluator")

    @factory.post_generation
    def units(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.units.set(Unit.objects.filter(code__in=extracted))

    @factory.post_generation
    def districts(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.districts.set(Region.objects.filter(code__in=extracted))


class ReviewAssignmentFactory(factory.django.DjangoModelFactory):
    """Pass ``ticket``: a review assignment is of a ticket made through the services."""

    class Meta:
        model = ReviewAssignment

    evaluator = factory.SubFactory(EvaluatorFactory)
    seed = 0
    assigned_at = factory.LazyFunction(timezone.now)


class VoiceFollowUpFactory(factory.django.DjangoModelFactory):
    """Pass ``ticket``. By default the voice calls gave up: handed over to a callback agent."""

    class Meta:
        model = VoiceFollowUp

    round = 0
    state = VoiceFollowUp.CALLBACK
    reason = "no_answer"
    attempts = 3


class Open311AttributeFactory(factory.django.DjangoModelFactory):
    """Pass ``category`` (a catalogue leaf)."""

    class Meta:
        model = Open311Attribute

    code = factory.Sequence(lambda n: f"attr{n}")
    description = factory.Sequence(lambda n: f"问题{n}")
    order = factory.Sequence(lambda n: n + 1)


TICKET_DEFAULTS = {
    "channel": "phone",
    "kind": "complaint",
    "title": "小区噪音扰民",
    "content": "楼下工地夜间施工噪音很大，影响休息。",
    "citizen": {"name": "张先生", "phone": "13800001111"},
}


def register(actor: User | str = "agent", **overrides):
    """Register a ticket through the service (the TicketFactory)."""
    if isinstance(actor, str):
        actor = User.objects.get(username=actor)
    data = {**TICKET_DEFAULTS, **overrides}
    return services.ticket_register(actor=actor, data=data).ticket


def act(username: str, number: str, action: str, **data):
    return services.ticket_transition(
        actor=User.objects.get(username=username), number=number, action=action, data=data
    )


# The four judgements of a structured review verdict (all upheld), for tests that review.
JUDGEMENTS = {
    "complaint_reasonable": {"value": True, "note": "诉求合理"},
    "complaint_lawful": {"value": True, "note": "诉求合法"},
    "process_compliant": {"value": True, "note": "流程合规"},
    "result_lawful": {"value": True, "note": "结果合法"},
}


# How to bring a fresh ticket into each state, dispatched to district "jiangan" (which has streets).
PATHS = {
    "registered": [],
    "dispatched": [("dispatcher", "dispatch", {"unit": "jiangan"})],
    "in_progress": [
        ("dispatcher", "dispatch", {"unit": "jiangan"}),
        ("jiangan-handler", "accept", {}),
    ],
    "replied": [
        ("dispatcher", "dispatch", {"unit": "jiangan"}),
        ("jiangan-handler", "accept", {}),
        ("jiangan-handler", "reply", {"text": "已处理", "outcome": "resolved"}),
    ],
    "under_review": [
        ("dispatcher", "dispatch", {"unit": "jiangan"}),
        ("jiangan-handler", "accept", {}),
        ("jiangan-handler", "reply", {"text": "已处理", "outcome": "resolved"}),
        ("callback", "follow_up", {"satisfaction": "dissatisfied"}),
    ],
    "closed": [
        ("dispatcher", "dispatch", {"unit": "jiangan"}),
        ("jiangan-handler", "accept", {}),
        ("jiangan-handler", "reply", {"text": "已处理", "outcome": "resolved"}),
        ("callback", "follow_up", {"satisfaction": "satisfied"}),
    ],
    "merged": "merged",
    "invalid": [("agent", "invalidate", {"reason": "测试来电"})],
}


SEEN_BY_JIANGAN = [
    ("dispatcher", "dispatch", {"unit": "jiangan"}),
    ("jiangan-handler", "send_back", {"reason": "不属于本单位"}),
]


def ticket_in(
    state: str, *, seen_by_jiangan: bool = False, actor: User | str = "agent", **overrides
):
    """A fresh ticket in ``state``, registered by ``actor``. With ``seen_by_jiangan``, a
    registered, invalid or merged ticket was first dispatched to jiangan and sent back, so
    jiangan's staff can see it."""
    ticket = register(actor, **overrides)
    if seen_by_jiangan and state in ("registered", "invalid", "merged"):
        for username, action, data in SEEN_BY_JIANGAN:
            ticket = act(username, ticket.number, action, **data)
    steps = PATHS[state]
    if steps == "merged":
        target = register()
        return act("dispatcher", ticket.number, "merge", into=target.number)
    for username, action, data in steps:
        ticket = act(username, ticket.number, action, **data)
    return ticket
