"""The real material: the BBC and Reuters texts cleaned (mojibake, headline case),
tokenised into tables to synthesise new text from, and cached in the data cache.
"""

from __future__ import annotations

import os
import re
import time

import numpy as np

from . import frames as _frames
from .config import RUN
from .words import _CUES, _SENTENCE_END, _UPPER, FUNCTION_GROUPS, SPLIT_RE, STOP, WORD_RE


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
    from wiretrace.evaluate.corpora import bbc_articles, reuters_articles

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


def _reuters_items() -> list[tuple[str, str, str, float]]:
    """(id, title, body, published epoch seconds) of every Reuters item."""
    from wiretrace.evaluate.corpora import reuters_articles

    return [(a.id, a.title or "", a.text, a.published.timestamp() if a.published else 0.0)
            for a in reuters_articles()]


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
    ``frames`` holds the template families (``frames.build_frames``); no text here
    shares an 8-word run with a templated Reuters item.
    """

    def __init__(self) -> None:
        started = time.perf_counter()
        self.frames, templated = _frames.build_frames(_reuters_items(), _title_case)
        kept = self._distinct([(t, p, 1, "templated") for t, p in templated] + _real_texts(),
                              blockers=len(templated))
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
    def _distinct(texts: list[tuple[str, list[str], int, str]], blockers: int = 0
                  ) -> list[tuple[str, list[str], int, str]]:
        """Drop every paragraph sharing a ``RUN``-word run with an earlier text; texts
        left short, empty, tabular (short lines: earnings tables) or mostly upper case;
        then every text sharing a run across paragraph breaks with an earlier one: no
        two kept texts share a run.  The first ``blockers`` texts are never kept: they
        only take their runs away from the others."""
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
            if t < blockers:  # every paragraph, to block runs across their breaks too
                candidates.append((t, list(range(at, at + len(paras) + 1))))
                at += len(paras) + 1
                continue
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
            if c not in dropped and t >= blockers:
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

    from wiretrace.evaluate import corpora as datasets

    key = hashlib.blake2b(digest_size=8)
    for code in (datasets.unpack, datasets.bbc_articles, datasets.reuters_articles,
                 _real_texts, _reuters_items, _fix_mojibake, _title_case, _run_hashes,
                 _content_class, Material, _frames):
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
