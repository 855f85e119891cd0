"""Template families found in the real Reuters items: wire items that share a
sentence frame while their names, figures and dates differ (earnings tables,
dividend notices, bond issues, filing and stake briefs, weekly statistics,
central bank money-market reports, USDA notices).

An item's *frame sequence* is its body with every slot filler replaced by its
class (``#`` a figure, ``T`` a ticker, ``M`` a month or weekday, ``N`` a run of
capitalised names) and the other words lower-cased.  An item is *templated*
when at least half of the 5-grams of that sequence recur in three or more
items.  Templated items are clustered greedily (most templated first): one
joins the family whose first item shares at least half of its 5-grams (of the
smaller of the two), starts a family when it shares under a fifth with every
first item, and is left out in between (it sits between families).  A
family's members that repeat another's fillers (a re-sent or updated item) are
dropped, and families whose frames share a run of 8 frame words are merged, so
that items made from two families share no such run.  A family is a *series*
(the same periodic report: the issuer's names recur in most items) or a one-off
template (every item names another company).  ``build_frames`` also returns
every templated item: the real material keeps nothing that shares an 8-word
run with them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable

import numpy as np

from .words import WORD_RE

# a ticker, a figure (2,585,000; 9-5/8; 1986/87), a word with digits ("4th", kept), a word
# (U.S, Shearson-Lehman, O'Neill; a possessive "'s" is left out)
TOKEN = re.compile(r"<[A-Z][A-Z0-9.]{0,8}>|\d+(?:[.,/]\d+)*(?:-\d+/\d+)?(?![^\W_])"
                   r"|\d[^\W_]*|[^\W\d_]+(?:-[^\W\d_]+|'(?!s\b)[^\W\d_]+)*(?:\.[^\W\d_]+)*")
MONTHS = ("January February March April May June July August September October November "
          "December").split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
DATE_WORDS = {w.lower(): ("M", k) for k, w in enumerate(MONTHS)} | \
    {w[:3].lower(): ("M", k) for k, w in enumerate(MONTHS)} | {"sept": ("M", 8)} | \
    {w.lower(): ("D", k) for k, w in enumerate(WEEKDAYS)}
SUFFIXES = frozenset("Inc Co Corp Ltd Plc Corporation Company Bank Group Holdings Bancorp "
                     "AG SA NV BV Bhd Trust Fund Industries Partners".split())
_CONNECTORS = frozenset(("of", "&", "de", "and"))
_NOT_NAMES = frozenset("""i one two three four five six seven eight nine ten eleven twelve
thirteen fourteen fifteen twenty thirty first second third fourth fifth""".split())
_END = re.compile(r"[.!?:;][\"')\]]*\s+\W*$")
GRAM = 5
RUN = 8
_MASK = "qqslotqq"  # stands for a slot when frames are compared word by word


def reuters_paragraphs(text: str) -> list[str]:
    """Body paragraphs as the material splits them, the "Reuter" sign-off dropped."""
    paras = [" ".join(p.split()) for p in re.split(r"\n(?=\s)|\n\s*\n", text.replace("\r", ""))]
    return [p for p in paras if p and p.lower().strip(" .") not in ("reuter", "reuters")]


def _tokens(par: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, token, sentence-initial) of every token of a paragraph."""
    out = []
    pos = 0
    for m in TOKEN.finditer(par):
        initial = not out or bool(_END.search(par[pos:m.start()]))
        out.append((m.start(), m.end(), m.group(), initial))
        pos = m.end()
    return out


class _Names:
    """Which capitalised words are names: any capitalised word inside a sentence; a
    sentence's first word when it is rarely written in lower case and is seen
    capitalised inside a sentence too, or a name follows it; a title's word (title
    case) when it is rarely written in lower case."""

    def __init__(self, bodies: list[list[str]]) -> None:
        self.lower: Counter = Counter()
        self.inner: Counter = Counter()
        for paras in bodies:
            for par in paras:
                for _, _, w, initial in _tokens(par):
                    if w.islower():
                        self.lower[w] += 1
                    elif w[0].isupper() and not initial:
                        self.inner[w] += 1

    def name_class(self, word: str, initial: bool, title: bool = False) -> str:
        """"N" a name, "?" a name if a name follows it, "" not a name."""
        if not word[0].isupper() or word.lower() in DATE_WORDS or word.lower() in _NOT_NAMES:
            return ""
        if not (initial or title):
            return "N"
        if self.lower[word.lower()] >= max(3, 0.1 * self.inner[word]):
            return ""
        return "N" if title or self.inner[word] else "?"


