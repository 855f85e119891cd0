"""Generate a scale corpus with known reuse from the real BBC and Reuters texts.

    python benchmarks/make_corpus.py --articles 100000 --out .cache/corpus-100k
    python benchmarks/make_corpus.py --articles 2000 --out DIR --seed 7 --format jsonl
    python benchmarks/make_corpus.py --articles 5000 --out DIR --derived-share 0.5 \\
        --kinds copy=1,reworded=2 --story-exponent 2.2 --jobs 2
    python benchmarks/make_corpus.py --articles 20000 --out DIR --check  # + shared runs

The same arguments (``--seed`` included) always write the same bytes, whatever
``--jobs`` is.  Output, in ``--out``:

``articles.parquet`` (or ``.jsonl``)
    ``id, text, title, outlet, published``: every text is a title line, a blank
    line, then paragraphs separated by blank lines; ``title`` is the first line;
    ``published`` a UTC time.  Ids (``a000123``) say nothing about the truth.
``truth.parquet``
    one row per planted reused stretch: ``target`` took
    ``text[target_start:target_end]`` from ``source``'s
    ``text[source_start:source_end]``; ``kind`` is how the target was made (below);
    ``verbatim`` is true when the two stretches are identical (always, except for
    the edited paragraphs of ``reworded`` and ``spelling``: there the target span
    covers the edited stretch and the source span the original one); ``story`` is
    the target's story (the id of the original it descends from).  A stretch is a
    maximal run of paragraphs copied in order, with the blank lines between them,
    and one verbatim flag; a reuse of several stretches gives several rows.
``stories.parquet``
    one row per article: ``id, story, role, kind, source``.  ``role`` is
    ``unrelated`` (reuses nothing and is reused by nothing: ``story`` null),
    ``original`` (the first version of a story: ``story`` = its own id) or
    ``derived`` (``kind`` and its primary ``source``).
``meta.json``
    the configuration, the realised counts and the time taken.

The mixture (all shares configurable, see ``--help``):

* ``1 - derived_share`` (60 %) of the articles reuse nothing: the originals of
  the stories plus the unrelated articles.  Each is a real BBC or Reuters text
  while unused ones last (stories take the long ones: three or more paragraphs,
  150 words).  The real material is cleaned first so that no two texts share a run
  of 8 words: a paragraph sharing one with an earlier text is dropped, then texts
  left short, tabular (earnings tables) or upper case, then texts sharing a run
  across a paragraph break.  That removes Reuters' repeats and updates and BBC's
  duplicates and leaves about 14,000 texts (6,400 long); each is used at most once,
  so real originals never share an 8-word run.  Splicing paragraphs of different
  real texts cannot make more distinct originals than there are paragraphs, so
  larger corpora get *synthetic* originals: the skeleton of a real text (its
  paragraphs, punctuation and word shapes) with every content word replaced by a
  word of the same shape (capitalised, acronym, number of the same length, lower
  case with the same suffix, preferably after the same function word) drawn from
  another long real text of the same collection, and every function word swapped
  within its group (he/she/they, of/in/on, is/was, ...).  They read as
  news-shaped word salad on one topic, not as fluent prose; what matters is that
  they share no long run with anything: at 100,000 articles only about 90 of the
  5e9 pairs the truth does not relate share an 8-word run, nearly all a single
  stock phrase ("likely to rise in the second half of the year").  Real texts run
  out at about 23,000 articles (long ones for stories at about 46,000); past that
  the other originals are synthetic (``meta.json`` counts both; ``--max-real``
  caps the real ones).
* ``derived_share`` (40 %) of the articles derive from an original: stories of
  2-50 versions (the original plus its derivatives), sizes drawn from
  P(size) ~ size^-2.5 (85 % have 2-5 versions, 1.7 % 20 or more).  Each derived
  version copies from the original (70 %) or from an earlier version of the same
  story, one ``kind`` each (weights):

  ================  ======  ===========================================================
  copy              0.15    verbatim republication
  trimmed           0.15    paragraphs dropped from the end, or from the middle
  added_paragraphs  0.12    1-3 new paragraphs (synthetic, on the story's topic) inserted
  spliced           0.10    1-2 paragraphs from an article of another story inserted
                            (truth rows for both sources, kind ``spliced``)
  reworded          0.18    30-70 % of the paragraphs get one word edit per 10-15 words:
                            synonyms from a built-in list, inserted and deleted words,
                            moved adverbs
  spelling          0.10    1-3 capitalised names change one letter everywhere (vowel,
                            doubled or dropped letter, swapped letters), and British /
                            American spellings (-ise/-ize, -our/-or, -re/-er) flip
  reordered         0.10    a paragraph moved, or two swapped
  headline          0.10    a new (synthetic) title line, the body copied
  ================  ======  ===========================================================

  A kind the source cannot take (trimming a one-paragraph text, say) falls back to
  ``copy``, and ``spliced`` without another story in the chunk to ``added_paragraphs``;
  the truth and ``meta.json`` record the kind actually done.  A version is published
  minutes to days after its sources, in another outlet.

Generation is streamed: stories are shuffled into chunks of about
``--chunk-articles`` articles (a story never straddles two chunks; a spliced
paragraph comes from another story of the same chunk), chunks are built in
parallel (``--jobs``, forked workers), shuffled inside, and written in order, so
memory stays flat (about 350 MB) at any size.  The cleaned material is built once
(10-20 s) and cached in the data cache of ``wiretrace.datasets``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

KINDS = ("copy", "trimmed", "added_paragraphs", "spliced", "reworded", "spelling",
         "reordered", "headline")
VERBATIM_KINDS = frozenset(KINDS) - {"reworded", "spelling"}
DEFAULT_KIND_WEIGHTS = {"copy": 0.15, "trimmed": 0.15, "added_paragraphs": 0.12,
                        "spliced": 0.10, "reworded": 0.18, "spelling": 0.10,
                        "reordered": 0.10, "headline": 0.10}
OUTLETS = ("Reuters", "BBC News", "The Daily Ledger", "Northern Post", "Capital Herald",
           "Evening Courier", "Harbour Gazette", "Morning Standard", "The Tribune Online",
           "Valley Times", "Metro Wire", "Coastal Record", "The Observer Desk",
           "Business Dispatch", "National Chronicle", "City Press", "World Briefing",
           "The Sentinel", "Market Watchdog", "Regional Echo", "Daily Examiner",
           "Global Monitor", "The Review", "Sunday Bulletin")
EPOCH_2024 = 1_704_067_200  # 2024-01-01T00:00:00Z: originals are spread over 2024
RUN = 8  # real material shares no run of this many words between two texts

WORD_RE = re.compile(r"[^\W_]+")  # wiretrace's token, for Latin script
SPLIT_RE = re.compile(r"([^\W_]+)")
STOP = frozenset("""
a an the and or but nor of to in on at by for from with without into onto over under
about above below after before since until during as than then that this these those
there here it its is are was were be been being has have had having do does did done
will would shall should can could may might must not no yes he she they we you i him
her them us me his hers their theirs our your my who whom whose which what when where
why how all any both each few more most other some such only own same so too very just
also said says say if while because though although whether up down out off again
further once per via mr mrs ms dr one two three four five six seven eight nine ten
""".split())
# word -> synonym for light rewording (applied both ways, case kept)
SYNONYMS = dict(p.split("/") for p in """
said/stated rose/climbed fell/dropped big/large buy/purchase show/reveal help/assist
start/begin plan/proposal firm/company rise/increase cut/reduce chief/head
quickly/rapidly expected/anticipated major/key important/significant talks/negotiations
deal/agreement officials/authorities warned/cautioned announced/unveiled profit/earnings
government/administration country/nation shares/stock about/around despite/notwithstanding
strong/robust weak/sluggish rival/competitor people/individuals told/informed
results/figures sales/revenues move/step biggest/largest decision/ruling
""".split())
SYNONYMS.update({v: k for k, v in list(SYNONYMS.items())})
INSERTABLE = ("also", "now", "still", "reportedly", "recently", "further", "already",
              "meanwhile", "later", "again")
DELETABLE = frozenset("also now still just very then however already recently even "
                      "further really currently".split())
_ISE_ROOTS = ("organ|recogn|real|critic|apolog|final|priorit|emphas|author|privat|"
              "character|summar|minim|maxim|stabil|mobil|legal|subsid|util|modern|"
              "special|central|capital|normal|standard|global|liberal|symbol|harmon|"
              "penal|nation|computer|rational|optim|custom|categor|jeopard|scrutin|"
              "familiar|formal|industrial|commercial|memor|visual|neutral|polar")
BRITISH_AMERICAN = [
    (re.compile(rf"\b((?:{_ISE_ROOTS})i)s(e|ed|es|ing|ation|ations)\b"), r"\1z\2"),
    (re.compile(rf"\b((?:{_ISE_ROOTS})i)z(e|ed|es|ing|ation|ations)\b"), r"\1s\2"),
    (re.compile(r"\b(lab|fav|col|behavi|neighb|hon|harb|rum|hum|vig)our(s|ed|ing|ite|ites)?\b"),
     r"\1or\2"),
    (re.compile(r"\b(cent|theat|met|fib)re(s)?\b"), r"\1er\2"),
    (re.compile(r"\b(defen|offen|licen)ce(s)?\b"), r"\1se\2"),
    (re.compile(r"\bprogramme(s)?\b"), r"program\1"),
]
_SENTENCE_END = re.compile(r"[.!?:;][\"')\]]*\s+[\"'(\[]*$")
_UPPER = re.compile(r"[A-Z]")
# Function words a synthetic text may swap within their group, so that it never keeps
# a long run of its skeleton's words ("as I have said it was of ...").
FUNCTION_GROUPS = [g.split() for g in (
    "you he she we they it one", "is was are were seems looks remains",
    "has have had gets", "be become stay", "am feel",
    "will would can could may might should must cannot",
    "of in on at for with from by into over under about after before",
    "the a this that its his her their our your my some each",
    "and but or because although while if though whereas",
    "not also just still very so only even then now really",
    "what which who whom whose where when how why whether",
    "there here today soon later", "said says added noted stressed")]
_CUES = {w: k for k, w in enumerate(
    "the a an to will would could should may might can has have had is was are were be "
    "been being of in for and its his her their said by with on at from that it he she they "
    "we not also".split())}


@dataclass
class Config:
    """What to generate; every default is the documented mixture."""

    articles: int = 1000
    seed: int = 1
    derived_share: float = 0.40
    kind_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_KIND_WEIGHTS))
    story_min: int = 2
    story_max: int = 50
    story_exponent: float = 2.5
    from_original: float = 0.70
    max_real: int | None = None  # cap on real texts used as originals (None: all)
    chunk_articles: int = 4096

    def check(self) -> None:
        if not 1 <= self.articles <= 10_000_000:
            raise ValueError("articles must be in 1..10,000,000")
        if not 0.0 <= self.derived_share < 1.0:
            raise ValueError("derived_share must be in [0, 1)")
        if not 2 <= self.story_min <= self.story_max:
            raise ValueError("need 2 <= story_min <= story_max")
        unknown = set(self.kind_weights) - set(KINDS)
        if unknown or not self.kind_weights or min(self.kind_weights.values()) < 0 \
                or sum(self.kind_weights.values()) <= 0:
            raise ValueError(f"kind weights must be >= 0 over {', '.join(KINDS)}")
        if not 0.0 <= self.from_original <= 1.0:
            raise ValueError("from_original must be in [0, 1]")


# --------------------------------------------------------------------------------------
# Real material: cleaned texts, tokenised for synthesis
# --------------------------------------------------------------------------------------

def _fix_mojibake(text: str) -> str:
    """BBC files are UTF-8 read as Latin-1 by ``bbc_articles``; undo that."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


