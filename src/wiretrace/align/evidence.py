"""What a reader checks to audit a passage set aside: why it is a template match
or boilerplate, in words that point back at the two texts.

:mod:`wiretrace.align.templates` decides the kind of a passage; this module
explains it (``evidence`` in ``passages.jsonl``, the report and the API).
"""

from __future__ import annotations

from functools import lru_cache

from wiretrace.align.slots import key_figure_forms
from wiretrace.align.templates import count_slots, figures_differ, leads_differ
from wiretrace.text.tokens import Tokens, tokenize


def template_evidence(text_a: str, tokens_a: Tokens, a_start: int, a_end: int,
                      text_b: str, tokens_b: Tokens, b_start: int, b_end: int) -> str:
    """Why a passage is a template match, in words a reader checks against the texts:
    e.g. ``"slots differ: Gillette Canada Inc/Dow Chemical Co, 70/200 (2 of 5 slots
    kept)"``, then, where it is so, that the texts open on other actors or report
    other figures (``"the texts report other figures: 7.1 / 6.6"``)."""
    count = count_slots(text_a, tokens_a, a_start, a_end, text_b, tokens_b, b_start, b_end,
                        with_forms=True)
    reasons = []
    if count.pairs:
        shown = ", ".join(f"{a}/{b}" for a, b in count.pairs[:6])
        more = f" and {len(count.pairs) - 6} more" if len(count.pairs) > 6 else ""
        reasons.append(f"slots differ: {shown}{more}")
    if leads_differ(text_a, tokens_a, text_b, tokens_b):
        reasons.append("the texts open on other actors")
    if figures_differ(text_a, tokens_a, text_b, tokens_b):
        reasons.append("the texts report other figures: "
                       f"{_some_figures(text_a, tokens_a)} / {_some_figures(text_b, tokens_b)}")
    if not reasons:
        reasons.append("slots differ")
    return f"{'; '.join(reasons)} ({count.kept} of {count.kept + count.substituted} slots kept)"


def _some_figures(text: str, tokens: Tokens, shown: int = 4) -> str:
    """The first few key figures of a text, as written."""
    forms = list(dict.fromkeys(form for form, _ in key_figure_forms(text, tokens)))
    return ", ".join(forms[:shown]) or "none"


_cached_tokens = lru_cache(maxsize=256)(tokenize)


def passage_evidence(kind: str, text_a: str, a_start: int, a_end: int, text_b: str,
                     b_start: int, b_end: int) -> str | None:
    """What a reader checks to audit a passage set aside: for a template match the
    slots it fills anew (:func:`template_evidence`), for boilerplate what makes it
    so; None for reuse."""
    if kind == "reuse":
        return None
    if kind == "boilerplate":
        return "stock wording: most of its n-grams are held by more than max_df articles"
    return template_evidence(text_a, _cached_tokens(text_a), a_start, a_end,
                             text_b, _cached_tokens(text_b), b_start, b_end)
