"""What one version of a story changed against another.

Given the aligned passages between versions ``a`` (usually the origin) and
``b``, a :class:`~wiretrace.model.Diff` lists:

* **added** text: stretches of b in no passage, one change per paragraph;
* **dropped** text: the same for a;
* **reworded**: inside a passage, the word-level edits (replace, insert,
  delete); and a sentence whose start or end was rewritten around a reused
  passage (the unaligned stubs on both sides, in the same paragraph as the
  same passage) counts as reworded rather than as a drop plus an addition;
* **moved**: passages whose order differs between the versions (those off
  the longest run of passages in the same order on both sides);
* **spelling variants**: one-word replacements that are the same word spelled
  another way (finalised/finalized, :mod:`wiretrace.diff.spelling`), and names in
  added or dropped text spelled like a name of the other version
  (Bozoum/Bazoum);
* **changed facts**: word changes that alter what is said (1,500 -> 1,100,
  increase -> decrease, a "not" added, will -> would, Smith -> Jones:
  :mod:`wiretrace.diff.facts`), also between a dropped and an added paragraph in
  the same place that differ in little else.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from rapidfuzz.distance import Levenshtein

from wiretrace.diff.credits import attributions_of, credit_changes, describe_credits
from wiretrace.diff.facts import changed_facts, describe
from wiretrace.diff.spelling import name_variants, variants_in_changes
from wiretrace.model import Article, Change, Diff, Passage, SpellingVariant, WordChange
from wiretrace.params import TraceParams
from wiretrace.stories.build import covered_chars
from wiretrace.text.tokens import Tokens, paragraph_spans


def _paragraphs(text: str, tokens: Tokens) -> list[tuple[int, int]]:
    """The text's paragraphs, kept with its tokens (an origin is diffed many times)."""
    facts = tokens.facts
    if facts.paragraphs is None:
        facts.paragraphs = paragraph_spans(text)
    return facts.paragraphs


def _uncovered_pieces(text: str, covered: list[tuple[int, int]],
                      paragraphs: list[tuple[int, int]] | None = None
                      ) -> list[tuple[int, int]]:
    """Stretches of ``text`` outside ``covered``, split by paragraph, trimmed.

    Pieces with no letter or digit (spacing, punctuation) are left out.
    """
    pieces = []
    covered = sorted(covered)
    for para_start, para_end in paragraph_spans(text) if paragraphs is None else paragraphs:
        cursor = para_start
        for start, end in covered:
            if end <= cursor or start >= para_end:
                continue
            if start > cursor:
                pieces.append((cursor, start))
            cursor = max(cursor, end)
        if cursor < para_end:
            pieces.append((cursor, para_end))
    trimmed = []
    for start, end in pieces:
        while start < end and not text[start].isalnum() and text[start] not in "\"“‘'(«":
            start += 1
        while end > start and not text[end - 1].isalnum() and text[end - 1] not in ".!?\"”’')":
            end -= 1
        if any(ch.isalnum() for ch in text[start:end]):
            trimmed.append((start, end))
    return trimmed


def word_changes(text_a: str, tokens_a: Tokens, span_a: tuple[int, int],
                 text_b: str, tokens_b: Tokens, span_b: tuple[int, int]) -> list[WordChange]:
    """Word-level edits turning ``text_a[span_a]`` into ``text_b[span_b]``."""
    a0, a1 = tokens_a.within(*span_a)
    b0, b1 = tokens_b.within(*span_b)
    changes = []
    # hashes stand for the normalised words (equal exactly when the words are)
    for op in Levenshtein.opcodes(tokens_a.hashes[a0:a1].tolist(),
                                  tokens_b.hashes[b0:b1].tolist()):
        if op.tag == "equal":
            continue
        i0, i1, j0, j1 = a0 + op.src_start, a0 + op.src_end, b0 + op.dest_start, b0 + op.dest_end
        # an insertion has no extent on a: anchor it before the next word
        ca0 = int(tokens_a.starts[i0]) if i0 < len(tokens_a) else len(text_a)
        ca1 = int(tokens_a.ends[i1 - 1]) if i1 > i0 else ca0
        cb0 = int(tokens_b.starts[j0]) if j0 < len(tokens_b) else len(text_b)
        cb1 = int(tokens_b.ends[j1 - 1]) if j1 > j0 else cb0
        changes.append(WordChange(op.tag, ca0, ca1, cb0, cb1, text_a[ca0:ca1], text_b[cb0:cb1]))
    return changes