_LETTERS = re.compile(r"[A-Za-z]+")
_SMALL = frozenset("a an and as at by for from in of on or the to with vs".split())


def _title_case(title: str) -> str:
    """Reuters' upper-case headlines in title case (tokens with dots or <> kept)."""
    words = []
    for k, word in enumerate(title.split()):
        if any(ch in word for ch in ".<>&") or not word.isupper():
            words.append(word)
        elif word.lower() in _SMALL and k:
            words.append(word.lower())
        else:
            words.append(_LETTERS.sub(lambda m: m.group()[0] + m.group()[1:].lower(), word))
    return " ".join(words)


def _real_texts() -> list[tuple[str, list[str], int, str]]:
    """(title, paragraphs, collection 0=BBC 1=Reuters, topic) for every usable text."""
    from wiretrace.datasets import bbc_articles, reuters_articles

    out = []
    for article in bbc_articles():
        text = _fix_mojibake(article.text).replace("\r", "")
        title, _, body = text.partition("\n")
        paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", body)]
        out.append((" ".join(title.split()), paras, 0, article.id.split("/")[0]))
    for article in reuters_articles():
        body = article.text.replace("\r", "")
        paras = [" ".join(p.split()) for p in re.split(r"\n(?=\s)|\n\s*\n", body)]
        out.append((_title_case(article.title or ""), paras, 1, "reuters"))
    return out


