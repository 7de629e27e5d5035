from datetime import datetime, timedelta

from hotline.insight.hotspots import HotMessage, heat_index, hot_spots, places

T0 = datetime(2019, 8, 1)


def _msgs():
    out = []
    for i in range(6):  # six citizens, one estate, one issue
        out.append(
            HotMessage(
                id=f"p{i}",
                title="A7县伊景园滨河苑捆绑销售车位",
                detail=f"伊景园滨河苑开发商强制捆绑销售车位，第{i}位业主投诉",
                user=f"u{i}",
                time=T0 + timedelta(days=i),
                likes=i,
            )
        )
    for i in range(3):  # one citizen repeating another issue elsewhere
        out.append(
            HotMessage(
                id=f"n{i}",
                title="A2区丽发新城搅拌站噪音扰民",
                detail="丽发新城附近搅拌站夜间噪音扰民",
                user="same",
                time=T0 + timedelta(days=i),
            )
        )
    out.append(HotMessage(id="x", title="B市图书馆开放时间太短", user="z", time=T0))
    return out


def test_clusters_by_topic_and_place_ranked_by_heat():
    spots = hot_spots(_msgs())
    assert len(spots) == 2  # the lone message is not a hot spot
    first, second = spots
    assert first.rank == 1 and "滨河苑" in first.place and first.count == 6
    assert first.citizens == 6 and first.likes == 15
    assert second.count == 3 and second.citizens == 1 and "丽发新城" in second.place
    assert first.heat > second.heat
    assert first.start == T0 and first.end == T0 + timedelta(days=5)
    assert first.examples and "滨河苑" in first.examples[0]


def test_same_issue_in_different_districts_is_not_one_spot():
    msgs = [
        HotMessage(id=i, title=f"{d}区幸福小区停水", user=str(i), time=T0)
        for i, d in enumerate(["A1", "A1", "B3", "B3"])
    ]
    spots = hot_spots(msgs)
    assert sorted(s.count for s in spots) == [2, 2]


def test_window_keeps_recent_messages_only():
    spots = hot_spots(_msgs(), timedelta(days=2), end=T0 + timedelta(days=5))
    assert [s.count for s in spots] == [2]  # days 4 and 5 of the estate issue


def test_heat_grows_with_citizens_likes_and_growth():
    assert heat_index(10, 10, 0, 0, 1) > heat_index(10, 1, 0, 0, 1)
    assert heat_index(5, 5, 100, 0, 1) > heat_index(5, 5, 0, 0, 1)
    assert heat_index(5, 5, 0, 0, 3) > heat_index(5, 5, 0, 0, 1)
    assert heat_index(5, 5, 0, 50, 1) < heat_index(5, 5, 0, 0, 1)


def test_places():
    got = places("A5区劳动东路魅力之城小区油烟扰民")
    assert "a5区" in got and any("魅力之城" in p for p in got)


def test_real_file_top_spot_is_the_known_one(data_dir):
    from hotline.insight.management.commands.insight_hotspots import read_hot_messages

    spots = hot_spots(read_hot_messages(data_dir / "hotspot_messages.csv"), top=5)
    assert "滨河苑" in spots[0].place and spots[0].citizens >= 20


def test_a_place_named_twice_shorter_and_longer_is_named_once():
    msgs = [
        HotMessage(id=i, title=title, user=str(i), time=T0 + timedelta(days=i))
        for i, title in enumerate(
            [
                "A7县星沙东六路下穿通道何时通车",
                "A7县星沙东六路下穿通道何时通车呢",
                "A7县东六路下穿通道何时通车",
                "A7县东六路下穿通道何时能通车",
            ]
        )
    ]
    (spot,) = hot_spots(msgs)
    assert spot.place.count("东六路") == 1, spot.place
