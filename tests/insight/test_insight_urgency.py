import pytest

from hotline.insight.urgency import detect_urgency, raise_urgency


@pytest.mark.parametrize(
    ("text", "level", "word"),
    [
        ("楼道里闻到很重的煤气味，怀疑燃气泄漏", "emergency", "燃气泄漏"),
        ("3栋着火了，浓烟很大", "emergency", "着火"),
        ("工地围墙坍塌压住了人", "emergency", "坍塌"),
        ("我不想活了", "emergency", "不想活"),
        ("小区已经停水两天", "urgent", "停水"),
        ("建议增加公交班次", "normal", None),
    ],
)
def test_levels(text, level, word):
    got, words = detect_urgency(text)
    assert got == level
    assert (word in words) if word else words == []


def test_negated_mentions_do_not_count():
    assert detect_urgency("消防演练，没有着火，请勿惊慌")[0] == "normal"


def test_configurable_words():
    assert detect_urgency("有人晕倒", {"emergency": ["晕倒"]}) == ("emergency", ["晕倒"])
    assert detect_urgency("着火了", {"urgent": ["着火"]}) == ("urgent", ["着火"])


def test_intake_never_lowers_urgency():
    assert raise_urgency("urgent", "normal") == "urgent"
    assert raise_urgency("normal", "emergency") == "emergency"