def _slot_class(word: str, names: _Names, initial: bool, title: bool = False) -> str:
    if word[0] == "<":
        return "T"
    if word[0].isdigit():
        return "#" if not any(c.isalpha() for c in word) else ""
    if word.lower() in DATE_WORDS and word[0].isupper():  # not the verb "may"
        return "M"
    return names.name_class(word, initial, title)


def _pieces(par: str, names: _Names, frame_names: frozenset[str],
            title: bool = False) -> list[tuple[str, str]]:
    """A paragraph as (kind, text) pieces: kind "" is frame text kept as it is; "N" a run
    of names (joined by "of", "&", "de", "and"), "T" a ticker, "#" a figure, "M" a
    month or weekday.  Names in ``frame_names`` are part of the frame."""
    toks = _tokens(par)
    kinds = [_slot_class(w, names, initial, title) for _, _, w, initial in toks]
    for k in range(len(kinds) - 1, -1, -1):  # "?": a name when a name follows
        if kinds[k] == "?":
            kinds[k] = "N" if k + 1 < len(toks) and kinds[k + 1] == "N" \
                and par[toks[k][1]:toks[k + 1][0]] == " " else ""
    kinds = ["" if k == "N" and w in frame_names else k
             for k, (_, _, w, _) in zip(kinds, toks, strict=True)]
    out: list[tuple[str, str]] = []
    pos = k = 0
    while k < len(toks):
        start, end, _, _ = toks[k]
        kind = kinds[k]
        if not kind:
            k += 1
            continue
        j = k + 1
        if kind == "N":  # extend the run over names and connectors between names
            while j < len(toks) and par[toks[j - 1][1]:toks[j][0]] == " " and (
                    kinds[j] == "N" or (toks[j][2] in _CONNECTORS and j + 1 < len(toks)
                                        and kinds[j + 1] == "N"
                                        and par[toks[j][1]:toks[j + 1][0]] == " ")):
                j += 1
            end = toks[j - 1][1]
        if start > pos:
            out.append(("", par[pos:start]))
        out.append((kind, par[start:end]))
        pos, k = end, j
    if pos < len(par):
        out.append(("", par[pos:]))
    return out


def _stem(word: str) -> str:
    return re.sub(r"'s?$", "", word.lower())


def _title_pieces(title: str, body: list[list[tuple[str, str]]], names: _Names,
                  frame_names: frozenset[str]) -> list[tuple]:
    """A title-cased title as pieces: a name run sharing a word with a name run of the
    body is tied to it, ``("n", text, body run)``: it takes a short form of the body
    run's filler."""
    runs = [text for par in body for kind, text in par if kind == "N"]
    word_run = {}
    for run in runs:
        for w in run.split():
            if w not in _CONNECTORS:
                word_run.setdefault(_stem(w), run)
    frame_lower = {w.lower() for w in frame_names}
    out: list[tuple[str, str]] = []
    for kind, text in _pieces(title, names, frame_names, title=True):
        if kind != "N":
            out.append((kind, text))
            continue
        words = text.split()
        if all(w.lower() in frame_lower or w in _CONNECTORS for w in words):
            out.append(("", text))
            continue
        tied = next((word_run[_stem(w)] for w in words if _stem(w) in word_run), None)
        out.append(("n", text, tied) if tied is not None else ("N", text))
    return out


