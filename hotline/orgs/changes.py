"""Who is told when an admin edits the catalogue, a region or an alias: the apps above
``orgs`` that cache them register a listener in their ``AppConfig.ready()`` (the dispatch
suggester drops its cache), so ``orgs`` imports none of them."""

from __future__ import annotations

from collections.abc import Callable

LISTENERS: list[Callable[[], None]] = []


def catalogue_listener_register(listener: Callable[[], None]) -> None:
    if listener not in LISTENERS:
        LISTENERS.append(listener)


def catalogue_changed() -> None:
    """Tell every listener that the catalogue or the region tree changed."""
    for listener in LISTENERS:
        listener()