def _run_hashes(ids: np.ndarray) -> np.ndarray:
    """Hashes of every run of ``RUN`` consecutive token ids."""
    if len(ids) < RUN:
        return np.empty(0, dtype=np.uint64)
    x = ids.astype(np.uint64)
    h = np.zeros(len(ids) - RUN + 1, dtype=np.uint64)
    mult = np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        for k in range(RUN):
            h = h * mult + x[k:len(ids) - RUN + 1 + k] + np.uint64(1)
    return h


def _content_class(word: str, initial: bool) -> str | None:
    """The shape class a content word is replaced within, or None for a kept word."""
    if word.isdigit():
        return f"d{min(len(word), 5)}"
    if word.isalnum() and not word.isalpha() and word.isascii():
        return "m"  # 30m, 1bn, A340s
    if not word.isalpha() or word.lower() in STOP or len(word) == 1:
        return None
    if word.isupper():
        return "U" if len(word) > 2 else "U2"
    if len(word) == 2:
        return None
    if word[0].isupper() and word[1:].islower():
        return "Ci" if initial else ("Cs" if word.endswith("s") else "C")
    if word.islower():
        for suffix in ("ing", "ed", "ly", "tion", "ment", "ers", "er", "s", "al", "ive", "ous"):
            if word.endswith(suffix):
                return "l" + suffix
        return "l"
    return None