def _unmatched_lines(text: str, span: tuple[int, int], edits: list[tuple[int, int]]
                     ) -> list[tuple[int, int]]:
    """Whole lines inside ``span`` whose every word was edited away.

    A subheading one version dropped inside an otherwise reused passage is a
    drop of its own, not a word change.
    """
    lines: list[tuple[int, int]] = []
    if not edits:
        return lines
    for start, end in paragraph_spans(text[span[0]:span[1]]):
        start, end = start + span[0], end + span[0]
        if start == span[0] and end == span[1]:
            continue  # the passage is one line: its words are ordinary edits
        touching = [(e0, e1) for e0, e1 in edits if e0 < end and e1 > start]
        if not touching:
            continue  # the usual case, checked without looking at characters
        if _all_letters_covered(text, start, end, touching):
            lines.append((start, end))
    return lines


def _has_alnum(text: str, start: int, end: int) -> bool:
    return start < end and any(map(str.isalnum, text[start:end]))


def _all_letters_covered(text: str, start: int, end: int, spans: list[tuple[int, int]]
                         ) -> bool:
    """Whether ``text[start:end]`` has a letter or digit, and every one lies in ``spans``."""
    cursor, seen = start, False
    for s, e in sorted(spans):
        s, e = max(s, start), min(e, end)
        if e <= cursor:
            continue
        if _has_alnum(text, cursor, s):
            return False  # a letter between two spans
        seen = seen or _has_alnum(text, max(s, cursor), e)
        cursor = e
    return seen and not _has_alnum(text, cursor, end)


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _moved(passages: list[Passage]) -> set[int]:
    """Indices of passages off the heaviest same-order run (by b position).

    The run kept in place is the one holding the most text (characters on both
    sides), not the most passages: a last paragraph brought to the top is the
    one passage moved, not the three it jumped over (one passage each way).
    """
    by_b = sorted(range(len(passages)), key=lambda k: passages[k].b_start)
    if not by_b:
        return set()
    weight = [passages[k].a_end - passages[k].a_start + passages[k].b_end - passages[k].b_start
              for k in by_b]
    # heaviest increasing subsequence of a positions, O(n^2) (passages are few)
    best = list(weight)
    previous = [-1] * len(by_b)
    for x in range(len(by_b)):
        for y in range(x):
            if passages[by_b[y]].a_start < passages[by_b[x]].a_start \
                    and best[y] + weight[x] > best[x]:
                best[x], previous[x] = best[y] + weight[x], y
    keep, cursor = set(), max(range(len(by_b)), key=lambda k: best[k])
    while cursor != -1:
        keep.add(by_b[cursor])
        cursor = previous[cursor]
    return set(range(len(passages))) - keep


def _attachment(text: str, piece: tuple[int, int], passage_spans: list[tuple[int, int]]
                ) -> tuple[str, int] | None:
    """Which passage a piece is glued to within its paragraph ("after"/"before", index)."""
    start, end = piece
    for index, (p_start, p_end) in enumerate(passage_spans):
        if p_end <= start and "\n" not in text[p_end:start]:
            return ("after", index)
        if end <= p_start and "\n" not in text[end:p_start]:
            return ("before", index)
    return None


def _same_place(text_a: str, tokens_a: Tokens, dropped: list[tuple[int, int]],
                text_b: str, tokens_b: Tokens, added: list[tuple[int, int]],
                passages: list[Passage]) -> list[WordChange]:
    """Word changes between a dropped and an added piece in the same place (after
    the same number of passages) that share most of their words.

    A short paragraph whose figure changed ("France has 1,500 soldiers" ->
    "1,100 soldiers") may align with nothing; its figure is still a changed fact.
    """
    if not dropped or not added:
        return []
    ends_a = sorted(p.a_end for p in passages)
    ends_b = sorted(p.b_end for p in passages)
    slots_a: dict[int, list[tuple[int, int]]] = {}
    for piece in dropped:
        slots_a.setdefault(bisect_right(ends_a, piece[0]), []).append(piece)
    slots_b: dict[int, list[tuple[int, int]]] = {}
    for piece in added:
        slots_b.setdefault(bisect_right(ends_b, piece[0]), []).append(piece)
    found: list[WordChange] = []
    for slot in slots_a.keys() & slots_b.keys():
        if len(slots_a[slot]) != 1 or len(slots_b[slot]) != 1:
            continue  # which goes with which is anyone's guess
        span_a, span_b = slots_a[slot][0], slots_b[slot][0]
        a0, a1 = tokens_a.within(*span_a)
        b0, b1 = tokens_b.within(*span_b)
        if max(a1 - a0, b1 - b0) > _MAX_SAME_PLACE_WORDS or Levenshtein.normalized_similarity(
                tokens_a.hashes[a0:a1].tolist(), tokens_b.hashes[b0:b1].tolist()) < 0.5:
            continue
        found += word_changes(text_a, tokens_a, span_a, text_b, tokens_b, span_b)
    return found