def _hashes(ids: list[int], width: int) -> np.ndarray:
    """Hashes of every run of ``width`` consecutive ids."""
    if len(ids) < width:
        return np.empty(0, dtype=np.uint64)
    x = np.array(ids, dtype=np.uint64)
    h = np.zeros(len(x) - width + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(width):
            h = h * np.uint64(0x9E3779B97F4A7C15) + x[k:len(x) - width + 1 + k] + np.uint64(1)
    return h


def _frame_grams(paras: list[str], names: _Names, vocab: dict[str, int]) -> np.ndarray:
    seq: list[int] = []
    for par in paras:
        for _, _, w, initial in _tokens(par):
            c = _slot_class(w, names, initial)
            c = c if c and c != "?" else w.lower()
            if c == "N" and seq and seq[-1] == vocab.get("N"):
                continue
            seq.append(vocab.setdefault(c, len(vocab)))
    return np.unique(_hashes(seq, GRAM))


def _cluster(grams: list[np.ndarray]) -> tuple[list[int], dict[int, int]]:
    """(templated items, family of each clustered item), greedy by leaders."""
    every = np.concatenate(grams) if grams else np.zeros(0, dtype=np.uint64)
    keys, counts = np.unique(every, return_counts=True)
    recurring, share = [], np.zeros(len(grams))
    for k, g in enumerate(grams):
        r = g[counts[np.searchsorted(keys, g)] >= 3] if len(g) else g
        recurring.append(r)
        share[k] = len(r) / len(g) if len(g) >= 4 else 0.0
    templated = [k for k in range(len(grams)) if share[k] >= 0.5 and len(recurring[k]) >= 4]
    leaders: list[int] = []
    holders: dict[int, list[int]] = defaultdict(list)
    family: dict[int, int] = {}
    for k in sorted(templated, key=lambda k: (-share[k], k)):
        mine = recurring[k].tolist()
        hits = Counter(f for g in mine for f in holders.get(g, ()))
        best, value = -1, 0.0
        for f, n in sorted(hits.items()):
            v = n / min(len(mine), len(recurring[leaders[f]]))
            if v > value:
                best, value = f, v
        if value >= 0.5:
            family[k] = best
        elif value < 0.2:
            family[k] = len(leaders)
            for g in mine:
                holders[g].append(len(leaders))
            leaders.append(k)
    return templated, family


def build_frames(items: list[tuple[str, str, str, float]], title_case: Callable[[str], str]
                 ) -> tuple[dict, list[tuple[str, list[str]]]]:
    """Template families from Reuters items (id, title, text, published epoch seconds).

    Returns the frames (plain data, kept in the material's cache) and the templated
    items as (title, paragraphs), which the material must not share a run with.  The
    frames: ``bases`` (per usable real item, its title and body paragraphs as pieces,
    ``_pieces``), ``base_family`` and ``base_id`` (its Reuters id), ``families``
    (``title``, ``real_items``, ``series``, ``period_days``, ``names`` its items'
    name fillers), and the filler pools ``name_pool``, ``figure_pool`` (by shape)
    and ``ticker_pool``."""
    items = [(i, title_case(t), reuters_paragraphs(x), p) for i, t, x, p in items if t]
    items = [it for it in items if it[2]]
    names = _Names([paras for _, _, paras, _ in items])
    vocab: dict[str, int] = {"N": 0}
    grams = [_frame_grams(paras, names, vocab) for _, _, paras, _ in items]
    templated, family = _cluster(grams)
    members: dict[int, list[int]] = defaultdict(list)
    for k, f in family.items():  # in clustering order: the leader first
        members[f].append(k)
    families = [ks for _, ks in sorted(members.items())]

    # Per family: the names most of its items carry are its frame (the issuer of a
    # series, "Shr" of an earnings table); the others are slots.
    bases: list[list[list[tuple]]] = []
    base_part: list[int] = []
    base_id: list[str] = []
    parts: list[dict] = []
    for ks in families:
        seen: Counter = Counter()
        for k in ks:
            runs = [text for par in items[k][2] for kind, text in _pieces(par, names, frozenset())
                    if kind == "N"]
            runs += [text for kind, text in _pieces(items[k][1], names, frozenset(), True)
                     if kind == "N"]
            seen.update({w for run in runs for w in run.split()})
        frame_names = frozenset(w for w, n in seen.items() if n >= 0.6 * len(ks))
        ks = _distinct_fillers(ks, items, names, frame_names)
        if len(ks) < 2:
            continue
        part = {"leader": items[ks[0]][0], "title": items[ks[0]][1], "items": ks,
                "names": set(), "slots": 0,
                "constant": sum(len(w) > 1 for w in frame_names if w[0].isupper())}
        for k in ks:
            body = [_pieces(par, names, frame_names) for par in items[k][2]]
            title = _title_pieces(items[k][1], body, names, frame_names)
            runs = [piece[1] for par in body for piece in par if piece[0] == "N"]
            part["names"].update(runs)
            part["slots"] += len(runs)
            if sum(piece[0] != "" for par in (title, *body) for piece in par) < 2 or \
                    sum(len(TOKEN.findall(p[1])) for par in body for p in par if not p[0]) < 4:
                continue  # nothing to fill (every copy the same), or figures and no frame
            bases.append([title, *body])
            base_part.append(len(parts))
            base_id.append(items[k][0])
        parts.append(part)
    part_root = _merge_sharing_runs(bases, base_part, len(parts))
    # families in order of their first base; a merged family keeps its largest part's
    # title, is a series when most of its real items are, and has their period
    number: dict[int, int] = {}
    base_family = np.array([number.setdefault(int(part_root[p]), len(number))
                            for p in base_part], dtype=np.int64)
    info: list[dict] = [{} for _ in number]
    for root, fam in number.items():
        group = [p for k, p in enumerate(parts) if int(part_root[k]) == root]
        ks = [k for p in group for k in p["items"]]
        series = sum(len(p["items"]) for p in group
                     if p["constant"] >= 2 and p["slots"] <= 2 * len(p["items"]))
        dates = np.unique(np.array([items[k][3] for k in ks]) // 86400)
        gap = float(np.median(np.diff(dates))) if len(dates) > 2 else 7.0
        main = max(group, key=lambda p: len(p["items"]))
        info[fam] = {"leader": main["leader"], "title": main["title"], "real_items": len(ks),
                     "bases": int((base_family == fam).sum()), "series": 2 * series > len(ks),
                     "period_days": 1 if gap < 4 else 7,
                     "names": sorted(set().union(*(p["names"] for p in group)))}
    state = _pools([paras for _, _, paras, _ in items], names)
    state.update(bases=bases, base_family=base_family, base_id=base_id, families=info)
    blockers = [(items[k][1], items[k][2]) for k in templated]
    return state, blockers


def _distinct_fillers(ks: list[int], items: list, names: _Names,
                      frame_names: frozenset[str]) -> list[int]:
    """The members of a family that are not a repeat of another: a re-sent or updated
    item keeps most of its names and figures, a template sibling replaces them."""
    kept: list[tuple[int, set[str]]] = []
    for k in ks:
        fillers = {text for par in items[k][2] for kind, text in _pieces(par, names, frame_names)
                   if kind}
        if all(len(fillers & other) < 0.5 * min(len(fillers), len(other)) for _, other in kept):
            kept.append((k, fillers))
    return [k for k, _ in kept]


def masked_words(paragraphs: list[list[tuple]]) -> list[str]:
    """The words of a base's frame as ``check_runs`` tokenises, each slot one mask word."""
    text = " ".join("".join(f" {_MASK} " if piece[0] else piece[1] for piece in par)
                    for par in paragraphs)
    return WORD_RE.findall(text.lower())


def _merge_sharing_runs(bases: list, base_family: list[int], n: int) -> np.ndarray:
    """The root of each of ``n`` families once those whose frames share a run of 8
    frame words are merged.  (Runs with slots in them are not: all the corporate
    briefs would chain into one family, whose pairs mostly share nothing.)"""
    parent = list(range(n))

    def root(f: int) -> int:
        while parent[f] != f:
            parent[f] = parent[parent[f]]
            f = parent[f]
        return f

    vocab: dict[str, int] = {}
    owner: dict[int, int] = {}
    for paras, fam in zip(bases, base_family, strict=True):
        words = masked_words(paras)
        ids = [vocab.setdefault(w, len(vocab)) for w in words]
        runs = _hashes(ids, RUN)
        slot = np.array([w == _MASK for w in words], dtype=np.int64)
        slots = np.convolve(slot, np.ones(RUN, dtype=np.int64), "valid") \
            if len(ids) >= RUN else np.zeros(0, dtype=np.int64)
        for h in np.unique(runs[slots == 0]).tolist():
            other = owner.setdefault(h, fam)
            a, b = root(other), root(fam)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return np.array([root(f) for f in range(n)], dtype=np.int64)


def _pools(bodies: list[list[str]], names: _Names) -> dict:
    """Fillers drawn from all the Reuters items: name runs by (words, company suffix),
    figures by shape, tickers."""
    runs: set[str] = set()
    figures: dict[str, set[str]] = defaultdict(set)
    tickers: set[str] = set()
    for paras in bodies:
        for par in paras:
            for kind, text in _pieces(par, names, frozenset()):
                if kind == "N" and len(text.split()) <= 5:
                    runs.add(text)
                elif kind == "#":
                    figures[shape(text)].add(text)
                elif kind == "T":
                    tickers.add(text)
    by_bucket: dict[str, list[str]] = defaultdict(list)
    for run in sorted(runs):
        by_bucket[name_bucket(run)].append(run)
    return {"name_pool": dict(by_bucket),
            "figure_pool": {s: sorted(v) for s, v in sorted(figures.items())},
            "ticker_pool": sorted(tickers)}


def shape(figure: str) -> str:
    return re.sub(r"\d", "9", figure)


def name_bucket(run: str) -> str:
    """Name runs are replaced within a bucket: words (1, 2, 3 or more), company or not."""
    words = run.split()
    return f"{min(len(words), 3)}{'c' if words[-1].rstrip('.') in SUFFIXES else ''}"
