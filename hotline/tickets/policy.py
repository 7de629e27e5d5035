"""Default time limits of DESIGN section 5. Pure; overridable with settings.HOTLINE_CLOCK_LIMITS
(a mapping ``{"<clock>:<urgency>": [amount, unit]}``) and per category (Category.time_limit)."""

from __future__ import annotations

from collections.abc import Mapping

from hotline.workcal.calc import HOURS, MINUTES, WORKING_DAYS, WORKING_HOURS, Limit

DEFAULTS: dict[str, Limit] = {
    "dispatch:normal": Limit(2, WORKING_HOURS),
    "dispatch:urgent": Limit(2, WORKING_HOURS),
    "dispatch:emergency": Limit(30, MINUTES),
    "transfer:normal": Limit(2, WORKING_HOURS),
    "transfer:urgent": Limit(2, WORKING_HOURS),
    "transfer:emergency": Limit(30, MINUTES),
    "accept:normal": Limit(1, WORKING_DAYS),
    "accept:urgent": Limit(1, WORKING_DAYS),
    "accept:emergency": Limit(30, MINUTES),
    "handle:normal": Limit(5, WORKING_DAYS),
    "handle:urgent": Limit(5, WORKING_DAYS),
    "handle:emergency": Limit(2, HOURS),
    "handle:utility": Limit(24, HOURS),
    "follow_up:normal": Limit(2, WORKING_DAYS),
    "follow_up:urgent": Limit(2, WORKING_DAYS),
    "follow_up:emergency": Limit(2, WORKING_DAYS),
    "supervision:normal": Limit(3, WORKING_DAYS),
    "supervision:urgent": Limit(3, WORKING_DAYS),
    "supervision:emergency": Limit(1, WORKING_DAYS),
    # The third-party review of a dissatisfied ticket (DESIGN section 4), from the follow-up
    # that found it dissatisfied to the evaluator's verdict.
    "review:normal": Limit(5, WORKING_DAYS),
    "review:urgent": Limit(5, WORKING_DAYS),
    "review:emergency": Limit(5, WORKING_DAYS),
}
MAX_EXTENSION_DAYS = 15


def limit_for(
    clock: str,
    urgency: str,
    *,
    category_limit: Limit | None = None,
    utility: bool = False,
    overrides: Mapping[str, tuple[float, str]] | None = None,
) -> Limit:
    """The allowed time of a clock. For the handling clock: emergency wins, then a utility
    category (water, power, gas, heating: 24 h), then the category's own limit, then 5 working days."""
    table = dict(DEFAULTS)
    for key, (amount, unit) in (overrides or {}).items():
        table[key] = Limit(float(amount), unit)
    if clock == "handle" and urgency != "emergency":
        if utility:
            return table["handle:utility"]
        if category_limit is not None:
            return category_limit
    return table[f"{clock}:{urgency}"]