# A dropped and an added piece longer than this are not one sentence with a
# figure changed: they are compared only when shorter.
_MAX_SAME_PLACE_WORDS = 60


def diff_versions(article_a: Article, tokens_a: Tokens, article_b: Article, tokens_b: Tokens,
                  passages: list[Passage], params: TraceParams | None = None,
                  story: str | None = None, credits: bool = True) -> Diff:
    """Diff of version b against version a, from their aligned passages (a-side
    first); with ``credits``, what b did to a's credits too (diff/credits.py)."""
    params = params or TraceParams()
    text_a, text_b = article_a.text, article_b.text
    passages = sorted((p if p.a == article_a.id else p.swapped() for p in passages),
                      key=lambda p: (p.a_start, p.b_start))
    spans_a = [(p.a_start, p.a_end) for p in passages]
    spans_b = [(p.b_start, p.b_end) for p in passages]
    changes: list[Change] = []
    variants: list[SpellingVariant] = []
    edits: list[WordChange] = []  # every word change, where changed facts are looked for

    pieces_a = _uncovered_pieces(text_a, spans_a, _paragraphs(text_a, tokens_a))
    pieces_b = _uncovered_pieces(text_b, spans_b, _paragraphs(text_b, tokens_b))
    glued_a = {_attachment(text_a, piece, spans_a): piece for piece in pieces_a}
    glued_b = {_attachment(text_b, piece, spans_b): piece for piece in pieces_b}
    reworded_stubs = {key for key in glued_a.keys() & glued_b.keys() if key is not None}
    for key in sorted(reworded_stubs):
        (a0, a1), (b0, b1) = glued_a[key], glued_b[key]
        inner = word_changes(text_a, tokens_a, (a0, a1), text_b, tokens_b, (b0, b1))
        edits += inner
        changes.append(Change("reworded", a0, a1, b0, b1, text_a[a0:a1], text_b[b0:b1], inner))
    stub_a = {glued_a[k] for k in reworded_stubs}
    stub_b = {glued_b[k] for k in reworded_stubs}
    dropped = [p for p in pieces_a if p not in stub_a]
    added = [p for p in pieces_b if p not in stub_b]
    changes += [Change("dropped", s, e, None, None, text_a[s:e], "") for s, e in dropped]
    changes += [Change("added", None, None, s, e, "", text_b[s:e]) for s, e in added]

    moved = _moved(passages)
    for index, p in enumerate(passages):
        inner = word_changes(text_a, tokens_a, (p.a_start, p.a_end), text_b, tokens_b,
                             (p.b_start, p.b_end))
        lines_a = _unmatched_lines(text_a, (p.a_start, p.a_end),
                                   [(w.a_start, w.a_end) for w in inner if w.op != "insert"])
        lines_b = _unmatched_lines(text_b, (p.b_start, p.b_end),
                                   [(w.b_start, w.b_end) for w in inner if w.op != "delete"])
        changes += [Change("dropped", s, e, None, None, text_a[s:e], "") for s, e in lines_a]
        changes += [Change("added", None, None, s, e, "", text_b[s:e]) for s, e in lines_b]
        inner = [w for w in inner
                 if (w.op == "insert" or not _inside(lines_a, w.a_start, w.a_end))
                 and (w.op == "delete" or not _inside(lines_b, w.b_start, w.b_end))]
        variants += variants_in_changes(inner, params.spelling_min_similarity)
        edits += inner
        kind = "moved" if index in moved else "reworded" if inner else None
        if kind:
            changes.append(Change(kind, p.a_start, p.a_end, p.b_start, p.b_end,
                                  text_a[p.a_start:p.a_end], text_b[p.b_start:p.b_end], inner))
    variants += name_variants(text_a, tokens_a, text_b, tokens_b, dropped, added,
                               params.spelling_min_similarity)
    changes.sort(key=lambda c: (c.b_start if c.b_start is not None else -1,
                                c.a_start if c.a_start is not None else -1))
    unique_variants = {(v.a_form.casefold(), v.b_form.casefold()): v for v in reversed(variants)}
    diff = Diff(
        story=story, a=article_a.id, b=article_b.id,
        a_shared=covered_chars(spans_a) / max(1, len(text_a)),
        b_shared=covered_chars(spans_b) / max(1, len(text_b)),
        changes=changes,
        spelling_variants=sorted(unique_variants.values(), key=lambda v: v.b_start),
        changed_facts=changed_facts(text_a, text_b, edits + _same_place(
            text_a, tokens_a, dropped, text_b, tokens_b, added, passages)),
        passages=passages,
    )
    if credits:
        diff.credits_added, diff.credits_dropped, diff.credits_changed = credit_changes(
            text_a, attributions_of(text_a, tokens_a), text_b, attributions_of(text_b, tokens_b),
            passages, diff.spelling_variants)
    diff.summary = summarize(diff)
    return diff


