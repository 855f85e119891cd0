"""Making one version of an article from another: the derivation kinds (trimmed,
reordered, reworded, spelling variants) as lists of segments that remember
where each paragraph came from.
"""

from __future__ import annotations

import re

import numpy as np

from .words import _SENTENCE_END, BRITISH_AMERICAN, DELETABLE, INSERTABLE, SPLIT_RE, STOP, SYNONYMS

# A segment of a new text: (paragraph, source article or -1, source paragraph, verbatim)
Segment = tuple[str, int, int, bool]


def _copied(doc: int, paras: list[str], indices) -> list[Segment]:
    return [(paras[i], doc, i, True) for i in indices]


def _trim(doc: int, paras: list[str], rng) -> list[Segment] | None:
    n = len(paras) - 1
    if n < 2:
        return None
    if n == 2:
        keep = [1]
    elif rng.random() < 0.5:  # drop the end
        keep = list(range(1, 1 + int(rng.integers(max(1, n // 3), n))))
    else:  # drop a block from the middle, sometimes the end too
        start = int(rng.integers(2, n))
        length = int(rng.integers(1, max(1, (n - start) // 2) + 1))
        end = n + 1 - (int(rng.integers(1, n - start - length + 1))
                       if n - start - length >= 1 and rng.random() < 0.3 else 0)
        keep = [i for i in range(1, end) if not start <= i < start + length]
    return _copied(doc, paras, [0, *keep])


def _reorder(doc: int, paras: list[str], rng) -> list[Segment] | None:
    n = len(paras) - 1
    if n < 2:
        return None
    order = list(range(1, n + 1))
    if n == 2 or rng.random() < 0.4:
        i, j = sorted(rng.choice(n, size=2, replace=False).tolist())
        order[i], order[j] = order[j], order[i]
    else:
        i = int(rng.integers(0, n))
        moved = order.pop(i)
        j = int(rng.integers(0, n - 1))
        j += j >= i  # somewhere else
        order.insert(j, moved)
    return _copied(doc, paras, [0, *order])


def _match_case(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def reword(paragraph: str, rng) -> str:
    """Light rewording: about one word edit per 10-15 words."""
    parts = SPLIT_RE.split(paragraph)
    lead, words, glues = parts[0], parts[1::2], parts[2::2]  # glues[k] follows words[k]
    if len(words) < 3:
        return paragraph
    edits = max(1, round(len(words) / int(rng.integers(10, 16))))
    for _ in range(edits * 3):
        if edits == 0:
            break
        op = rng.choice(4, p=[0.4, 0.25, 0.2, 0.15])
        n = len(words)
        if op == 0:  # synonym
            cands = [k for k in range(n) if words[k].lower() in SYNONYMS]
            if cands:
                k = cands[int(rng.integers(len(cands)))]
                words[k] = _match_case(SYNONYMS[words[k].lower()], words[k])
                edits -= 1
        elif op == 1:  # insert a word between two words
            cands = [k for k in range(n - 1) if glues[k] == " "]
            if cands:
                k = cands[int(rng.integers(len(cands)))]
                words.insert(k + 1, INSERTABLE[int(rng.integers(len(INSERTABLE)))])
                glues.insert(k + 1, " ")
                edits -= 1
        elif op == 2:  # delete a dispensable word
            cands = [k for k in range(1, n) if words[k].lower() in DELETABLE and glues[k] == " "
                     and glues[k - 1] == " "]
            if cands:
                k = cands[int(rng.integers(len(cands)))]
                del words[k], glues[k]
                edits -= 1
        else:  # move an adverb: "rose sharply" -> "sharply rose"
            cands = [k for k in range(n - 1) if glues[k] == " " and words[k].islower()
                     and words[k + 1].islower() and words[k] != words[k + 1]
                     and (words[k].endswith("ly") or words[k + 1].endswith("ly"))]
            if cands:
                k = cands[int(rng.integers(len(cands)))]
                words[k], words[k + 1] = words[k + 1], words[k]
                edits -= 1
    out = lead + "".join(w + g for w, g in zip(words, glues, strict=True))
    if out == paragraph:  # nothing applied: insert a word after the first space
        k = glues.index(" ") if " " in glues else 0
        words.insert(k + 1, "also")
        glues.insert(k + 1, " ")
        out = lead + "".join(w + g for w, g in zip(words, glues, strict=True))
    return out


def _reword_doc(doc: int, paras: list[str], rng) -> list[Segment] | None:
    # prose paragraphs only: a table line ("Shr 28 cts vs 32 cts") is not reworded
    prose = np.array([i for i in range(1, len(paras)) if len(paras[i].split()) >= 8])
    if not len(prose):
        return None
    n = len(prose)
    chosen = set(rng.choice(prose, size=max(1, int(round(n * rng.uniform(0.3, 0.7)))),
                            replace=False).tolist())
    segs = []
    for i, p in enumerate(paras):
        new = reword(p, rng) if i in chosen else p
        segs.append((new, doc, i, new == p))
    return segs


def misspell(name: str, rng) -> str:
    """A one-letter variant of a name (Bazoum -> Bozoum, Abdourahmane -> Abdourahamane)."""
    vowels = "aeiou"
    for _ in range(20):
        op = int(rng.integers(4))
        k = int(rng.integers(1, len(name) - 1))
        ch = name[k]
        if op == 0 and ch in vowels:
            new = name[:k] + vowels[(vowels.index(ch) + int(rng.integers(1, 5))) % 5] + name[k + 1:]
        elif op == 1 and ch.isalpha() and ch not in vowels:
            new = name[:k] + ch + name[k:]  # doubled consonant
        elif op == 2 and name[k - 1] == ch:
            new = name[:k] + name[k + 1:]  # undoubled
        elif op == 3 and name[k + 1] != ch:
            new = name[:k] + name[k + 1] + ch + name[k + 2:]
        else:
            continue
        if new != name:
            return new
    return name[:-1] + ("e" if name[-1] != "e" else "a")


def _spelling(doc: int, paras: list[str], rng) -> list[Segment] | None:
    names: dict[str, None] = {}
    for p in paras[1:]:
        parts = SPLIT_RE.split(p)
        for k in range(3, len(parts), 2):
            w = parts[k]
            if len(w) >= 4 and w.isalpha() and w[0].isupper() and w[1:].islower() \
                    and w.lower() not in STOP and not _SENTENCE_END.search(parts[k - 1]):
                names[w] = None
    new = list(paras)
    if names:
        pool = list(names)
        for name in rng.choice(pool, size=min(len(pool), int(rng.integers(1, 4))),
                               replace=False).tolist():
            variant = misspell(name, rng)
            pattern = re.compile(rf"\b{re.escape(name)}\b")
            new = [pattern.sub(variant, p) for p in new]
    if rng.random() < 0.5:
        for pattern, replacement in BRITISH_AMERICAN:
            new = [pattern.sub(replacement, p) for p in new]
    if new == paras:
        return None
    return [(q, doc, i, q == paras[i]) for i, q in enumerate(new)]
