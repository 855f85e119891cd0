"""Generate a scale corpus with known reuse from the real BBC and Reuters texts.

    python benchmarks/make_corpus.py --articles 100000 --out .cache/corpus-100k
    python benchmarks/make_corpus.py --articles 2000 --out DIR --seed 7 --format jsonl
    python benchmarks/make_corpus.py --articles 5000 --out DIR --derived-share 0.5 \\
        --kinds copy=1,reworded=2 --story-exponent 2.2 --jobs 2
    python benchmarks/make_corpus.py --articles 20000 --out DIR --check  # + shared runs
    python benchmarks/make_corpus.py --articles 5000 --out DIR --template-share 0 \
        --series-share 0   # no templated items (the corpus before they were added)

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
    the edited paragraphs of ``reworded``, ``spelling`` and ``corrected``: there the
    target span covers the edited stretch and the source span the original one); ``story`` is
    the target's story (the id of the original it descends from).  A stretch is a
    maximal run of paragraphs copied in order, with the blank lines between them,
    and one verbatim flag; a reuse of several stretches gives several rows.
``stories.parquet``
    one row per article: ``id, story, role, kind, source, template, template_kind,
    frame``.  ``role`` is ``unrelated`` (reuses nothing and is reused by nothing:
    ``story`` null), ``original`` (the first version of a story: ``story`` = its own
    id) or ``derived`` (``kind`` and its primary ``source``).  ``template`` is the
    template family (``tpl017``) of a templated item and of every version derived
    from it, ``template_kind`` ``template`` (one-off) or ``series``, ``frame`` the
    Reuters item (``reuters/954``) whose frame it fills; all null for free text.
    A template family is *not* a story: its items are other events in one frame,
    and only planted versions share an item's ``story``.
``meta.json``
    the configuration, the realised counts and the time taken.

The mixture (all shares configurable, see ``--help``):

* ``1 - derived_share`` (60 %) of the articles reuse nothing: the originals of the
  stories plus the unrelated articles.  Each not templated (below) is a real BBC or
  Reuters text while unused ones last (stories take the long ones: three or more
  paragraphs, 150 words).  The real material is cleaned first so that no two texts
  share a run of 8 words: a paragraph sharing one with an earlier text is dropped,
  then texts left short, tabular (earnings tables) or upper case, then texts sharing
  a run across a paragraph break.  That removes Reuters' repeats and updates and
  BBC's duplicates and leaves about 13,650 texts (6,350 long; templated Reuters
  items and every paragraph sharing a run with one are out too); each is used at
  most once, so real originals never share an 8-word run.  Splicing paragraphs of
  different real texts cannot make more distinct originals than there are
  paragraphs, so larger corpora get *synthetic* originals: the skeleton of a real
  text (its paragraphs, punctuation and word shapes) with every content word
  replaced by a word of the same shape (capitalised, acronym, number of the same
  length, lower case with the same suffix, preferably after the same function word)
  drawn from another long real text of the same collection, and every function word
  swapped within its group (he/she/they, of/in/on, is/was, ...).  They read as
  news-shaped word salad on one topic, not as fluent prose; what matters is that
  they share no long run with anything: at 100,000 articles only about 90 of the 5e9
  pairs the truth does not relate share an 8-word run, nearly all a single stock
  phrase ("likely to rise in the second half of the year"; measured before
  templated items; at 10,000 articles with them, seed 1: 7 pairs, 3 that phrase and
  4 templated items of two families whose frames are alike and whose fillers
  happen to be the same, "said federal funds were trading at 6-3/...").  Real texts run out at
  about 29,000 articles (long ones for stories at about 60,000); past that the other
  originals are synthetic (``meta.json`` counts both; ``--max-real`` caps the real
  ones).
* ``template_share`` (10 %) and ``series_share`` (3 %) of the articles are
  *templated* originals, unrelated or the original of a story like the others:
  wire items that share a sentence frame while every name and figure differs,
  which are other events and never one story.  ``corpus_gen/frames.py`` finds
  them in the Reuters items by their recurring wording: 121 families from 1,448
  real items, 1,440 of them usable as frames (an item whose figures make all its
  text is not).  A family is drawn in proportion to its real items: earnings
  tables ("Shr 28 cts vs 32 cts / Net 2,585,000 vs 2,885,000") are 61 % of the
  one-off items, then filing and offering briefs, eurobond issues, sales, stake
  and dividend briefs, contracts, USDA/CCC notices.  A new item takes one real
  item of the family and replaces its fillers: names with other real names (of
  the family's own items where it has enough, a company keeping its "Inc"),
  figures with real figures of the same shape, tickers, months and days; one
  value is filled the same way wherever it recurs, the title's included.  Series
  (51 families: U.K. money-market reports, Fed repurchases, Treasury balances,
  hog slaughter guesstimates, M-1, jobless claims, weekly electric output, ...)
  issue their items one period apart (daily or weekly, as in the archive) and
  name the days of their own date.  A series item that is the original of a
  story is first re-issued by its own wire: ``corrected`` (one figure of a
  paragraph of six words or more put right, half of them) or ``resent`` (the
  same text), the same story as the item.  With their republications about
  21 % of the articles carry a template frame (Reuters-21578 is 18 % earnings
  items alone).  The real material keeps no run of 8 words with any templated
  Reuters item, so a templated item shares runs only with its family (and its
  own versions); ``--check`` counts those pairs apart.
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
  reworded          0.18    30-70 % of the prose paragraphs get one word edit per 10-15 words:
                            synonyms from a built-in list, inserted and deleted words,
                            moved adverbs
  spelling          0.10    1-3 capitalised names change one letter everywhere (vowel,
                            doubled or dropped letter, swapped letters), and British /
                            American spellings (-ise/-ize, -our/-or, -re/-er) flip
  reordered         0.10    a paragraph moved, or two swapped
  headline          0.10    a new (synthetic) title line, the body copied
  ================  ======  ===========================================================

  A kind the source cannot take (trimming a one-paragraph text, say) falls back to
  ``copy``, ``reworded`` a text with no paragraph of eight words or more (a table)
  too, and ``spliced`` without another story in the chunk to ``added_paragraphs``;
  the truth and ``meta.json`` record the kind actually done.  A version is published
  minutes to days after its sources, in another outlet.

Generation is streamed: stories are shuffled into chunks of about
``--chunk-articles`` articles (a story never straddles two chunks; a spliced
paragraph comes from another story of the same chunk), chunks are built in
parallel (``--jobs``, forked workers), shuffled inside, and written in order, so
memory stays flat (about 350 MB) at any size.  The cleaned material is built once
(10-20 s) and cached in the data cache of ``wiretrace.evaluate.corpora``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

# Run as a script, benchmarks/ is on sys.path; loaded from its path (the tests), it may not be.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_gen import (  # noqa: E402  (re-exported: the tests use them from here)
    ALL_KINDS,
    DEFAULT_KIND_WEIGHTS,
    KINDS,
    RUN,
    SERIES_KINDS,
    VERBATIM_KINDS,
    Config,
    check_runs,
    generate,
    material,
)

__all__ = ["ALL_KINDS", "DEFAULT_KIND_WEIGHTS", "KINDS", "RUN", "SERIES_KINDS",
           "VERBATIM_KINDS", "Config", "check_runs", "generate", "main", "material"]


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
    parser.add_argument("--template-share", type=float, default=d.template_share,
                        help="share of articles that are one-off templated items "
                        "(default %(default)s)")
    parser.add_argument("--series-share", type=float, default=d.series_share,
                        help="share of articles that are items of periodic series "
                        "(default %(default)s)")
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
                 chunk_articles=args.chunk_articles, template_share=args.template_share,
                 series_share=args.series_share)
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