class Material:
    """The cleaned real texts, and token tables to synthesise new text from them.

    Paragraphs of text ``t`` are ``par_text[par_lo[t]:par_hi[t]]`` (the title
    first).  Paragraph ``p``'s tokens are ``tok_*[tok_lo[p]:tok_hi[p]]``: word id,
    id of the glue before the word, content class (-1: kept) and its text.
    """

    def __init__(self) -> None:
        started = time.perf_counter()
        kept = self._distinct(_real_texts())
        self.par_text: list[str] = []
        self.par_lo = np.zeros(len(kept), dtype=np.int64)
        self.par_hi = np.zeros(len(kept), dtype=np.int64)
        self.collection = np.array([k[2] for k in kept], dtype=np.int8)
        all_words: list[str] = []
        all_glues: list[str] = []
        tails: list[str] = []
        tok_lo: list[int] = []
        for t, (title, paras, _, _) in enumerate(kept):
            self.par_lo[t] = len(self.par_text)
            for p in (title, *paras):
                self.par_text.append(p)
                tok_lo.append(len(all_words))
                parts = SPLIT_RE.split(p)
                all_words += parts[1::2]
                all_glues += parts[0:-1:2]
                tails.append(parts[-1])
            self.par_hi[t] = len(self.par_text)
        words: dict[str, int] = {}
        glues: dict[str, int] = {}
        self.tok_word = np.array([words.setdefault(w, len(words)) for w in all_words],
                                 dtype=np.int32)
        self.tok_glue = np.array([glues.setdefault(g, len(glues)) for g in all_glues],
                                 dtype=np.int32)
        self.par_tail = np.array([glues.setdefault(g, len(glues)) for g in tails],
                                 dtype=np.int32)
        del all_words, all_glues
        self.tok_lo = np.array(tok_lo, dtype=np.int64)
        self.tok_hi = np.append(self.tok_lo[1:], len(self.tok_word))
        self.word_str = np.array(list(words), dtype=object)
        self.glue_str = np.array(list(glues), dtype=object)

        # Content class of each token: by the word's shape, capitalised words also by
        # whether they start a sentence (after a full stop, or first in the paragraph).
        names = sorted({c for w in words for c in (_content_class(w, False),
                                                   _content_class(w, True)) if c})
        index = {c: k for k, c in enumerate(names)}
        cls = np.array([[index.get(_content_class(w, False), -1),
                         index.get(_content_class(w, True), -1)] for w in words],
                       dtype=np.int32).reshape(-1, 2)
        initial = np.array([bool(_SENTENCE_END.search(g)) for g in glues], dtype=bool)
        initial = initial[self.tok_glue]
        initial[self.tok_lo[self.tok_hi > self.tok_lo]] = True
        self.tok_cls = cls[self.tok_word, initial.astype(np.int64)]
        self.n_classes = max(1, len(names))
        # A finer class adds the word before it when that is a cue to the part of
        # speech ("the ...", "to ...", "has ..."), if only a space separates them.
        cue_of_word = np.array([_CUES.get(w.lower(), len(_CUES)) for w in words],
                               dtype=np.int64)
        cue = np.full(len(self.tok_word), len(_CUES), dtype=np.int64)
        cue[1:] = cue_of_word[self.tok_word[:-1]]
        cue[self.tok_lo] = len(_CUES)
        cue[self.glue_str[self.tok_glue] != " "] = len(_CUES)
        self.tok_fine = np.where(self.tok_cls >= 0, self.tok_cls * (len(_CUES) + 1) + cue, -1)
        self.n_fine = self.n_classes * (len(_CUES) + 1)
        group_words = [w for g in FUNCTION_GROUPS for w in g]
        where = {w: k for k, w in enumerate(group_words)}
        self.word_group = np.array([where.get(w.lower(), -1) for w in words], dtype=np.int64)
        self.word_capital = np.array([w[:1].isupper() for w in words], dtype=bool)
        self.group_size = np.array([len(g) for g in FUNCTION_GROUPS for _ in g], dtype=np.int64)
        self.group_first = np.array([k - g.index(w) for k, (g, w) in enumerate(
            (g, w) for g in FUNCTION_GROUPS for w in g)], dtype=np.int64)
        self.group_forms = np.array([group_words, [w.capitalize() for w in group_words]],
                                    dtype=object)
        par_of_text = np.repeat(np.arange(len(kept)), self.par_hi - self.par_lo)
        self.tok_text = np.repeat(par_of_text, self.tok_hi - self.tok_lo)

        # Donor pools: content tokens sorted by (text, class), and by class alone.
        content = np.flatnonzero(self.tok_cls >= 0)
        text = self.tok_text[content].astype(np.int64)
        self.pools = []  # (sorted keys, words) by (text, class), (text, fine), (fine)
        for key in (text * self.n_classes + self.tok_cls[content],
                    text * self.n_fine + self.tok_fine[content], self.tok_fine[content]):
            order = np.argsort(key, kind="stable")
            self.pools.append((key[order], self.tok_word[content][order]))

        body = self.par_hi - self.par_lo - 1
        text_words = np.add.reduceat(self.tok_hi - self.tok_lo, self.par_lo) \
            if len(kept) else np.zeros(0, dtype=np.int64)
        self.long = np.flatnonzero((body >= 3) & (text_words >= 150))
        # donors: long texts (a rich vocabulary), by collection
        self.donors = [self.long[self.collection[self.long] == c] for c in (0, 1)]
        self.seconds = time.perf_counter() - started

    @staticmethod
    def _distinct(texts: list[tuple[str, list[str], int, str]]
                  ) -> list[tuple[str, list[str], int, str]]:
        """Drop every paragraph sharing a ``RUN``-word run with an earlier text; texts
        left short, empty, tabular (short lines: earnings tables) or mostly upper case;
        then every text sharing a run across paragraph breaks with an earlier one: no
        two kept texts share a run."""
        ids: dict[str, int] = {}
        flat: list[int] = []
        par_len: list[int] = []
        par_text: list[int] = []
        for t, (title, paras, _, _) in enumerate(texts):
            for p in (title, *paras):
                words = WORD_RE.findall(p.lower())
                flat += [ids.setdefault(w, len(ids)) for w in words]
                par_len.append(len(words))
                par_text.append(t)
        tokens = np.array(flat, dtype=np.int64)
        lengths = np.array(par_len, dtype=np.int64)
        owner_text = np.array(par_text, dtype=np.int64)
        par_of_tok = np.repeat(np.arange(len(lengths)), lengths)

        def shared(group_of_tok: np.ndarray, text_of_group: np.ndarray, toks: np.ndarray
                   ) -> np.ndarray:
            """Groups holding a run whose first holder is an earlier text."""
            h = _run_hashes(toks)
            inside = group_of_tok[:len(h)] == group_of_tok[RUN - 1:]
            groups = group_of_tok[:len(h)][inside]
            h = h[inside]
            _, first, inverse = np.unique(h, return_index=True, return_inverse=True)
            text = text_of_group[groups]
            return np.unique(groups[text[first][inverse] != text])

        bad = np.zeros(len(lengths), dtype=bool)
        bad[shared(par_of_tok, owner_text, tokens)] = True
        par_start = np.concatenate([[0], np.cumsum(lengths)])
        candidates = []
        at = 0
        for t, (title, paras, _, _) in enumerate(texts):
            good = [k for k in range(1, len(paras) + 1)
                    if lengths[at + k] >= 6 and not bad[at + k]]
            letters = "".join(paras[k - 1] for k in good)
            sizes = lengths[[at + k for k in good]]
            if title and not bad[at] and good and int(sizes.sum()) >= 40 \
                    and np.median(sizes) >= 12 \
                    and len(_UPPER.findall(letters)) <= 0.3 * len(letters):
                candidates.append((t, [at, *(at + k for k in good)]))
            at += len(paras) + 1
        # runs across the breaks of the kept paragraphs
        pars = np.array([p for _, ps in candidates for p in ps], dtype=np.int64)
        text_of_par = np.repeat(np.arange(len(candidates)), [len(ps) for _, ps in candidates])
        tok = np.concatenate([np.arange(par_start[p], par_start[p + 1]) for p in pars])
        text_of_tok = np.repeat(text_of_par, lengths[pars])
        dropped = set(shared(text_of_tok, np.arange(len(candidates)), tokens[tok]).tolist())
        kept = []
        for c, (t, ps) in enumerate(candidates):
            if c not in dropped:
                title, paras, collection, topic = texts[t]
                kept.append((title, [paras[p - ps[0] - 1] for p in ps[1:]], collection, topic))
        return kept


    def __len__(self) -> int:
        return len(self.par_lo)

    def paragraphs(self, text: int) -> list[str]:
        return self.par_text[self.par_lo[text]:self.par_hi[text]]

    def synthesise(self, pars: np.ndarray, donors: np.ndarray,
                   rng: np.random.Generator) -> list[str]:
        """Paragraph ``pars[k]``'s skeleton with content words from text ``donors[k]``."""
        pars = np.asarray(pars, dtype=np.int64)
        lo, hi = self.tok_lo[pars], self.tok_hi[pars]
        lengths = hi - lo
        total = int(lengths.sum())
        ends = np.cumsum(lengths)
        tok = np.arange(total) - np.repeat(ends - lengths, lengths) + np.repeat(lo, lengths)
        words = self.tok_word[tok].copy()
        mask = self.tok_cls[tok] >= 0
        old = words[mask]
        donor = np.repeat(np.asarray(donors, dtype=np.int64), lengths)[mask]
        coarse = self.tok_cls[tok][mask].astype(np.int64)
        fine = self.tok_fine[tok][mask]
        u = rng.random((3, len(old)))
        picks, sizes = [], []
        for (keys, pool), key, r in zip(self.pools, (donor * self.n_classes + coarse,
                                                     donor * self.n_fine + fine, fine), u,
                                        strict=True):
            left = np.searchsorted(keys, key, "left")
            size = np.searchsorted(keys, key, "right") - left
            picks.append(pool[np.minimum(left + (r * size).astype(np.int64), len(pool) - 1)])
            sizes.append(size)
        # the donor's words of the finer class when it has a few, else of the class,
        # else any word of the finer class
        new = np.where((sizes[0] > 0) & (picks[0] != old), picks[0], picks[2])
        new = np.where((sizes[1] > 2) & (picks[1] != old), picks[1], new)
        # function words change within their group
        group = self.word_group[words]
        swap = np.flatnonzero(~mask & (group >= 0))
        g = group[swap]
        size = self.group_size[g]
        other = self.group_first[g] + (g - self.group_first[g] + 1 + (
            rng.random(len(swap)) * (size - 1)).astype(np.int64)) % size
        capital = self.word_capital[words[swap]].astype(np.int64)
        words[mask] = new
        pieces = np.empty(2 * total, dtype=object)
        pieces[0::2] = self.glue_str[self.tok_glue[tok]]
        pieces[1::2] = self.word_str[words]
        pieces[2 * swap + 1] = self.group_forms[capital, other]
        tails = self.glue_str[self.par_tail[pars]]
        out = []
        start = 0
        for k, end in enumerate(ends.tolist()):
            out.append("".join(pieces[2 * start:2 * end].tolist()) + tails[k])
            start = end
        return out


