"""Writes of the assessment: publishing a month (a new version, never a rewrite)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.audit import audit_record
from hotline.core.errors import BadInput, Conflict, Forbidden

from . import formulas, selectors
from .models import Publication, PublishedTicket, RuleSet

PUBLISHERS = frozenset({Role.ADMIN, Role.SUPERVISOR})
MAX_NOTE = 2000


def _default_rule_set() -> RuleSet:
    """The rule set in force when an admin has written none: the defaults, saved as version 1."""
    rule_set, _ = RuleSet.objects.get_or_create(
        version=1,
        defaults={"name": "默认规则", "effective_from": "2000-01-01"},
    )
    return rule_set


def _unit_row(unit, period, rules, paths) -> tuple[dict, list[PublishedTicket]]:
    """One assessed unit's counts and finished row, and the tickets behind each count."""
    scope = selectors.Scope(unit)
    counts = dict(selectors.ZERO_COUNTS)
    lists: list[PublishedTicket] = []
    for metric in formulas.METRICS:
        if not selectors.has_activity(scope, paths):
            break
        ids = list(
            selectors.metric_tickets(scope, period, metric, rules).values_list("pk", flat=True)
        )
        counts[metric] = len(ids)
        lists.extend(PublishedTicket(unit=unit, metric=metric, ticket_id=pk) for pk in ids)
    row = {
        "unit": unit.code,
        "name": unit.name,
        **counts,
        "avg_handling_days": selectors.avg_handling_days(scope, period, counts["replied"]),
        **formulas.row_finish(counts, rules),
    }
    return row, lists


def _unit_rows(period, rules) -> tuple[list[dict], list[PublishedTicket]]:
    """Every assessed unit's row, and all the tickets behind the counts."""
    rows: list[dict] = []
    lists: list[PublishedTicket] = []
    paths = selectors.reached_paths(period)
    for unit in selectors.assessed_units(None):
        row, tickets = _unit_row(unit, period, rules, paths)
        rows.append(row)
        lists.extend(tickets)
    return rows, lists


def assessment_publish(*, actor, month: str, note: str | None = None) -> Publication:
    """Freeze ``month`` as its next version: every assessed unit's counts, the tickets behind
    each count, the rule set and the cut-off (the publication moment). Audited."""
    grants = grants_for(actor)
    if not grants.sees_all or not grants.roles & PUBLISHERS:
        raise Forbidden("only an admin or a supervisor publishes the assessment")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise BadInput("note", f"at most {MAX_NOTE} characters")
    now = timezone.now()
    period = selectors.month_period(month, now)
    if period.start > now:
        raise BadInput("month", "a month that has not begun cannot be published")
    try:
        with transaction.atomic():
            last = Publication.objects.filter(month=period.start.date()).aggregate(v=Max("version"))
            version = (last["v"] or 0) + 1
            if version > 1 and not note:
                raise BadInput("note", "required from version 2: what changed and why")
            rule_set = selectors.rule_set_for(period.start) or _default_rule_set()
            rules = rule_set.as_rules()
            rows, lists = _unit_rows(period, rules)
            publication = Publication.objects.create(
                month=period.start.date(),
                version=version,
                published_at=now,
                published_by=actor,
                note=note,
                rule_set=rule_set,
                rules=rules.as_dict(),
                cut_off=now,
                rows=rows,
            )
            for item in lists:
                item.publication = publication
            PublishedTicket.objects.bulk_create(lists, batch_size=2000)
            audit_record(
                actor=actor,
                action="assessment.publish",
                target=f"assessment:{month}:v{version}",
                reason=note,
                data={"month": month, "version": version, "rule_set": rule_set.version},
            )
    except IntegrityError:
        raise Conflict(f"{month} was being published by someone else; try again") from None
    return publication


def rule_set_save(*, actor, rule_set: RuleSet) -> RuleSet:
    """Save a rule set (admin). A rule set a publication used is frozen; edits of it are
    refused (the admin's "save as new" makes the next version instead). Audited."""
    if rule_set.pk is not None and RuleSet.objects.get(pk=rule_set.pk).frozen:
        raise Conflict("a rule set a publication used cannot be changed; save it as a new version")
    rule_set.full_clean()
    with transaction.atomic():
        rule_set.save()
        audit_record(
            actor=actor,
            action="assessment.rule_set_save",
            target=f"rule_set:v{rule_set.version}",
            data={"version": rule_set.version, "rules": rule_set.as_rules().as_dict()},
        )
    return rule_set


def rule_set_delete(*, actor, rule_set: RuleSet) -> None:
    if rule_set.frozen:
        raise Conflict("a rule set a publication used cannot be deleted")
    with transaction.atomic():
        audit_record(
            actor=actor, action="assessment.rule_set_delete", target=f"rule_set:v{rule_set.version}"
        )
        rule_set.delete()
