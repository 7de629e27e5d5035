from datetime import datetime, timedelta

from hotline.insight.replycheck import check_reply

ASKED = datetime(2019, 5, 1, 9)
COMPLAINT = "A3区潇楚南路洋湖段道路施工一年未完工|路挖得稀烂，一直不动工"
GOOD = (
    "网友您好！针对您反映A3区潇楚南路洋湖段道路施工的问题，经核实，该路段因管线迁改延误，"
    "根据施工计划已于5月3日恢复施工，预计6月底完工。如有疑问请联系洋湖街道办，电话0731-88888888。"
)


def test_complete_timely_relevant_reply_scores_high():
    r = check_reply(COMPLAINT, GOOD, ASKED, ASKED + timedelta(days=3))
    assert r.ok and r.score >= 90 and r.reasons == ()


def test_acknowledgement_only_scores_low_with_reasons():
    r = check_reply(
        COMPLAINT, "您好！您反映的问题已收悉，已转相关部门。", ASKED, ASKED + timedelta(days=3)
    )
    assert not r.ok and r.score <= 30
    assert any("acknowledges" in x for x in r.reasons)


def test_off_topic_reply_loses_relevance():
    off = GOOD.replace("A3区潇楚南路洋湖段道路施工", "B市某学校收费")
    assert (
        check_reply(COMPLAINT, off, ASKED, ASKED).relevance
        < check_reply(COMPLAINT, GOOD, ASKED, ASKED).relevance
    )


def test_missing_parts_are_named():
    r = check_reply(
        COMPLAINT, "关于潇楚南路洋湖段施工，已恢复施工。" * 3, ASKED, ASKED + timedelta(days=1)
    )
    assert "missing who to contact" in r.reasons and "missing a reason or basis" in r.reasons
    assert r.completeness == round(1 / 3, 3)


def test_late_reply_loses_timeliness():
    on_time = check_reply(COMPLAINT, GOOD, ASKED, ASKED + timedelta(days=2))
    late = check_reply(COMPLAINT, GOOD, ASKED, ASKED + timedelta(days=40))
    very_late = check_reply(COMPLAINT, GOOD, ASKED, ASKED + timedelta(days=90))
    assert on_time.timeliness == 1 > late.timeliness > very_late.timeliness == 0
    assert any("40 days" in x for x in late.reasons)
