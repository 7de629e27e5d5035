"""Category and unit suggestion from a ticket's text (pure: no ORM, Django only for the
default model folder).

Model (see docs/insight.md for why): three TF-IDF blocks, stacked side by side,
  * characters 1-3-grams of title + detail (detail cut at ``DETAIL_CHARS``), sublinear tf,
  * characters 1-5-grams of the title alone (titles carry most of the signal, and half of the
    historical messages have nothing else),
  * jieba words and adjacent word pairs of the first 300 characters of title + detail,
then an NB-SVM (:class:`NBSVM`: per class, the features are scaled by naive-Bayes log-count
ratios and a linear SVM separates that class from the rest) calibrated with
``CalibratedClassifierCV`` (sigmoid, 5 folds) so the top-3 confidences are probabilities that
sum to 1.

The classifier works on labels only. The unit is a parameter: ``unit_map`` maps a category
(a catalogue path ``一级/二级/三级``, or a first-level class) to the default unit's code.

Model files are versioned: ``suggest-YYYYMMDDHHMMSS.pkl`` in the model folder, with
``manifest.json`` naming the one in use (``current``) and listing every file with its metrics.
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy.sparse import hstack
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.svm import LinearSVC

from .text import normalize, word_analyzer_head, words

DETAIL_CHARS = 400
MODEL_PREFIX = "suggest-"
MANIFEST = "manifest.json"
FORMAT_VERSION = 1


def model_text(title: str | None, detail: str | None = None) -> str:
    """Title and the first ``DETAIL_CHARS`` characters of the detail, normalised."""
    t = normalize(title)
    d = normalize(detail)[:DETAIL_CHARS]
    return f"{t}|{d}" if t and d else (t or d)


def title_of(text: str) -> str:
    return text.split("|", 1)[0]


# ------------------------------------------------------------------ catalogue and units


@dataclass(frozen=True, slots=True)
class Leaf:
    first: str
    second: str
    third: str

    @property
    def path(self) -> str:
        return "/".join(p for p in (self.first, self.second, self.third) if p)


class Catalogue:
    """The dispatch catalogue's leaves, used to pick the leaf within a suggested class.

    A leaf is chosen when its name (三级, else 二级; "其他" never) occurs in the text, or
    when most of its character pairs do; the longest, best-covered name wins.
    """

    def __init__(self, leaves: Sequence[Leaf]):
        self.by_first: dict[str, list[tuple[Leaf, str, set[str]]]] = {}
        for leaf in leaves:
            for name in (leaf.third, leaf.second):
                n = normalize(name)
                if n and n != "其他":
                    bigrams = {n[i : i + 2] for i in range(len(n) - 1)} or {n}
                    self.by_first.setdefault(leaf.first, []).append((leaf, n, bigrams))

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, str]]) -> Catalogue:
        return cls(
            [
                Leaf(
                    r.get("一级分类", "").strip(),
                    r.get("二级分类", "").strip(),
                    r.get("三级分类", "").strip(),
                )
                for r in rows
                if r.get("一级分类")
            ]
        )

    def leaf_for(self, first: str, text: str) -> Leaf | None:
        text = normalize(text)
        best: tuple[float, Leaf] | None = None
        for leaf, name, bigrams in self.by_first.get(first, []):
            if name in text:
                score = 1.0 + len(name) / 100
            else:
                hit = sum(1 for b in bigrams if b in text)
                score = hit / len(bigrams)
                if score < 0.75 or hit < 2:
                    continue
            if best is None or score > best[0]:
                best = (score, leaf)
        return best[1] if best else None


@dataclass(frozen=True, slots=True)
class Suggestion:
    category: str  # first-level class
    confidence: float  # calibrated probability, 0..1
    leaf: str | None = None  # catalogue path 一级/二级/三级 when a leaf matched
    unit: str | None = None  # unit code from the unit map, when one is known


# ------------------------------------------------------------------ the model


class FastLinear:
    """The fitted model folded into plain arrays for one text at a time.

    scikit-learn's per-call overhead (input checks, sparse matrix building, the calibrated
    wrapper) costs ~15 ms for a single text; the arithmetic itself is well under 1 ms. This
    computes the same numbers: TF-IDF of each block (sublinear tf, idf, l2 norm), the linear
    SVM's decision values, the per-class sigmoid and the normalisation of the calibrated
    classifier (``ensemble=False``: one SVM fitted on all data, sigmoids fitted on
    cross-validated decisions).
    """

    def __init__(self, model: SuggestModel):
        cal = model.clf.calibrated_classifiers_[0]
        svm = cal.estimator  # NBSVM (or LinearSVC in older files): coef_ (K, D), intercept_ (K,)
        self.coef = np.ascontiguousarray(svm.coef_.T, dtype=np.float32)  # (D, K)
        self.intercept = np.asarray(svm.intercept_, dtype=np.float64)
        self.a = np.array([c.a_ for c in cal.calibrators], dtype=np.float64)
        self.b = np.array([c.b_ for c in cal.calibrators], dtype=np.float64)
        self.blocks = []
        offset = 0
        for vec in (model.char_vec, model.title_vec, model.word_vec):
            vocab = {k: int(v) + offset for k, v in vec.vocabulary_.items()}
            self.blocks.append((vec.analyzer, vec.ngram_range, vocab))
            offset += len(vec.vocabulary_)
        self.idf = idf_all = np.zeros(offset, dtype=np.float64)
        off = 0
        for vec in (model.char_vec, model.title_vec, model.word_vec):
            idf_all[off : off + len(vec.idf_)] = vec.idf_
            off += len(vec.idf_)

    @staticmethod
    def _char_grams(text: str, lo: int, hi: int) -> list[str]:
        n_chars = len(text)
        return [
            text[i : i + n] for n in range(lo, min(hi, n_chars) + 1) for i in range(n_chars - n + 1)
        ]

    def decision(self, text: str) -> np.ndarray:
        score = self.intercept.copy()
        for i, (analyzer, (lo, hi), vocab) in enumerate(self.blocks):
            doc = title_of(text) if i == 1 else text
            grams = self._char_grams(doc, lo, hi) if analyzer == "char" else analyzer(doc)
            counts = {g: n for g, n in Counter(grams).items() if g in vocab}
            if not counts:
                continue
            idx = np.fromiter((vocab[g] for g in counts), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            val = (np.log(tf) + 1.0) * self.idf[idx]
            val /= np.sqrt(val @ val)
            score += val @ self.coef[idx]
        return score

    def predict_proba(self, text: str) -> np.ndarray:
        proba = 1.0 / (1.0 + np.exp(self.a * self.decision(text) + self.b))
        total = proba.sum()
        if total == 0:
            return np.full_like(proba, 1.0 / len(proba))
        return proba / total


class NBSVM(ClassifierMixin, BaseEstimator):
    """NB-SVM (Wang & Manning 2012): one linear SVM per class on features scaled by that
    class's naive-Bayes log-count ratio ``r = log((p/|p|) / (q/|q|))``, where ``p``/``q`` are
    ``alpha`` + the number of documents of the class / of the other classes containing each
    feature. The scaling is folded into ``coef_`` (``coef_[k] = w_k * r_k``), so the fitted
    model is an ordinary linear one: ``decision_function(X) = X @ coef_.T + intercept_``.
    """

    def __init__(self, C: float = 1.0, alpha: float = 1.0):
        self.C = C
        self.alpha = alpha

    def fit(self, X, y):
        self.classes_ = np.unique(np.asarray(y))
        y = np.asarray(y)
        present = X.copy().tocsr()
        present.data[:] = 1.0
        targets = [self.classes_[1]] if len(self.classes_) == 2 else list(self.classes_)
        coefs, intercepts = [], []
        for cls in targets:
            pos = y == cls
            p = self.alpha + np.asarray(present[pos].sum(axis=0)).ravel()
            q = self.alpha + np.asarray(present[~pos].sum(axis=0)).ravel()
            r = np.log((p / p.sum()) / (q / q.sum()))
            svm = LinearSVC(C=self.C, random_state=0).fit(X.multiply(r).tocsr(), pos.astype(int))
            coefs.append(svm.coef_[0] * r)
            intercepts.append(svm.intercept_[0])
        self.coef_ = np.vstack(coefs)
        self.intercept_ = np.asarray(intercepts)
        return self

    def decision_function(self, X):
        scores = np.asarray(X @ self.coef_.T) + self.intercept_
        return scores[:, 0] if len(self.classes_) == 2 else scores

    def predict(self, X):
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[scores.argmax(axis=1)]


@dataclass
class SuggestModel:
    char_vec: TfidfVectorizer
    title_vec: TfidfVectorizer
    word_vec: TfidfVectorizer
    clf: object
    labels: list[str]
    version: str = ""
    trained_at: str = ""
    train_size: int = 0
    train_seconds: float = 0.0
    info: dict = field(default_factory=dict)
    fast: FastLinear | None = None

    def features(self, texts: Sequence[str]):
        return hstack(
            [
                self.char_vec.transform(texts),
                self.title_vec.transform([title_of(t) for t in texts]),
                self.word_vec.transform(texts),
            ]
        ).tocsr()

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Rows of class probabilities in the order of ``self.labels``."""
        if len(texts) == 1 and self.fast is not None:
            return self.fast.predict_proba(texts[0])[None, :]
        return self.clf.predict_proba(self.features(texts))

    def predict(self, texts: Sequence[str]) -> list[str]:
        proba = self.predict_proba(texts)
        return [self.labels[i] for i in proba.argmax(axis=1)]

    def top(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        proba = self.predict_proba([text])[0]
        order = np.argsort(-proba)[:k]
        return [(self.labels[i], float(proba[i])) for i in order]


def _vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer, TfidfVectorizer]:
    return (
        TfidfVectorizer(
            analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, dtype=np.float32
        ),
        TfidfVectorizer(
            analyzer="char", ngram_range=(1, 5), sublinear_tf=True, min_df=1, dtype=np.float32
        ),
        TfidfVectorizer(analyzer=word_analyzer_head, sublinear_tf=True, min_df=1, dtype=np.float32),
    )


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    C: float = 1.0,
    alpha: float = 1.0,
    calibration_folds: int = 5,
) -> SuggestModel:
    """Fit the suggestion model on ``texts`` (use :func:`model_text`) and their labels.

    Classes with fewer than ``calibration_folds`` examples are calibrated with fewer folds;
    a class with a single example cannot be calibrated and is dropped.
    """
    t0 = time.perf_counter()
    counts = Counter(labels)
    keep = [i for i, y in enumerate(labels) if counts[y] >= 2]
    texts = [texts[i] for i in keep]
    labels = [labels[i] for i in keep]
    if len(set(labels)) < 2:
        raise ValueError("need at least two classes with two examples each")
    char_vec, title_vec, word_vec = _vectorizers()
    char_vec.fit(texts)
    title_vec.fit([title_of(t) for t in texts])
    word_vec.fit(texts)
    model = SuggestModel(char_vec, title_vec, word_vec, clf=None, labels=[])
    X = model.features(texts)
    folds = max(2, min(calibration_folds, min(Counter(labels).values())))
    clf = CalibratedClassifierCV(
        NBSVM(C=C, alpha=alpha), method="sigmoid", cv=folds, ensemble=False
    )
    clf.fit(X, labels)
    model.clf = clf
    model.labels = [str(c) for c in clf.classes_]
    if len(model.labels) > 2:
        model.fast = FastLinear(model)
    model.train_size = len(texts)
    model.train_seconds = time.perf_counter() - t0
    model.trained_at = datetime.now(UTC).isoformat(timespec="seconds")
    return model


