"""The words a text is indexed under and a query asks for (jieba search mode)."""

from hotline.core.textsearch import (
    fts5_match,
    index_text,
    is_ticket_number,
    query_terms,
    words,
)


def test_two_character_words_are_cut_out():
    assert words("小区停水三天") == ["小区", "停水", "三天"]
    assert "噪音" in words("楼上噪音扰民")


def test_what_jieba_does_not_cut_is_not_a_word():
    # 水停了 is cut 水停 / 了: it holds no word 停水, so a search for 停水 does not find it
    # (documented: search finds words, not substrings).
    assert "停水" not in words("水停了")


def test_normalised_punctuation_dropped_and_deduplicated():
    assert words("ＡＢＣ，停水！停水") == ["abc", "停水"]
    assert index_text("停水", None, "武汉市江汉区").split() == [
        "停水",
        "武汉",
        "武汉市",
        "江汉",
        "江汉区",
    ]


def test_query_terms_and_fts5_quoting():
    assert query_terms("  小区停水 ") == ["小区", "停水"]
    assert query_terms("!!!") == []
    assert fts5_match(["停水", 'a"b']) == '"停水" "a""b"'


def test_ticket_numbers():
    assert is_ticket_number("2026120400001")
    assert not is_ticket_number("13800001111")
