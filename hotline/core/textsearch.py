"""Chinese full-text search, the pure part: the words a text is indexed under and the words a
query asks for (no ORM; ``hotline.core.search`` puts them in the database).

Chinese has no spaces, so a text is cut into words by jieba's search mode
(``cut_for_search``: the words of the accurate cut plus the shorter words inside long ones),
each word normalised (NFKC, lower case, punctuation dropped) and the words joined by spaces.
PostgreSQL's ``simple`` configuration and SQLite FTS5's ``unicode61`` tokenizer then only split
on those spaces. A query is cut the same way and its words are ANDed, so ``停水`` finds
"小区停水三天" (jieba: 小区 / 停水 / 三天) and not "水停了" (jieba: 水停 / 了): what is found is
what jieba cuts, never a substring (docs/decisions.md, "Search").
"""

from __future__ import annotations

import re
import threading
import unicodedata

MAX_QUERY = 100  # characters of a query that are read
MAX_TERMS = 16  # words of a query that are ANDed
_NOT_WORD = re.compile(r"[\W_]+")
_TICKET_NUMBER = re.compile(r"^\d{13}$")

_lock = threading.Lock()
_jieba = None


def _cutter():
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def words(text: str | None) -> list[str]:
    """The distinct normalised words of ``text``, in order of first appearance."""
    if not text:
        return []
    text = unicodedata.normalize("NFKC", text).lower()
    seen: dict[str, None] = {}
    for piece in _cutter().cut_for_search(text):
        word = _NOT_WORD.sub("", piece)
        if word and word not in seen:
            seen[word] = None
    return list(seen)


def index_text(*parts: str | None) -> str:
    """What a row is indexed under: the words of its parts, joined by spaces."""
    seen: dict[str, None] = {}
    for part in parts:
        for word in words(part):
            seen.setdefault(word, None)
    return " ".join(seen)


def query_terms(query: str | None) -> list[str]:
    """The words a query asks for (all of them must be found), at most ``MAX_TERMS``."""
    return words((query or "").strip()[:MAX_QUERY])[:MAX_TERMS]


def fts5_match(terms: list[str]) -> str:
    """An FTS5 MATCH expression ANDing ``terms``, each quoted (no operator can be injected)."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def is_ticket_number(query: str | None) -> bool:
    return bool(_TICKET_NUMBER.match((query or "").strip()))