def train_baseline(texts: Sequence[str], labels: Sequence[str]):
    """The plain baseline: TF-IDF of jieba words + LinearSVC with default settings."""
    from sklearn.pipeline import make_pipeline

    return make_pipeline(TfidfVectorizer(analyzer=words), LinearSVC(random_state=0)).fit(
        texts, labels
    )


# ------------------------------------------------------------------ evaluation


def evaluate(y_true: Sequence[str], y_pred: Sequence[str]) -> dict:
    """Accuracy, macro-F1 and a per-class table (precision, recall, F1, support)."""
    labels = sorted(set(y_true) | set(y_pred))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=sorted(set(y_true)), average="macro", zero_division=0)
        ),
        "n": len(y_true),
        "per_class": [
            {
                "label": lab,
                "precision": float(p[i]),
                "recall": float(r[i]),
                "f1": float(f[i]),
                "support": int(s[i]),
            }
            for i, lab in enumerate(labels)
        ],
    }


@dataclass(frozen=True)
class Challenge:
    """A retrained model (the challenger) against the model in use, on the newest tickets."""

    holdout: int  # newest examples held out
    current_f1: float
    challenger_f1: float

    @property
    def challenger_wins(self) -> bool:
        return self.challenger_f1 >= self.current_f1


def challenge(
    current: SuggestModel, texts: Sequence[str], labels: Sequence[str], *, holdout: float = 0.2
) -> Challenge:
    """Hold out the newest ``holdout`` share of the examples (``texts`` come newest first),
    train a challenger on the rest, and score both models on the held-out part (macro-F1 over
    the classes present there). A retrained model replaces the one in use only when it does
    at least as well on the newest tickets: a few hundred tickets must not undo a model trained
    on thousands of messages."""
    n = max(1, int(len(texts) * holdout))
    held_texts, held_labels = list(texts[:n]), list(labels[:n])
    challenger = train(list(texts[n:]), list(labels[n:]))
    return Challenge(
        holdout=n,
        current_f1=evaluate(held_labels, current.predict(held_texts))["macro_f1"],
        challenger_f1=evaluate(held_labels, challenger.predict(held_texts))["macro_f1"],
    )


