"""Every fact a prepared text carries, declared in one place.

A text takes part in many pairs (an article is aligned against each
candidate, an origin is diffed against every version of its story), so what
the later stages learn about one text is computed once and kept with its
:class:`~wiretrace.text.tokens.Tokens`, in :attr:`Tokens.facts`.  This
module only declares the slots: each fact is still computed by the module
that owns it (named beside each field), which fills its slot on first use
and reads it back afterwards.  A slot left ``None`` has not been asked for:
most articles of a large corpus never reach the stages that read words.

A typed slot per fact, not a dictionary keyed by strings, so that a reader
sees here the whole list and the type of each, and a misspelt name fails
when the code is checked, not at run time.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the owners import text/, so their types are named for checking only
    from wiretrace.align.chaining import ExactFacts
    from wiretrace.align.sentences import Sentences
    from wiretrace.align.slots import SlotView
    from wiretrace.align.words import WordFacts
    from wiretrace.model.attributions import Attribution


@dataclass(slots=True, eq=False, repr=False)
class TextFacts:
    """What the stages computed about one text, each slot ``None`` until asked for.

    eq and repr are left out: the slots hold arrays, and two texts' facts are
    never compared or printed whole.
    """

    # the batch driver (pipeline.py): which tokens lie in boilerplate n-grams (an
    # empty array when none do)
    boilerplate: np.ndarray | None = None
    # align/__init__.py: the sentences and their content terms; the text's
    # length without its surrounding white space
    sentences: Sentences | None = None
    content_length: int | None = None
    # align/words.py: what the exact-match kernels need of each word
    word_facts: WordFacts | None = None
    # align/chains.py: the anchor n-gram index and word facts, by anchor size n
    exact: dict[int, ExactFacts] | None = None
    # align/slots.py, these six from one compiled pass (slots._scan): each token's
    # class (word, name, figure), whether it opens a sentence, whether it is
    # capitalised, the sentence opening at or before and at or after it; the
    # tokens with each figure whole
    slot_classes: np.ndarray | None = None
    sentence_open: np.ndarray | None = None
    capital: np.ndarray | None = None
    open_before: np.ndarray | None = None
    open_after: np.ndarray | None = None
    slot_view: SlotView | None = None
    # align/slots.py: the word hashes as a set and sorted; the key figures by
    # value; the names of the first sentence and the actor it opens on
    word_set: frozenset[int] | None = None
    sorted_words: np.ndarray | None = None
    key_figures: frozenset[str] | None = None
    lead_names: tuple[int, ...] | None = None
    lead_actor: frozenset[int] | None = None
    # diff/changes.py: the paragraphs' character spans
    paragraphs: list[tuple[int, int]] | None = None
    # diff/spelling.py: the capitalised words of 4+ characters (token numbers),
    # the text's names (normal form -> start, end, hash), its word hashes as a set
    capitals: np.ndarray | None = None
    names: dict[str, tuple[int, int, int]] | None = None
    vocabulary: set[int] | None = None
    # diff/credits.py: the text's credits, its attributions that credit someone
    # (attribute/), their article field left empty (a text may stand for
    # several articles); a batch run fills it from its attribution stage
    attributions: list[Attribution] | None = None


def fact_names() -> tuple[str, ...]:
    """The name of every fact a prepared text can carry, in declaration order."""
    return tuple(field.name for field in fields(TextFacts))
