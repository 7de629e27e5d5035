from hotline.insight.data import parse_time, stratified_group_split
from hotline.insight.text import char_shingles, message_text, normalize, normalize_phone, words


def test_normalize_removes_whitespace_escapes_and_folds_width():
    raw = "\n\t\t\t\t\tＡ3区\u3000某小区\xa0停水_x000D_\r\n三天"
    assert normalize(raw) == "a3区某小区停水三天"


def test_same_message_with_or_without_whitespace_gives_same_text():
    assert message_text("J10 县 道路", "路面 破损") == message_text("J10县道路", "路面破损")
    assert message_text("标题", "") == "标题"
    assert message_text("", "内容") == "内容"


def test_phone_normalisation():
    assert normalize_phone("+86 139-0000-1111") == "13900001111"
    assert normalize_phone("") == ""


def test_shingles_and_words():
    assert char_shingles("abcd", 3) == {"abc", "bcd"}
    assert char_shingles("ab", 3) == {"ab"}
    toks = words("小区停水三天了，2019年")
    assert "停水" in toks and "0" in toks and "，" not in toks


def test_parse_time_formats():
    assert parse_time("2019/4/25 9:32:09").day == 25
    assert parse_time("2019-04-25T09:32:09").hour == 9
    assert parse_time("") is None and parse_time("garbage") is None


def test_split_is_stratified_grouped_and_deterministic():
    labels = ["a"] * 50 + ["b"] * 50
    groups = [f"t{i // 2}" for i in range(100)]  # pairs share a title
    train, test = stratified_group_split(labels, groups, label_order=["a", "b"])
    assert (train, test) == stratified_group_split(labels, groups, label_order=["a", "b"])
    assert sorted(train + test) == list(range(100))
    assert sum(labels[i] == "a" for i in test) == 10 and sum(labels[i] == "b" for i in test) == 10
    test_groups = {groups[i] for i in test}
    assert not any(groups[i] in test_groups for i in train)
