"""Text normalisation and tokenisation for the insight features (pure, no ORM).

Citizen messages arrive with Excel escapes (``_x000D_``), full-width spaces (``\\u3000``),
non-breaking spaces and padding of newlines and tabs. Half of the historical titles had all
whitespace removed, so the features are computed on whitespace-free text: the same message
gives the same features whether or not its whitespace survived.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable

_EXCEL_ESCAPE = re.compile(r"_x000[dDaA]_")
_WHITESPACE = re.compile(r"\s+")
_MASKED = re.compile(r"\*{2,}")
_DIGITS = re.compile(r"\d+")
_PHONE_DIGITS = re.compile(r"\D")


def normalize(text: str | None) -> str:
    """Clean ``text`` and remove all whitespace.

    NFKC folds full-width letters and digits to ASCII; letters are lower-cased; Excel's
    ``_x000D_`` escapes and every kind of whitespace are removed; runs of masking stars
    collapse to one star.
    """
    if not text:
        return ""
    text = _EXCEL_ESCAPE.sub("", text)
    text = unicodedata.normalize("NFKC", text).lower()
    text = _WHITESPACE.sub("", text)
    return _MASKED.sub("*", text)


def message_text(title: str | None, detail: str | None = None) -> str:
    """The text a ticket is judged on: normalised title, a separator, normalised detail."""
    title_n = normalize(title)
    detail_n = normalize(detail)
    if title_n and detail_n:
        return f"{title_n}|{detail_n}"
    return title_n or detail_n


def normalize_phone(phone: str | None) -> str:
    """Digits only; a leading 86 country code is dropped. Empty when nothing is left."""
    digits = _PHONE_DIGITS.sub("", phone or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def char_shingles(text: str, k: int = 3) -> set[str]:
    """The set of ``k``-character shingles of the normalised text (digits kept)."""
    text = normalize(text)
    if len(text) <= k:
        return {text} if text else set()
    return {text[i : i + k] for i in range(len(text) - k + 1)}


_jieba_lock = threading.Lock()
_jieba = None


def _get_jieba():
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def words(text: str) -> list[str]:
    """jieba word tokens of the normalised text; digit runs become ``0`` and
    single punctuation marks are dropped."""
    jieba = _get_jieba()
    text = _DIGITS.sub("0", normalize(text))
    return [w for w in jieba.lcut(text, HMM=False) if w.strip() and not _is_punct(w)]


def _is_punct(token: str) -> bool:
    return len(token) == 1 and unicodedata.category(token)[0] in "PSZ"


def word_analyzer(text: str) -> list[str]:
    """Analyzer for scikit-learn vectorizers: jieba unigrams plus adjacent bigrams.

    A module-level function so fitted vectorizers pickle and load without closures.
    """
    toks = words(text)
    return toks + [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]


WORD_HEAD_CHARS = 300


def word_analyzer_head(text: str) -> list[str]:
    """:func:`word_analyzer` of the first ``WORD_HEAD_CHARS`` characters (word segmentation is
    the slowest step of a suggestion; the head of a message carries its subject)."""
    return word_analyzer(text[:WORD_HEAD_CHARS])


def join_nonempty(parts: Iterable[str | None], sep: str = " ") -> str:
    return sep.join(p for p in parts if p)
