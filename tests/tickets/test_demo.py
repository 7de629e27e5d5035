"""The demo's tickets come from the seeded city's own places: each one's region is a community
of the seeded region tree, and its address names that community's district, street and
community; a ticket forwarded to a street went to the street it comes from."""

from __future__ import annotations

import pytest

from hotline.orgs.models import Region
from hotline.tickets.demo import build_tickets
from hotline.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def ancestors(region: Region, by_pk: dict[int, Region]) -> list[Region]:
    chain = [region]
    while chain[-1].parent_id:
        chain.append(by_pk[chain[-1].parent_id])
    return chain


def test_every_demo_ticket_is_placed_in_its_district_of_the_seeded_tree():
    made = build_tickets(32, days=20, seed=7)
    assert made >= 30
    by_pk = {r.pk: r for r in Region.objects.all()}
    tickets = list(Ticket.objects.select_related("region"))
    assert len(tickets) >= 30
    districts = set()
    for ticket in tickets:
        assert ticket.region is not None, ticket.number
        chain = {r.level: r for r in ancestors(ticket.region, by_pk)}
        assert ticket.region.level == "community"
        district, street, community = chain["district"], chain["street"], chain["community"]
        assert ticket.address.startswith(district.name + street.name + community.name), (
            ticket.address
        )
        districts.add(district.code)
        forwarded = TicketEvent.objects.filter(ticket=ticket, action="forward").first()
        if forwarded is not None:
            assert forwarded.data["unit"].startswith(f"{district.code}-")
            street_unit_region = Region.objects.get(code=forwarded.data["unit"])
            assert street_unit_region.pk == street.pk, (ticket.address, forwarded.data)
    assert len(districts) == 16  # every district of the seeded city


def test_the_demo_city_has_a_hot_spot_for_the_leaders_dashboard():
    from hotline.insight.services import hot_spots_refresh
    from hotline.orgs.models import Unit

    build_tickets(32, days=20, seed=7)
    root = Unit.objects.get(parent__isnull=True)
    snapshot = hot_spots_refresh(root, 7)
    assert snapshot.spots, "no hot spot in the demo's last week"
    top = snapshot.spots[0]
    assert top["count"] >= 5 and "停水" in top["topic"], top
    titles = Ticket.objects.filter(pk__in=top["ids"]).values_list("title", flat=True)
    assert all("停水" in t for t in titles)