_MATERIAL: Material | None = None


def material() -> Material:
    """The material, built once (10-20 s) and kept in the data cache as a pickle keyed
    by the code that builds it and the archives."""
    global _MATERIAL
    if _MATERIAL is not None:
        return _MATERIAL
    import hashlib
    import inspect
    import pickle

    from wiretrace import datasets

    key = hashlib.blake2b(digest_size=8)
    for code in (datasets.unpack, datasets.bbc_articles, datasets.reuters_articles,
                 _real_texts, _fix_mojibake, _title_case, _run_hashes, _content_class, Material):
        key.update(inspect.getsource(code).encode())
    key.update(repr((RUN, sorted(STOP), _CUES, FUNCTION_GROUPS, _SENTENCE_END.pattern,
                     _UPPER.pattern, _LETTERS.pattern, sorted(_SMALL))).encode())
    for name in ("bbc-news.tar.xz", "reuters21578.tar.xz"):
        stat = (datasets.data_dir() / name).stat()
        key.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    cached = datasets.cache_dir() / f"corpus-material-{key.hexdigest()}.pkl"
    try:  # the attributes only: the class may be __main__'s or make_corpus'
        with open(cached, "rb") as fh:
            state = pickle.load(fh)
        _MATERIAL = Material.__new__(Material)
        _MATERIAL.__dict__.update(state)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
        _MATERIAL = Material()
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_name(f"{cached.name}.{os.getpid()}.partial")
            with open(partial, "wb") as fh:
                pickle.dump(vars(_MATERIAL), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, cached)
            for old in cached.parent.glob("corpus-material-*.pkl"):
                if old != cached:
                    old.unlink(missing_ok=True)
        except OSError:
            pass
    return _MATERIAL


# --------------------------------------------------------------------------------------
# The plan: story sizes, chunks, which original gets which material
# --------------------------------------------------------------------------------------

@dataclass
class Plan:
    sizes: np.ndarray  # articles per story (original included)
    units: np.ndarray  # unit order: >= 0 story index, < 0 ~singleton index
    chunk_bounds: list[tuple[int, int]]  # [lo, hi) into units
    chunk_first: list[int]  # output position of each chunk's first article
    story_real: np.ndarray  # real text id per story, -1 synthetic
    single_real: np.ndarray  # real text id per unrelated article, -1 synthetic
    ids: np.ndarray  # id number of the article at each output position


