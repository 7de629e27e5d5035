"""The demo's third-party evaluators (password ``demo``), documented in the README: the city's
roster of professionals and volunteers (people's deputies, CPPCC members, media), their
coordinator, and an evaluator at each district's hotline centre (issue 13). Idempotent: a
second run changes nothing."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction

from hotline.accounts import services as accounts
from hotline.accounts.models import User
from hotline.accounts.roles import Role
from hotline.orgs.models import HotlineCentre, Region, Unit

from .models import Evaluator

PRO, VOL = Evaluator.PROFESSIONAL, Evaluator.VOLUNTEER

# username, display name, kind, volunteer identity, the units / districts they belong to (never
# given those tickets), coordinator
CITY_ROSTER = [
    ("evaluator", "第三方评价员", PRO, "", (), (), False),
    ("eval-coordinator", "评价员协调人周敏", PRO, "", (), (), True),
    ("eval-pro-01", "专业评价员陈静", PRO, "", (), (), False),
    ("eval-pro-02", "专业评价员刘洋", PRO, "", (), (), False),
    ("eval-pro-03", "专业评价员黄蕾", PRO, "", (), (), False),
    ("eval-deputy-01", "市人大代表王建国", VOL, "deputy", (), ("wuchang",), False),
    ("eval-deputy-02", "市人大代表李红梅", VOL, "deputy", (), ("hongshan",), False),
    ("eval-member-01", "市政协委员赵志强", VOL, "member", (), ("jiangan",), False),
    ("eval-member-02", "市政协委员孙丽", VOL, "member", (), (), False),
    ("eval-media-01", "长江日报记者吴迪", VOL, "media", (), (), False),
    ("eval-media-02", "武汉电视台记者郑好", VOL, "media", (), (), False),
]


def _phone(n: int) -> str:
    """Made-up mobile numbers for the demo's SMS (the console gateway prints them)."""
    return f"1390027{n:04d}"


def _login(username: str, name: str, phone: str, encoded: str) -> tuple[User, bool]:
    user = User.objects.filter(username=username).first()
    if user is not None:
        if not user.phone:
            user.phone = phone
            user.save(update_fields=["phone"])
        return user, False
    user = accounts.user_create(
        username=username, display_name=name, phone=phone, password_hash=encoded
    )
    return user, True


def _roster(user: User, kind: str, sub_kind: str, *, coordinator: bool, note: str) -> Evaluator:
    evaluator, _ = Evaluator.objects.get_or_create(
        user=user,
        defaults={"kind": kind, "sub_kind": sub_kind, "coordinator": coordinator, "note": note},
    )
    return evaluator


@transaction.atomic
def build_evaluators(password: str = "demo") -> int:
    """The city's roster (evaluator role at the city's centre) and ``<district>-centre-evaluator``
    at each district's centre. Returns the number of new logins."""
    encoded = make_password(password)
    created = 0
    centre = Unit.objects.get(code="center")
    for n, (username, name, kind, sub_kind, units, districts, coordinator) in enumerate(
        CITY_ROSTER, start=1
    ):
        user, new = _login(username, name, _phone(n), encoded)
        created += new
        accounts.membership_grant(user=user, unit=centre, role=Role.EVALUATOR)
        evaluator = _roster(user, kind, sub_kind, coordinator=coordinator, note="市级评价员")
        if new or not (evaluator.units.exists() or evaluator.districts.exists()):
            evaluator.units.set(Unit.objects.filter(code__in=units))
            evaluator.districts.set(Region.objects.filter(code__in=districts, level="district"))
    base = len(CITY_ROSTER) + 1
    district_centres = (
        HotlineCentre.objects.filter(parent__isnull=False)
        .select_related("unit")
        .order_by("unit__code")
    )
    for n, district_centre in enumerate(district_centres, start=base):
        username = f"{district_centre.unit.code}-centre-evaluator"
        name = f"{district_centre.name}评价员（区人大代表）"
        user, new = _login(username, name, _phone(n), encoded)
        created += new
        # Held at the district's centre: the centre scope lets them review that centre's
        # tickets only, and the assignment gives them nothing else.
        accounts.membership_grant(user=user, unit=district_centre.unit, role=Role.EVALUATOR)
        _roster(user, VOL, "deputy", coordinator=False, note=f"{district_centre.name}区级评价员")
    return created
