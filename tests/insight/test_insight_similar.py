from datetime import datetime, timedelta

from hotline.insight.similar import (
    SimilarIndex,
    TicketText,
    band_keys,
    find_similar,
    minhash,
    score_pair,
    ticket_keys,
)

T0 = datetime(2025, 3, 1, 9)
Q = TicketText(
    id=1,
    title="幸福小区3栋电梯经常困人",
    content="幸福小区3栋电梯经常困人，物业不管",
    phone="13900001111",
    region="A1",
    category="城乡建设",
    address="幸福路1号",
    time=T0,
)


def test_same_citizen_same_issue_is_a_repeat():
    cand = TicketText(
        id=2,
        title="幸福小区3栋电梯经常困人怎么办",
        content="电梯又困人，物业还是不管",
        phone="139-0000-1111",
        region="B9",
        time=T0 - timedelta(days=20),
    )
    [m] = find_similar(Q, [cand])
    assert m.kind == "repeat" and m.ticket == 2 and "same citizen" in m.reasons


def test_repeat_threshold_is_a_parameter():
    cand = TicketText(id=2, title="幸福小区3栋电梯又困人了", phone="13900001111")
    assert find_similar(Q, [cand]) == []
    assert [m.kind for m in find_similar(Q, [cand], repeat_threshold=0.4)] == ["repeat"]


def test_other_citizen_same_event_is_a_duplicate():
    cand = TicketText(
        id=3,
        title="幸福小区3栋电梯经常困人",
        content="",
        phone="13700002222",
        region="A1",
        time=T0 + timedelta(hours=3),
    )
    [m] = find_similar(Q, [cand])
    assert m.kind == "duplicate" and m.score >= 0.9


def test_unrelated_other_region_and_old_tickets_are_not_matches():
    unrelated = TicketText(id=4, title="学校门口交通拥堵", phone="13700002222", region="A1")
    other_region = TicketText(
        id=5, title="幸福小区3栋电梯经常困人", phone="13700003333", region="B2"
    )
    too_old = TicketText(
        id=6,
        title="幸福小区3栋电梯经常困人",
        phone="13700004444",
        region="A1",
        time=T0 - timedelta(days=800),
    )
    assert find_similar(Q, [unrelated, other_region, too_old, Q]) == []


def test_same_citizen_different_issue_is_not_a_repeat():
    cand = TicketText(id=7, title="咨询医保报销比例", phone="13900001111")
    assert find_similar(Q, [cand]) == []


def test_scores_are_symmetric_and_bounded():
    a = TicketText(id="a", title="路灯不亮", address="人民路")
    b = TicketText(id="b", title="人民路路灯不亮", address="人民路")
    s1, _ = score_pair(a, b)
    s2, _ = score_pair(b, a)
    assert s1 == s2 and 0 <= s1 <= 1


def test_minhash_keys_are_stable_and_identical_titles_collide():
    assert list(minhash({"abc", "bcd"})) == list(minhash({"bcd", "abc"}))
    assert len(band_keys(minhash({"abc"}))) == 16
    assert ticket_keys(Q) == ticket_keys(TicketText(id=99, title=Q.title))
    assert all(0 <= k < 2**63 for k in ticket_keys(Q))
    assert ticket_keys(TicketText(id=0)) == []


def test_index_retrieves_without_scanning_and_finds_matches():
    index = SimilarIndex()
    index.add(TicketText(id=10, title="幸福小区3栋电梯经常困人", phone="13700002222"))
    for i in range(200):
        index.add(TicketText(id=100 + i, title=f"第{i}号路段井盖缺失需要修补处理", phone=""))
    cands = index.candidates(Q)
    assert {c.id for c in cands} == {10}
    assert [m.ticket for m in index.similar(Q)] == [10]


# --- the same issue, whatever the wording ------------------------------------------------------

_T0 = datetime(2026, 11, 20, 9, 0)


def _call(id_, minutes, text, phone, topic="C01-01-19", place="jiangan-01"):
    from hotline.insight.similar import TicketText

    return TicketText(
        id=id_,
        title=text,
        phone=phone,
        time=_T0 + timedelta(minutes=minutes),
        topic=topic,
        place=place,
    )


def test_the_same_citizen_on_the_same_issue_is_a_repeat_whatever_the_wording():
    from hotline.insight.similar import find_similar

    query = _call(1, 1, "家里又没水了，什么时候来水", "13800000001")
    first = _call(2, 0, "大智路小区停水三天", "13800000001")
    (match,) = find_similar(query, [first])
    assert match.kind == "repeat" and "same issue" in match.reasons and match.score >= 0.6
    other_issue = _call(3, 0, "大智路小区停电了", "13800000001", topic="C01-01-18")
    month_ago = _call(4, -60 * 24 * 40, "小区停水", "13800000001")
    assert find_similar(query, [other_issue, month_ago]) == []


def test_other_citizens_on_the_same_issue_at_the_same_place_are_candidate_duplicates():
    from hotline.insight.similar import find_similar

    query = _call(1, 0, "家里没水了", "13800000001")
    neighbour = _call(2, 30, "大智路停水了", "13800000002")
    elsewhere = _call(3, 30, "我们这停水了", "13800000003", place="hanyang-01")
    last_month = _call(4, 60 * 24 * 10, "又停水了", "13800000004")
    no_place = _call(5, 30, "停水", "13800000005", place="")
    matches = find_similar(query, [neighbour, elsewhere, last_month, no_place])
    assert [(m.ticket, m.kind) for m in matches] == [(2, "duplicate")]
    assert matches[0].reasons[:2] == ("same place", "same issue")


def test_without_an_issue_the_text_alone_decides():
    from hotline.insight.similar import find_similar

    query = _call(1, 1, "家里又没水了", "13800000001", topic="")
    assert find_similar(query, [_call(2, 0, "大智路小区停水三天", "13800000001", topic="")]) == []