def make_plan(cfg: Config, mat: Material) -> Plan:
    rng = np.random.default_rng([cfg.seed, 0])
    n_derived = int(round(cfg.articles * cfg.derived_share))
    s = np.arange(cfg.story_min, cfg.story_max + 1)
    p = s.astype(float) ** -cfg.story_exponent
    draws = rng.choice(s, size=n_derived // (cfg.story_min - 1) + 1, p=p / p.sum())
    covered = np.cumsum(draws - 1)
    k = int(np.searchsorted(covered, n_derived)) + 1 if n_derived else 0
    sizes = draws[:k].copy()
    if k:
        sizes[-1] -= covered[k - 1] - n_derived
        if sizes[-1] < 2:
            sizes = sizes[:-1]
    singles = cfg.articles - int(sizes.sum())
    if singles < 0:
        raise ValueError("derived_share too high for this many articles")
    n_units = len(sizes) + singles
    units = np.concatenate([np.arange(len(sizes)), ~np.arange(singles)])[rng.permutation(n_units)]
    unit_size = np.where(units >= 0, sizes[np.maximum(units, 0)], 1)
    ends = np.cumsum(unit_size)
    cuts = np.searchsorted(ends, np.arange(cfg.chunk_articles, cfg.articles, cfg.chunk_articles),
                           "left") + 1
    cuts = np.unique(np.concatenate([[0], cuts, [n_units]]))
    chunk_bounds = [(int(a), int(b)) for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]
    chunk_first = [int(ends[a - 1]) if a else 0 for a, _ in chunk_bounds]

    cap = len(mat) if cfg.max_real is None else min(cfg.max_real, len(mat))
    long_texts = mat.long[rng.permutation(len(mat.long))]
    n_story_real = min(len(sizes), len(long_texts), cap)
    story_real = np.full(len(sizes), -1, dtype=np.int64)
    story_real[rng.permutation(len(sizes))[:n_story_real]] = long_texts[:n_story_real]
    unused = np.setdiff1d(np.arange(len(mat)), story_real[story_real >= 0])
    unused = unused[rng.permutation(len(unused))]
    n_single_real = min(singles, len(unused), cap - n_story_real)
    single_real = np.full(singles, -1, dtype=np.int64)
    single_real[rng.permutation(singles)[:n_single_real]] = unused[:n_single_real]
    used = np.concatenate([story_real[story_real >= 0], single_real[single_real >= 0]])
    assert len(np.unique(used)) == len(used), "a real text used twice"
    return Plan(sizes, units, chunk_bounds, chunk_first, story_real, single_real,
                rng.permutation(cfg.articles))


# --------------------------------------------------------------------------------------
# Making one version from another
# --------------------------------------------------------------------------------------

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


def _reword_doc(doc: int, paras: list[str], rng) -> list[Segment]:
    n = len(paras) - 1
    chosen = set(rng.choice(np.arange(1, n + 1), size=max(1, int(round(n * rng.uniform(0.3, 0.7)))),
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


# --------------------------------------------------------------------------------------
# One chunk
# --------------------------------------------------------------------------------------

def _stretches(segments: list[Segment], sources: dict[int, list[str]]
               ) -> list[tuple[int, int, int, int, int, bool]]:
    """(source, t_start, t_end, s_start, s_end, verbatim) of each maximal copied run."""
    out: list[list] = []
    starts = {d: np.concatenate([[0], np.cumsum([len(p) + 2 for p in ps])]).tolist()
              for d, ps in sources.items()}
    pos = 0
    last = None  # (source, source paragraph, verbatim) of the previous segment
    for text, src, sp, verbatim in segments:
        end = pos + len(text)
        if src >= 0:
            s0 = starts[src][sp]
            s1 = s0 + len(sources[src][sp])
            if last == (src, sp - 1, verbatim):
                out[-1][2], out[-1][4] = end, s1
            else:
                out.append([src, pos, end, s0, s1, verbatim])
            last = (src, sp, verbatim)
        else:
            last = None
        pos = end + 2
    return [tuple(r) for r in out]


_JOB: tuple[Config, Plan] | None = None  # set before the worker processes fork


def build_chunk(chunk: int) -> dict[str, list]:
    """Articles, stories and truth of one chunk, in output order."""
    assert _JOB is not None
    cfg, plan = _JOB
    mat = material()
    rng = np.random.default_rng([cfg.seed, 1, chunk])
    lo, hi = plan.chunk_bounds[chunk]
    units = plan.units[lo:hi]
    first = plan.chunk_first[chunk]
    kinds = [k for k in KINDS if cfg.kind_weights.get(k, 0) > 0]
    weights = np.array([cfg.kind_weights[k] for k in kinds], dtype=float)
    weights /= weights.sum()

    # Originals first, synthetic ones in one vectorised batch.
    real = np.array([plan.story_real[u] if u >= 0 else plan.single_real[~u] for u in units])
    synth = np.flatnonzero(real < 0)
    skeleton = np.where(units[synth] >= 0,
                        mat.long[rng.integers(0, len(mat.long), len(synth))],
                        rng.integers(0, len(mat), len(synth)))
    donor = np.empty(len(synth), dtype=np.int64)
    for c, members in enumerate(mat.donors):
        sel = mat.collection[skeleton] == c
        donor[sel] = members[rng.integers(0, len(members), int(sel.sum()))]
    counts = mat.par_hi[skeleton] - mat.par_lo[skeleton]
    pars = np.concatenate([np.arange(mat.par_lo[t], mat.par_hi[t]) for t in skeleton]) \
        if len(synth) else np.zeros(0, dtype=np.int64)
    texts = mat.synthesise(pars, np.repeat(donor, counts), rng) if len(synth) else []
    synth_paras: dict[int, tuple[list[str], int]] = {}
    at = 0
    for k, u in enumerate(synth.tolist()):
        synth_paras[u] = (texts[at:at + counts[k]], int(donor[k]))
        at += counts[k]

    docs: list[list[str]] = []  # paragraphs of each article, in build order
    meta: list[dict] = []
    truth: list[tuple] = []
    done_stories: list[list[int]] = []
    for k, u in enumerate(units.tolist()):
        if real[k] >= 0:
            paras, vocab = mat.paragraphs(int(real[k])), int(real[k])
        else:
            paras, vocab = synth_paras[k]
        origin = len(docs)
        docs.append(list(paras))
        when = EPOCH_2024 + int(rng.integers(0, 366 * 86400))
        meta.append({"role": "unrelated" if u < 0 else "original", "kind": None,
                     "source": None, "story": None if u < 0 else origin, "published": when,
                     "outlet": int(rng.integers(len(OUTLETS))), "real": bool(real[k] >= 0)})
        if u < 0:
            continue
        members = [origin]
        for _ in range(int(plan.sizes[u]) - 1):
            if len(members) == 1 or rng.random() < cfg.from_original:
                src = origin
            else:
                src = members[1 + int(rng.integers(len(members) - 1))]
            kind = kinds[int(rng.choice(len(kinds), p=weights))]
            sp = docs[src]
            sources = {src: sp}
            segs: list[Segment] | None = None
            if kind == "trimmed":
                segs = _trim(src, sp, rng)
            elif kind == "reordered":
                segs = _reorder(src, sp, rng)
            elif kind == "reworded":
                segs = _reword_doc(src, sp, rng) if len(sp) > 1 else None
            elif kind == "spelling":
                segs = _spelling(src, sp, rng)
            elif kind == "headline":
                title = mat.synthesise(
                    [mat.par_lo[int(rng.integers(len(mat)))]], [vocab], rng)[0]
                segs = [(title, -1, -1, False), *_copied(src, sp, range(1, len(sp)))] \
                    if title != sp[0] else None
            elif kind == "spliced" and done_stories:
                other = done_stories[int(rng.integers(len(done_stories)))]
                second = other[int(rng.integers(len(other)))]
                op = docs[second]
                if len(op) > 1:
                    a = int(rng.integers(1, len(op)))
                    b = min(len(op), a + int(rng.integers(1, 3)))
                    keep = len(sp) - (1 if len(sp) > 3 and rng.random() < 0.5 else 0)
                    at_ = int(rng.integers(2, keep + 1)) if keep > 2 else keep
                    segs = (_copied(src, sp, range(at_)) + _copied(second, op, range(a, b))
                            + _copied(src, sp, range(at_, keep)))
                    sources[second] = op
            if kind == "added_paragraphs" or (kind == "spliced" and segs is None):
                kind = "added_paragraphs"
                t = rng.integers(0, len(mat), int(rng.integers(1, 4)))
                skel = mat.par_lo[t] + 1 + (rng.random(len(t)) * (mat.par_hi[t] - mat.par_lo[t]
                                                                  - 1)).astype(np.int64)
                fresh = [(p, -1, -1, False) for p in
                         mat.synthesise(skel, np.full(len(skel), vocab), rng)]
                at_ = int(rng.integers(2, len(sp) + 1)) if len(sp) > 2 else len(sp)
                segs = _copied(src, sp, range(at_)) + fresh + _copied(src, sp, range(at_, len(sp)))
            if segs is None:
                kind = "copy"
                segs = _copied(src, sp, range(len(sp)))
            new = len(docs)
            docs.append([s[0] for s in segs])
            for row in _stretches(segs, sources):
                truth.append((new, *row, kind, origin))
            parents = {s[1] for s in segs if s[1] >= 0}
            outlet = int(rng.integers(len(OUTLETS) - 1))
            outlet += outlet >= meta[src]["outlet"]
            meta.append({"role": "derived", "kind": kind, "source": src, "story": origin,
                         "published": max(meta[d]["published"] for d in sorted(parents))
                         + 60 + int(rng.exponential(6 * 3600)),
                         "outlet": outlet, "real": None})
            members.append(new)
        done_stories.append(members)

    order = rng.permutation(len(docs))  # output position of build index order[pos]
    position = np.empty(len(docs), dtype=np.int64)
    position[order] = np.arange(len(docs))
    width = max(6, len(str(cfg.articles - 1)))
    ids = [f"a{n:0{width}d}" for n in plan.ids[first:first + len(docs)].tolist()]

    def id_of(build: int | None) -> str | None:
        return None if build is None else ids[position[build]]

    out: dict[str, list] = {"id": [], "text": [], "title": [], "outlet": [], "published": [],
                            "role": [], "kind": [], "source": [], "story": [], "real": []}
    for build in order.tolist():
        m = meta[build]
        out["id"].append(id_of(build))
        out["text"].append("\n\n".join(docs[build]))
        out["title"].append(docs[build][0])
        out["outlet"].append(OUTLETS[m["outlet"]])
        out["published"].append(m["published"])
        out["role"].append(m["role"])
        out["kind"].append(m["kind"])
        out["source"].append(id_of(m["source"]))
        out["story"].append(id_of(m["story"]))
        out["real"].append(m["real"])
    truth.sort(key=lambda r: (position[r[0]], r[2]))
    out["truth"] = [(id_of(t), id_of(s), kind, a, b, c, d, v, id_of(story))
                    for t, s, a, b, c, d, v, kind, story in truth]
    return out


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------

TRUTH_COLUMNS = ("target", "source", "kind", "target_start", "target_end", "source_start",
                 "source_end", "verbatim", "story")


class _Sink:
    """Streams rows to ``name.parquet`` (one row group per chunk) or ``name.jsonl``."""

    def __init__(self, path: Path, schema, fmt: str) -> None:
        self.path, self.schema, self.fmt = path, schema, fmt
        self.tmp = path.with_name(path.name + ".partial")
        self.writer = None
        self.handle = None

    def write(self, columns: dict[str, list]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.fmt == "parquet":
            table = pa.table({f.name: pa.array(columns[f.name], f.type) for f in self.schema},
                             schema=self.schema)
            if self.writer is None:
                self.writer = pq.ParquetWriter(self.tmp, self.schema, compression="zstd")
            self.writer.write_table(table)
            return
        if self.handle is None:
            self.handle = open(self.tmp, "w", encoding="utf-8", newline="\n")
        names = [f.name for f in self.schema]
        for values in zip(*(columns[n] for n in names), strict=True):
            row = dict(zip(names, values, strict=True))
            if "published" in row:
                row["published"] = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                 time.gmtime(row["published"]))
            self.handle.write(json.dumps(row, ensure_ascii=False) + "\n")

    def close(self) -> None:
        if self.writer is None and self.handle is None:
            self.write({f.name: [] for f in self.schema})
        if self.writer is not None:
            self.writer.close()
        if self.handle is not None:
            self.handle.close()
        os.replace(self.tmp, self.path)


def generate(cfg: Config, out_dir: str | os.PathLike, fmt: str = "parquet", jobs: int = 1,
             progress=None) -> dict:
    """Write the corpus of ``cfg`` into ``out_dir``; return what ``meta.json`` says."""
    import pyarrow as pa

    cfg.check()
    started = time.perf_counter()
    mat = material()
    plan = make_plan(cfg, mat)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    string = pa.string()
    sinks = {
        "articles": _Sink(out / f"articles.{fmt}", pa.schema(
            [("id", string), ("text", string), ("title", string), ("outlet", string),
             ("published", pa.timestamp("s", tz="UTC"))]), fmt),
        "truth": _Sink(out / f"truth.{fmt}", pa.schema(
            [("target", string), ("source", string), ("kind", string),
             ("target_start", pa.int64()), ("target_end", pa.int64()),
             ("source_start", pa.int64()), ("source_end", pa.int64()),
             ("verbatim", pa.bool_()), ("story", string)]), fmt),
        "stories": _Sink(out / f"stories.{fmt}", pa.schema(
            [("id", string), ("story", string), ("role", string), ("kind", string),
             ("source", string)]), fmt),
    }
    counts: dict[str, int] = {}
    global _JOB
    _JOB = (cfg, plan)
    tasks = range(len(plan.chunk_bounds))
    if jobs > 1 and len(tasks) > 1 and "fork" in multiprocessing.get_all_start_methods():
        pool = multiprocessing.get_context("fork").Pool(jobs)
        results = pool.imap(build_chunk, tasks)
    else:
        pool = None
        results = map(build_chunk, tasks)
    written = 0
    try:
        for chunk in results:
            sinks["articles"].write(chunk)
            sinks["stories"].write(chunk)
            sinks["truth"].write({name: [row[k] for row in chunk["truth"]]
                                  for k, name in enumerate(TRUTH_COLUMNS)})
            for role, kind, is_real in zip(chunk["role"], chunk["kind"], chunk["real"],
                                           strict=True):
                key = f"derived:{kind}" if role == "derived" else \
                    f"{role}:{'real' if is_real else 'synthetic'}"
                counts[key] = counts.get(key, 0) + 1
            counts["truth_rows"] = counts.get("truth_rows", 0) + len(chunk["truth"])
            written += len(chunk["id"])
            if progress:
                progress(written, cfg.articles)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    for sink in sinks.values():
        sink.close()
    meta = {"config": asdict(cfg), "format": fmt, "articles": written,
            "stories": int(len(plan.sizes)), "chunks": len(tasks),
            "real_texts_available": len(mat), "real_long_texts": int(len(mat.long)),
            "counts": dict(sorted(counts.items())),
            "material_seconds": round(mat.seconds, 1),
            "seconds": round(time.perf_counter() - started, 1)}
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def check_runs(out_dir: str | os.PathLike, fmt: str = "parquet", examples: int = 5) -> dict:
    """Pairs of articles sharing a run of ``RUN`` words that the truth does not relate
    (not linked by any chain of truth rows).  About 2 minutes per 100,000 articles."""
    import pyarrow.parquet as pq
    from pyarrow import json as pa_json

    out = Path(out_dir)

    def table(name: str, columns: list[str]):
        path = out / f"{name}.{fmt}"
        got = pq.read_table(path, columns=columns) if fmt == "parquet" \
            else pa_json.read_json(path).select(columns)
        return [got.column(c).to_pylist() for c in columns]

    ids, texts = table("articles", ["id", "text"])
    parent = list(range(len(ids)))
    index = {a: k for k, a in enumerate(ids)}

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for target, source in zip(*table("truth", ["target", "source"]), strict=True):
        parent[root(index[target])] = root(index[source])
    vocab: dict[str, int] = {}
    hashes, owners = [], []
    for k, text in enumerate(texts):
        words = WORD_RE.findall(text.lower())
        h = np.unique(_run_hashes(np.array([vocab.setdefault(w, len(vocab)) for w in words],
                                           dtype=np.int64)))
        hashes.append(h)
        owners.append(np.full(len(h), k, dtype=np.int64))
    del texts
    h, owner = np.concatenate(hashes), np.concatenate(owners)
    order = np.argsort(h, kind="stable")
    h, owner = h[order], owner[order]
    starts = np.flatnonzero(np.concatenate([[True], h[1:] != h[:-1]]))
    sizes = np.diff(np.append(starts, len(h)))
    shared: set[tuple[int, int]] = set()
    unrelated: dict[tuple[int, int], int] = {}
    for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
        group = owner[start:start + size].tolist()
        for i in range(size):
            for j in range(i + 1, size):
                a, b = min(group[i], group[j]), max(group[i], group[j])
                shared.add((a, b))
                if root(a) != root(b):
                    unrelated[(a, b)] = unrelated.get((a, b), 0) + 1
    worst = sorted(unrelated.items(), key=lambda item: (-item[1], item[0]))[:examples]
    return {"pairs_sharing_a_run": len(shared), "unrelated_pairs_sharing_a_run": len(unrelated),
            "unrelated_pairs_by_runs": {n: sum(1 for v in unrelated.values() if v == n)
                                        for n in sorted(set(unrelated.values()))},
            "examples": [[ids[a], ids[b], n] for (a, b), n in worst]}


def _kinds(value: str) -> dict[str, float]:
    weights = {}
    for item in value.split(","):
        name, _, weight = item.partition("=")
        if name.strip() not in KINDS:
            raise argparse.ArgumentTypeError(f"unknown kind {name!r} (kinds: {', '.join(KINDS)})")
        weights[name.strip()] = float(weight)
    return weights


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    d = Config()
    parser.add_argument("--articles", type=int, required=True, help="articles to write")
    parser.add_argument("--out", required=True, help="folder to write into")
    parser.add_argument("--seed", type=int, default=d.seed)
    parser.add_argument("--format", choices=("parquet", "jsonl"), default="parquet")
    parser.add_argument("--derived-share", type=float, default=d.derived_share,
                        help="share of articles derived from another (default %(default)s)")
    parser.add_argument("--kinds", type=_kinds, default=None,
                        help="kind weights, e.g. copy=0.2,reworded=0.5 (unnamed kinds: 0); "
                        "default " + ",".join(f"{k}={v}" for k, v in d.kind_weights.items()))
    parser.add_argument("--story-exponent", type=float, default=d.story_exponent,
                        help="story sizes ~ size^-x (default %(default)s)")
    parser.add_argument("--story-max", type=int, default=d.story_max)
    parser.add_argument("--from-original", type=float, default=d.from_original,
                        help="share of versions copied from the original rather than "
                        "from an earlier version (default %(default)s)")
    parser.add_argument("--max-real", type=int, default=None,
                        help="use at most this many real texts as originals")
    parser.add_argument("--chunk-articles", type=int, default=d.chunk_articles)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--check", action="store_true",
                        help=f"then count pairs the truth does not relate that share a run "
                        f"of {RUN} words, into meta.json (2 minutes and 2 GB per 100,000 articles)")
    args = parser.parse_args(argv)
    cfg = Config(articles=args.articles, seed=args.seed, derived_share=args.derived_share,
                 kind_weights=args.kinds or dict(DEFAULT_KIND_WEIGHTS),
                 story_exponent=args.story_exponent, story_max=args.story_max,
                 from_original=args.from_original, max_real=args.max_real,
                 chunk_articles=args.chunk_articles)
    try:
        cfg.check()
    except ValueError as exc:
        parser.error(str(exc))

    def progress(done: int, total: int) -> None:
        print(f"\r{done:,}/{total:,} articles", end="", file=sys.stderr, flush=True)

    meta = generate(cfg, args.out, args.format, args.jobs, progress)
    print(file=sys.stderr)
    shown = ["articles", "stories", "counts", "seconds"]
    if args.check:
        meta["check"] = check_runs(args.out, args.format)
        (Path(args.out) / "meta.json").write_text(json.dumps(meta, indent=2) + "\n",
                                                  encoding="utf-8")
        shown.append("check")
    print(json.dumps({k: meta[k] for k in shown}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
