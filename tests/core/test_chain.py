"""The hash chain of append-only logs (pure: no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hotline.core.chain import GENESIS, canonical, entry_hash, first_break, instant


def chain(contents):
    entries, prev = [], GENESIS
    for content in contents:
        digest = entry_hash(prev, content)
        entries.append((prev, digest, content))
        prev = digest
    return entries


def test_a_moment_hashes_the_same_in_any_zone():
    beijing = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    utc = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    assert instant(beijing) == instant(utc) == "2026-03-02T01:00:00+00:00"
    assert entry_hash(GENESIS, {"at": instant(beijing)}) == entry_hash(
        GENESIS, {"at": instant(utc)}
    )


def test_canonical_json_ignores_key_order_and_keeps_chinese():
    assert (
        canonical({"b": 1, "a": "办结"}) == canonical({"a": "办结", "b": 1}) == '{"a":"办结","b":1}'
    )


def test_an_intact_chain_has_no_break():
    assert first_break(chain([{"n": 1}, {"n": 2}, {"n": 3}])) is None


def test_an_edited_entry_is_found():
    entries = chain([{"n": 1}, {"n": 2}, {"n": 3}])
    prev, digest, _ = entries[1]
    entries[1] = (prev, digest, {"n": 20})
    assert first_break(entries) == 1


def test_a_removed_entry_is_found():
    entries = chain([{"n": 1}, {"n": 2}, {"n": 3}])
    del entries[1]
    assert first_break(entries) == 1