# What summarize says of two texts with no passage between them: no version
# of one another, whatever put them side by side.
NO_SHARED_TEXT = "no shared text"
# A paragraph of at most this many words that ends no sentence is a heading
# ("Sunday deadline", "'New Libya'"): counted apart from the paragraphs of news.
HEADING_WORDS = 8
_SENTENCE_END = re.compile(r"[.!?:;…][\"'”’»)\]]*\s*$")


def is_heading(text: str) -> bool:
    """A short line that ends no sentence: a subheading, not a paragraph of news."""
    words = text.split()
    return 0 < len(words) <= HEADING_WORDS and not _SENTENCE_END.search(text)


def summarize(diff: Diff) -> str:
    """One line a reader takes in at a glance: the share, changed facts first,
    then the other changes.  :data:`NO_SHARED_TEXT` when nothing is shared."""
    if not diff.passages:
        return NO_SHARED_TEXT
    parts = [f"{round(diff.b_shared * 100)}% of {diff.b} is shared with {diff.a}"]
    if diff.changed_facts:
        count = len(diff.changed_facts)
        shown = "; ".join(describe(f) for f in diff.changed_facts[:3])
        more = f"; and {count - 3} more" if count > 3 else ""
        parts.append(f"changes {count} fact{'s' if count != 1 else ''}: {shown}{more}")
    nouns = {"added": "adds", "dropped": "drops", "reworded": "rewords", "moved": "moves"}
    for kind, verb in nouns.items():
        texts = [c.b_text if kind == "added" else c.a_text for c in diff.changes_of(kind)]
        headings = sum(1 for t in texts if is_heading(t)) if kind in ("added", "dropped") else 0
        paragraphs = len(texts) - headings
        said = [f"{n} {noun}{'s' if n != 1 else ''}"
                for n, noun in ((paragraphs, "paragraph"), (headings, "heading")) if n]
        if said:
            parts.append(f"{verb} {' and '.join(said)}")
    if diff.credits_added:
        parts.append(describe_credits(diff.credits_added, diff.a))
    if diff.credits_dropped:
        names = ", ".join(c.entity for c in diff.credits_dropped[:3])
        parts.append(f"no longer credits {names}")
    cut = [c for c in diff.credits_changed if c.kind == "credit_cut"]
    if cut:
        parts.append("keeps the words but cuts the credit to "
                     + ", ".join(sorted({c.a_entity or "a source" for c in cut})))
    altered = [c for c in diff.credits_changed if c.kind == "quote_altered"]
    if altered:
        parts.append(f"alters {len(altered)} quote{'s' if len(altered) != 1 else ''}")
    if diff.spelling_variants:
        shown = ", ".join(f"{v.a_form}/{v.b_form}" for v in diff.spelling_variants[:3])
        parts.append(f"{len(diff.spelling_variants)} spelling variant"
                     f"{'s' if len(diff.spelling_variants) != 1 else ''} ({shown})")
    return "; ".join(parts)
