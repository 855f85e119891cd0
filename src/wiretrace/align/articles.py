"""Alignment of two articles, as :class:`~wiretrace.model.Passage` rows.

:func:`~wiretrace.align.align_tokens` works on texts and tokens; the drivers
(the batch run, the index, the command line's ``compare``) and the diff of two
given articles want passages naming the articles: this is that one step.
"""

from __future__ import annotations

import numpy as np

from wiretrace.align import align_tokens
from wiretrace.model import Article, Passage
from wiretrace.params import TraceParams
from wiretrace.text.tokens import Tokens


def align_articles(a: Article, tokens_a: Tokens, b: Article, tokens_b: Tokens,
                   params: TraceParams, ignore_a: np.ndarray | None = None,
                   ignore_b: np.ndarray | None = None) -> list[Passage]:
    """Reused passages between two tokenised articles, as :class:`Passage` rows."""
    return [Passage(a.id, s.a_start, s.a_end, b.id, s.b_start, s.b_end, s.score,
                    s.matched_words, s.kind, s.slots_kept, s.slots_changed)
            for s in align_tokens(a.text, tokens_a, b.text, tokens_b, params,
                                  ignore_a, ignore_b)]