def format_table(report: dict) -> str:
    """The per-class table as markdown."""
    lines = ["| class | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for row in report["per_class"]:
        lines.append(
            f"| {row['label']} | {row['precision']:.4f} | {row['recall']:.4f} | "
            f"{row['f1']:.4f} | {row['support']} |"
        )
    lines.append(f"| **macro** | | | **{report['macro_f1']:.4f}** | {report['n']} |")
    return "\n".join(lines)


# ------------------------------------------------------------------ versioned files


def default_model_dir() -> Path:
    from django.conf import settings

    return Path(settings.HOTLINE_MODEL_DIR)


def _read_manifest(model_dir: Path) -> dict:
    try:
        return json.loads((model_dir / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"current": None, "models": []}


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_model(
    model: SuggestModel,
    model_dir: str | Path | None = None,
    *,
    make_current: bool = True,
    metrics: dict | None = None,
) -> Path:
    """Write ``suggest-YYYYMMDDHHMMSS.pkl`` and record it in ``manifest.json``."""
    model_dir = Path(model_dir) if model_dir else default_model_dir()
    model_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    name = f"{MODEL_PREFIX}{stamp}.pkl"
    n = 1
    while (model_dir / name).exists():
        n += 1
        name = f"{MODEL_PREFIX}{stamp}-{n}.pkl"
    model.version = name.removesuffix(".pkl")
    payload = pickle.dumps(
        {"format": FORMAT_VERSION, "model": model}, protocol=pickle.HIGHEST_PROTOCOL
    )
    _write_atomic(model_dir / name, payload)
    manifest = _read_manifest(model_dir)
    manifest["models"].append(
        {
            "file": name,
            "trained_at": model.trained_at,
            "train_size": model.train_size,
            "labels": model.labels,
            "train_seconds": round(model.train_seconds, 2),
            "metrics": metrics or {},
            "info": model.info,
        }
    )
    if make_current:
        manifest["current"] = name
    _write_atomic(
        model_dir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    )
    return model_dir / name


def set_current(name: str, model_dir: str | Path | None = None) -> None:
    """Make an existing model file the one in use (rollback)."""
    model_dir = Path(model_dir) if model_dir else default_model_dir()
    if not (model_dir / name).is_file():
        raise FileNotFoundError(model_dir / name)
    manifest = _read_manifest(model_dir)
    manifest["current"] = name
    _write_atomic(
        model_dir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    )
    _cache.clear()


def current_name(model_dir: str | Path | None = None) -> str | None:
    model_dir = Path(model_dir) if model_dir else default_model_dir()
    return _read_manifest(model_dir).get("current")


def load_model(path: str | Path) -> SuggestModel:
    """Load a model file written by :func:`save_model` (trusted files only: pickle)."""
    with open(path, "rb") as fh:
        payload = pickle.load(fh)  # noqa: S301 - our own files in the model folder
    if payload.get("format") != FORMAT_VERSION:
        raise ValueError(f"unsupported model format {payload.get('format')!r}")
    return payload["model"]


_cache: dict[str, SuggestModel] = {}
_cache_lock = threading.Lock()


def load_current(model_dir: str | Path | None = None) -> SuggestModel | None:
    """The model named in the manifest, cached per process; None when none is trained."""
    model_dir = Path(model_dir) if model_dir else default_model_dir()
    name = current_name(model_dir)
    if not name:
        return None
    key = str(model_dir / name)
    with _cache_lock:
        if key not in _cache:
            _cache.clear()
            _cache[key] = load_model(model_dir / name)
        return _cache[key]


# ------------------------------------------------------------------ the public call


def suggest(
    text: str,
    top: int = 3,
    *,
    title: str | None = None,
    model: SuggestModel | None = None,
    unit_map: Mapping[str, str] | None = None,
    catalogue: Catalogue | None = None,
) -> list[Suggestion]:
    """Top ``top`` category suggestions for a ticket's text, best first.

    ``text`` is the ticket's content; ``title`` its title when it has one. Each suggestion has
    the first-level class, a calibrated confidence, the catalogue leaf when ``catalogue`` finds
    one in the text, and the unit code from ``unit_map`` (leaf path first, then the class).
    Returns [] when no model has been trained yet.
    """
    model = model or load_current()
    if model is None:
        return []
    mt = model_text(title, text) if title else model_text(text)
    out = []
    for label, conf in model.top(mt, top):
        leaf = catalogue.leaf_for(label, mt) if catalogue else None
        unit = None
        if unit_map:
            unit = (unit_map.get(leaf.path) if leaf else None) or unit_map.get(label)
        out.append(
            Suggestion(
                category=label,
                confidence=round(conf, 4),
                leaf=leaf.path if leaf else None,
                unit=unit,
            )
        )
    return out
