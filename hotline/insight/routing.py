"""Which catalogue leaf and which unit for a ticket, with the reasons in words (pure, no ORM).

Leaves (see docs/insight.md, "Leaf, place and owner"):
  score(leaf) = W_NAME * name + W_KEYWORD * keywords + W_HISTORY * history
                + W_CLASS * ln(P(first-level class) + 0.01)
  * name: the leaf's name (三级; each part of 房产证登记、办理) in the text: 1; most of its
    character pairs: their share; the second-level name: 0.3;
  * keywords: the admin-kept words of the leaf found in the text (distinct, longest first,
    a span used once), each 1, at most 3;
  * history: cosine between the text's character pairs and the leaf's centroid over the
    tickets dispatchers filed under it (the city's own dispatch history);
  * the first-level model's calibrated probability of the leaf's class narrows the field.
  The generic leaves (其他) of the likeliest classes stand in when nothing names a leaf.
  Confidence = softmax(score / TEMPERATURE) over the candidates (see the calibration table in
  docs/benchmarks-routing.md).

Units: the active routing rules, highest priority first (leaf or an ancestor category,
region or an ancestor of the place, any of the words, the urgency); the first that matches
names the unit, or the district of the place when it names none. Without a matching rule the
leaf's owner decides: a named unit (a bureau, a utility company) or the place (属地: the
district of the ticket's place, which forwards down).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .place import Place, PlaceIndex
from .text import normalize

W_NAME = 2.0
W_KEYWORD = 1.6
W_HISTORY = 2.5
W_CLASS = 0.6
TEMPERATURE = 0.8
CLASS_FLOOR = 0.01
MAX_KEYWORD_HITS = 3
GENERIC = "其他"
SPLIT = re.compile(r"[\s,，、;；/]+")


def split_words(text: str) -> tuple[str, ...]:
    """Keywords as an admin types them: separated by spaces, commas, 、 or semicolons."""
    return tuple(dict.fromkeys(w for w in (normalize(p) for p in SPLIT.split(text or "")) if w))


@dataclass(frozen=True, slots=True)
class LeafInfo:
    code: str
    names: tuple[str, ...]  # 一级, 二级, 三级
    owner: str = "unit"  # "unit" or "place"
    unit: str | None = None  # default unit's code
    keywords: tuple[str, ...] = ()

    @property
    def first(self) -> str:
        return self.names[0]

    @property
    def name(self) -> str:
        return self.names[-1]

    @property
    def path(self) -> str:
        return "/".join(self.names)

    @property
    def generic(self) -> bool:
        return self.name == GENERIC


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    name: str
    priority: int = 0
    category: str | None = None  # a category code: the rule covers it and everything below
    region: str | None = None  # a region code: the rule covers it and everything below
    keywords: tuple[str, ...] = ()
    urgency: str = ""
    unit: str | None = None  # None: the district of the place (属地)


# How a suggestion's unit was chosen (``Basis.via``).
VIA_RULE = "rule"  # a routing rule matched
VIA_PLACE = "place"  # the leaf is 属地: the district of the place
VIA_OWNER = "owner"  # the leaf names its unit (a bureau, a utility company)
VIA_NO_PLACE = "no_place"  # the leaf is 属地 but no place was found: its default unit


@dataclass(frozen=True, slots=True)
class Basis:
    """Why a suggestion names its leaf and its unit, as facts (a page words them in its own
    language; ``RouteSuggestion.reasons`` says the same in English sentences)."""

    via: str = VIA_OWNER
    territorial: bool = False  # the unit is the district of the place (属地)
    district: str = ""  # that district's name
    rule: int | None = None
    rule_name: str = ""
    rule_priority: int = 0
    rule_words: tuple[str, ...] = ()  # the rule's words found in the text
    leaf_words: tuple[str, ...] = ()  # the leaf's name or keywords found in the text


@dataclass(frozen=True, slots=True)
class RouteSuggestion:
    category: str  # the leaf's code
    category_name: str  # 一级/二级/三级
    unit: str | None
    confidence: float
    reasons: tuple[str, ...]
    rule: int | None = None  # the routing rule that chose the unit
    basis: Basis = Basis()


def _bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


class History:
    """The city's own dispatch history: for each leaf, the centroid of the TF-IDF character
    pairs of the tickets filed under it. ``scores(text)`` is the cosine with each centroid."""

    def __init__(self, examples: Iterable[tuple[str, str]], *, min_examples: int = 2):
        docs = [(normalize(text), leaf) for text, leaf in examples if text and leaf]
        per_leaf = Counter(leaf for _, leaf in docs)
        docs = [(t, leaf) for t, leaf in docs if per_leaf[leaf] >= min_examples]
        df: Counter[str] = Counter()
        for text, _ in docs:
            df.update(set(_bigrams(text)))
        n = len(docs)
        self.idf = {g: math.log((1 + n) / (1 + c)) + 1 for g, c in df.items()}
        centroids: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for text, leaf in docs:
            for g, w in self._vector(text).items():
                centroids[leaf][g] += w
        self.postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for leaf, centroid in centroids.items():
            norm = math.sqrt(sum(w * w for w in centroid.values())) or 1.0
            for g, w in centroid.items():
                self.postings[g].append((leaf, w / norm))
        self.leaves = set(centroids)
        self.size = n

    def _vector(self, text: str) -> dict[str, float]:
        counts = Counter(g for g in _bigrams(text) if g in self.idf)
        vec = {g: (1 + math.log(c)) * self.idf[g] for g, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        return {g: w / norm for g, w in vec.items()}

    def scores(self, text: str) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        for g, w in self._vector(normalize(text)).items():
            for leaf, lw in self.postings.get(g, ()):
                out[leaf] += w * lw
        return out


def _rule_words(
    rule: Rule, chain: set[str], around: set[str], urgency: str, t: str
) -> list[str] | None:
    """The rule's keywords found in ``t`` when the rule applies (category in ``chain``, region
    in ``around``, same urgency, a keyword found if it has any), else None."""
    if rule.category and rule.category not in chain:
        return None
    if rule.region and rule.region not in around:
        return None
    if rule.urgency and rule.urgency != urgency:
        return None
    words = [kw for kw in rule.keywords if kw in t]
    if rule.keywords and not words:
        return None
    return words


class Router:
    """Leaves, rules and the place tree, folded for one ticket at a time."""

    def __init__(
        self,
        leaves: Sequence[LeafInfo],
        *,
        places: PlaceIndex | None = None,
        district_units: Mapping[str, str] | None = None,
        rules: Sequence[Rule] = (),
        history: History | None = None,
        unit_names: Mapping[str, str] | None = None,
        category_parents: Mapping[str, str | None] | None = None,
    ):
        self.leaves = list(leaves)
        self.by_code = {leaf.code: leaf for leaf in self.leaves}
        self.places = places or PlaceIndex([])
        self.district_units = dict(district_units or {})
        self.rules = sorted(rules, key=lambda r: (-r.priority, r.id))
        self.history = history
        self.unit_names = dict(unit_names or {})
        self.category_parents = dict(category_parents or {})
        self.generic_of: dict[str, list[LeafInfo]] = defaultdict(list)
        self._names: list[tuple[LeafInfo, tuple[str, ...], frozenset[str]]] = []
        self._second: dict[str, list[LeafInfo]] = defaultdict(list)
        self._keywords: list[tuple[str, LeafInfo]] = []
        for leaf in self.leaves:
            self._index(leaf)
        self._first_leaf: dict[str, LeafInfo] = {}
        for leaf in sorted(self.leaves, key=lambda leaf: leaf.code):
            self._first_leaf.setdefault(leaf.first, leaf)
        for leaves_ in self.generic_of.values():
            leaves_.sort(key=lambda leaf: (leaf.names[1] != GENERIC, leaf.code))
        self._keywords.sort(key=lambda item: -len(item[0]))

    def _index(self, leaf: LeafInfo) -> None:
        """A generic leaf under its class; any other by its name's parts and character pairs,
        its second-level name and its keywords."""
        if leaf.generic:
            # The class's own 其他/其他 first: it stands for "this class, no leaf named".
            self.generic_of[leaf.first].append(leaf)
            return
        parts = tuple(p for p in (normalize(x) for x in re.split("[、]", leaf.name)) if p)
        pairs = frozenset(g for p in parts for g in _bigrams(p))
        self._names.append((leaf, parts, pairs))
        if len(leaf.names) == 3 and leaf.names[1] != GENERIC:
            self._second[normalize(leaf.names[1])].append(leaf)
        for kw in leaf.keywords:
            self._keywords.append((kw, leaf))

    # --- leaves

    def evidence(self, text: str) -> tuple[dict[str, float], dict[str, list[str]]]:
        """What names each leaf in ``text`` (names, keywords, history), without the model."""
        evidence, reasons, _words = self._evidence(text)
        return evidence, reasons

    def _evidence(
        self, text: str
    ) -> tuple[dict[str, float], dict[str, list[str]], dict[str, list[str]]]:
        """``evidence`` and, per leaf, the words of its name and its keywords in the text."""
        t = normalize(text)
        evidence: dict[str, float] = defaultdict(float)
        reasons: dict[str, list[str]] = defaultdict(list)
        words: dict[str, list[str]] = defaultdict(list)
        self._name_evidence(t, evidence, reasons, words)
        self._keyword_evidence(t, evidence, reasons, words)
        if self.history is not None and self.history.size:
            for code, sim in self.history.scores(t).items():
                if sim >= 0.2 and code in self.by_code:
                    evidence[code] += W_HISTORY * sim
                    reasons[code].append(f"like the tickets dispatchers filed under it ({sim:.2f})")
        return evidence, reasons, words

    def _name_evidence(self, t: str, evidence: dict, reasons: dict, words: dict) -> None:
        pairs = set(_bigrams(t))
        for leaf, parts, leaf_pairs in self._names:
            # A part of a name counts alone when it says something (房产证登记), not a bare
            # verb (办理 of 房产证登记、办理).
            hit = next(
                (p for p in parts if (len(p) >= 3 or len(parts) == 1) and len(p) >= 2 and p in t),
                None,
            )
            if hit:
                evidence[leaf.code] += W_NAME
                reasons[leaf.code].append(f"its name {hit} is in the text")
                words[leaf.code].append(hit)
            elif leaf_pairs:
                share = len(leaf_pairs & pairs) / len(leaf_pairs)
                if share >= 0.75 and len(leaf_pairs) >= 2:
                    evidence[leaf.code] += W_NAME * share
                    reasons[leaf.code].append(f"most of its name {leaf.name} is in the text")
        for second, leaves in self._second.items():
            if len(second) >= 2 and second in t:
                for leaf in leaves:
                    evidence[leaf.code] += W_NAME * 0.3

    def _keyword_evidence(self, t: str, evidence: dict, reasons: dict, found: dict) -> None:
        # Longest keywords first; a span claimed by one leaf's keyword is not counted again
        # for another leaf's shorter word inside it (噪音 inside 施工噪音).
        owner: list[tuple[str, int] | None] = [None] * len(t)
        hits: dict[str, list[str]] = defaultdict(list)
        for kw, leaf in self._keywords:
            start = t.find(kw)
            if start < 0 or kw in hits[leaf.code]:
                continue
            end = start + len(kw)
            if any(
                o is not None and o[0] != leaf.code and o[1] > len(kw) for o in owner[start:end]
            ):
                continue
            owner[start:end] = [(leaf.code, len(kw))] * (end - start)
            if len(hits[leaf.code]) < MAX_KEYWORD_HITS:
                hits[leaf.code].append(kw)
        for code, words in hits.items():
            if words:
                evidence[code] += W_KEYWORD * len(words)
                reasons[code].append(f"keywords {'、'.join(words)}")
                found[code].extend(w for w in words if w not in found[code])

    def topic(self, text: str) -> str | None:
        """The leaf the text names most (no model): what "the same issue" means for repeats."""
        evidence, _ = self.evidence(text)
        if not evidence:
            return None
        return max(sorted(evidence), key=lambda code: evidence[code])

    def rank(
        self,
        text: str,
        class_proba: Mapping[str, float] | None = None,
        *,
        top: int = 3,
    ) -> list[tuple[LeafInfo, float, list[str]]]:
        """The ``top`` likeliest leaves with a confidence and the reasons."""
        return [(leaf, p, why) for leaf, p, why, _words in self._rank(text, class_proba, top=top)]

    def _rank(
        self,
        text: str,
        class_proba: Mapping[str, float] | None = None,
        *,
        top: int = 3,
    ) -> list[tuple[LeafInfo, float, list[str], tuple[str, ...]]]:
        """``rank``, each leaf with the words of its name and keywords found in the text."""
        evidence, reasons, words = self._evidence(text)
        classes = self._class_probabilities(class_proba)
        candidates = self._candidates(evidence, classes, top)
        scored = self._scored(candidates, reasons, classes)
        if not scored:
            return []
        high = scored[0][0]
        weights = [math.exp((s - high) / TEMPERATURE) for s, _, _ in scored]
        total = sum(weights)
        return [
            (leaf, w / total, why, tuple(words.get(leaf.code, ())))
            for (s, leaf, why), w in zip(scored[:top], weights[:top], strict=False)
        ]

    def _candidates(
        self, evidence: Mapping[str, float], classes: Mapping[str, float], top: int
    ) -> dict[str, float]:
        """The leaves with evidence, the stand-ins of the ``top`` likeliest classes, and
        stand-ins of the other classes until there are ``top``."""
        candidates = dict(evidence)
        likely = sorted(classes, key=lambda c: -classes[c])[:top] if classes else []
        for first in likely:
            stand_in = self._stand_in(first)
            if stand_in is not None:
                candidates.setdefault(stand_in.code, 0.0)
        if len(candidates) < top:
            for first in sorted({leaf.first for leaf in self.leaves}):
                stand_in = self._stand_in(first)
                if stand_in is not None and len(candidates) < top:
                    candidates.setdefault(stand_in.code, 0.0)
        return candidates

    def _scored(
        self,
        candidates: Mapping[str, float],
        reasons: Mapping[str, list[str]],
        classes: Mapping[str, float],
    ) -> list[tuple[float, LeafInfo, list[str]]]:
        """Each candidate's evidence plus its class's log-probability, with the reasons, best
        first."""
        scored = []
        # A class the model was never taught (its training data had none) is neither
        # supported nor ruled out: it gets the share of a class chosen at random.
        unknown = 1.0 / len(classes) if classes else None
        for code, ev in candidates.items():
            leaf = self.by_code[code]
            p = classes.get(leaf.first, unknown) if classes else None
            score = ev + (W_CLASS * math.log(p + CLASS_FLOOR) if p is not None else 0.0)
            why = list(reasons.get(code, ()))
            if not ev:
                why.append(f"nothing names a leaf of {leaf.first}")
            if p is not None and p >= 0.2:
                why.append(f"class {leaf.first} at {p:.2f}")
            scored.append((score, leaf, why))
        scored.sort(key=lambda item: (-item[0], item[1].code))
        return scored

    def _stand_in(self, first: str) -> LeafInfo | None:
        """The leaf that stands for a class when nothing names one of its leaves: its 其他
        leaf, else its first leaf."""
        generic = self.generic_of.get(first)
        if generic:
            return generic[0]
        return self._first_leaf.get(first)

    @staticmethod
    def _class_probabilities(class_proba: Mapping[str, float] | None) -> dict[str, float]:
        return dict(class_proba or {})

    # --- units

    def _category_chain(self, code: str) -> list[str]:
        out = []
        seen = set()
        node: str | None = code
        while node and node not in seen:
            seen.add(node)
            out.append(node)
            node = self.category_parents.get(node)
        if len(out) == 1:
            # No parent map: the catalogue's codes are hierarchical (C01-02-03).
            parts = code.split("-")
            out = ["-".join(parts[:i]) for i in range(len(parts), 0, -1)]
        return out

    def unit_name(self, code: str | None) -> str:
        return self.unit_names.get(code or "", code or "")

    def route(
        self, leaf: LeafInfo, place: Place | None, text: str, urgency: str = ""
    ) -> tuple[str | None, list[str], Basis]:
        """The unit for ``leaf`` at ``place``, the reasons, and how it was chosen (the rule
        that chose it, if one did)."""
        t = normalize(text)
        chain = set(self._category_chain(leaf.code))
        around = set(self.places.ancestors(place.region)) if place else set()
        for rule in self.rules:
            words = _rule_words(rule, chain, around, urgency, t)
            if words is None:
                continue
            chosen = self._by_rule(rule, words, place)
            if chosen is not None:
                return chosen
        return self._by_leaf(leaf, place)

    def _by_rule(
        self, rule: Rule, words: list[str], place: Place | None
    ) -> tuple[str | None, list[str], Basis] | None:
        """The unit a matching rule sends to (its own, else the place's district), or None
        when it names none and no district is found."""
        why = [f"rule «{rule.name}» (priority {rule.priority})"]
        if words:
            why.append(f"words {'、'.join(words)}")
        if rule.region and place:
            why.append(f"place {place.name} is in {self.places.nodes[rule.region].name}")
        basis = Basis(
            via=VIA_RULE,
            rule=rule.id,
            rule_name=rule.name,
            rule_priority=rule.priority,
            rule_words=tuple(words),
        )
        if rule.unit:
            return rule.unit, [*why, f"to {self.unit_name(rule.unit)}"], basis
        unit = self._district_unit(place)
        if unit:
            return (
                unit,
                [*why, self._territorial_reason(place)],
                replace(basis, territorial=True, district=self._district_name(place)),
            )
        return None

    def _by_leaf(self, leaf: LeafInfo, place: Place | None) -> tuple[str | None, list[str], Basis]:
        """No rule decided: the place's district for a 属地 leaf, else the leaf's owner."""
        if leaf.owner == "place":
            unit = self._district_unit(place)
            if unit:
                return (
                    unit,
                    [self._territorial_reason(place)],
                    Basis(via=VIA_PLACE, territorial=True, district=self._district_name(place)),
                )
            return (
                leaf.unit,
                [
                    f"属地 leaf, but no place found: the leaf's default unit {self.unit_name(leaf.unit)}"
                ],
                Basis(via=VIA_NO_PLACE),
            )
        return leaf.unit, [f"the leaf's owner is {self.unit_name(leaf.unit)}"], Basis()

    def _district_name(self, place: Place | None) -> str:
        if place is None:
            return ""
        return self.places.nodes[place.district].name if place.district else place.name

    def _district_unit(self, place: Place | None) -> str | None:
        if place is None or place.district is None:
            return None
        return self.district_units.get(place.district)

    def _territorial_reason(self, place: Place | None) -> str:
        if place is None:
            return "属地: no place found"
        district = self.places.nodes[place.district].name if place.district else place.name
        return f"属地: {district} ({place.describe()}) forwards down"

    # --- both

    def suggest(
        self,
        text: str,
        *,
        class_proba: Mapping[str, float] | None = None,
        place: Place | None = None,
        urgency: str = "",
        top: int = 3,
    ) -> list[RouteSuggestion]:
        out = []
        for leaf, confidence, why, words in self._rank(text, class_proba, top=top):
            unit, unit_why, basis = self.route(leaf, place, text, urgency)
            out.append(
                RouteSuggestion(
                    category=leaf.code,
                    category_name=leaf.path,
                    unit=unit,
                    confidence=round(confidence, 4),
                    reasons=(f"leaf {leaf.name}: {'; '.join(why)}", *unit_why),
                    rule=basis.rule,
                    basis=replace(basis, leaf_words=words),
                )
            )
        return out


@dataclass
class Evaluation:
    """Top-k accuracies of the suggestions over a labelled set, with a per-leaf table."""

    n: int = 0
    unit_top1: int = 0
    unit_top3: int = 0
    leaf_top1: int = 0
    leaf_top3: int = 0
    per_leaf: dict[str, list[int]] = field(default_factory=dict)  # leaf -> [n, u1, u3, l1, l3]

    def add(self, leaf: str, unit: str, got: Sequence[RouteSuggestion]) -> None:
        units = [s.unit for s in got]
        leaves = [s.category_name for s in got]
        row = self.per_leaf.setdefault(leaf, [0, 0, 0, 0, 0])
        flags = [
            bool(units) and units[0] == unit,
            unit in units[:3],
            bool(leaves) and leaves[0] == leaf,
            leaf in leaves[:3],
        ]
        self.n += 1
        row[0] += 1
        for i, flag in enumerate(flags, start=1):
            row[i] += int(flag)
        self.unit_top1 += int(flags[0])
        self.unit_top3 += int(flags[1])
        self.leaf_top1 += int(flags[2])
        self.leaf_top3 += int(flags[3])

    def rate(self, name: str) -> float:
        return getattr(self, name) / self.n if self.n else 0.0
