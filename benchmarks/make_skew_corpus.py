"""Generate the skew corpus for the Spark driver: one boilerplate paragraph in 20 % of
the articles and one story with 5,000 versions.

    python benchmarks/make_skew_corpus.py        # .cache/corpus-skew from .cache/corpus-100000
    python benchmarks/make_skew_corpus.py --seed 2 --out DIR

Why: the skew bar of the Spark work is "a corpus where one boilerplate paragraph
appears in 20 % of articles and one story has 5,000 versions completes without a
straggler task taking more than 5x the median".  Both are hot keys: the boilerplate's
n-grams are held by 10,000 articles (the document-frequency cut-off, ``max_df``, must
drop them before n-grams are grouped, or they make 50 million candidate pairs), and
so are the story's, held by 5,000: its versions are paired by MinHash LSH instead
(up to 12.5 million pairs; 9.7 million with the defaults, seed 1), all in one
connected group, then make one story of 5,000 members to build and diff; a
partitioning by n-gram, text or story puts all of either on one task.

What it writes (the same arguments, ``--seed`` included, always write the same bytes):

``articles.parquet``
    the schema of the source corpus (``benchmarks/make_corpus.py``: ``id, text, title,
    outlet, published``; the generated corpora have no ``url``), 50,000 rows in a
    seeded random order:

    * the first 45,000 articles of ``.cache/corpus-100000/articles.parquet``
      (``--source``, ``--base-articles``), unchanged but for the boilerplate;
    * 5,000 versions of one real BBC article of 400-700 words and eight or more
      paragraphs, picked (seeded) among the originals of the source corpus whose
      story is wholly outside those 45,000 rows (no version, no splice), and checked
      to share no run of 8 words with them.  As outlets re-publish a popular wire
      story: the first is the article itself, at its own time and outlet; 10 % are
      verbatim copies (title and text); the others take one to four light edits:
      one or two paragraphs dropped, or one or two sentences; a changed headline
      (a wire slug such as ``UPDATE 1-``, the outlet's name after it, upper case,
      ", report says" after it, a word swapped); an outlet line (``Reporting by ...;
      Editing by ...``, a byline, a "first published by" note); one to three words
      swapped for a synonym.
      Each has its own id (an unused id of the source corpus, so ids say nothing),
      outlet (``<place> <masthead>``, all distinct) and time, within two days of the
      first, most in the first hours;
    * then one boilerplate paragraph (:data:`BOILERPLATE`, 61 words, the same each
      time) appended as the last paragraph of 20 % of all 50,000 articles, picked at
      random, versions included.
``truth.json``
    the configuration, the base article (its id, title and size in the source
    corpus, where it is not part of the 45,000 rows), the ids of the versions (and
    of the verbatim ones), how many versions took each edit, and the ids with the
    boilerplate.

It takes about 10 seconds.  ``WIRETRACE_DATA`` must point at the data (the BBC
texts, to tell a real article from a synthetic one).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import numpy as np

# Run as a script, benchmarks/ is on sys.path; loaded from its path, it may not be.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_gen.words import SYNONYMS, WORD_RE  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RUN = 8  # the base may share no run of this many words with the rest

BOILERPLATE = (
    "Sign up for our free morning newsletter to get the day's top stories, analysis and "
    "opinion delivered straight to your inbox. Subscribers also get unlimited access to our "
    "website and apps, exclusive reporting and the daily puzzle page. You can change your "
    "preferences or unsubscribe at any time, and we will never share your details with "
    "third parties without your consent."
)

PLACES = """Aberdeen Ashford Banbury Barnsley Basingstoke Bath Bedford Belfast Birmingham
Blackburn Blackpool Bolton Bournemouth Bradford Brighton Bristol Burnley Cambridge Canterbury
Cardiff Carlisle Chelmsford Cheltenham Chester Chichester Colchester Coventry Crawley Derby
Doncaster Dorchester Dover Dudley Dundee Durham Eastbourne Edinburgh Exeter Falkirk
Glasgow Gloucester Grimsby Guildford Halifax Harrogate Hartlepool Hereford Huddersfield Hull
Inverness Ipswich Kendal Kettering Kilmarnock Lancaster Leeds Leicester Lincoln Liverpool
Luton Maidstone Manchester Middlesbrough Milton-Keynes Newcastle Newport Northampton Norwich
Nottingham Oldham Oxford Paisley Perth Peterborough Plymouth Portsmouth Preston Reading
Rochdale Rotherham Salisbury Scarborough Sheffield Shrewsbury Slough Southampton Southend
Stafford Stirling Stockport Stoke Sunderland Swansea Swindon Taunton Telford Torquay Truro
Wakefield Warrington Watford Wigan Winchester Wolverhampton Worcester Worthing Wrexham York
""".split()
MASTHEADS = """Advertiser Argus Bulletin Chronicle Citizen Courier Daily Despatch Echo Evening-News
Examiner Express Gazette Guardian Herald Independent Journal Leader Ledger Mail Mercury
Messenger Mirror News Observer Post Press Record Recorder Reporter Review Sentinel Standard
Star Telegraph Times Tribune Voice Weekly Free-Press Live Today Online Wire Clarion Enquirer
Globe Informer Pioneer Spectator""".split()
FIRST = """Adam Alice Amy Andrew Anna Ben Caroline Chris Claire Daniel David Emma Fiona Gareth
Hannah Helen Ian James Jane Jonathan Kate Laura Lucy Mark Martin Matthew Michael Nick Paul
Peter Rachel Richard Robert Ruth Sam Sarah Simon Sophie Steve Thomas Tom William""".split()
LAST = """Adams Allen Baker Barnes Bell Brooks Campbell Carter Clarke Collins Cook Davies Edwards
Evans Fisher Foster Green Hall Harris Hughes Jackson James Johnson Kelly King Lewis Marshall
Martin Mitchell Moore Morgan Murphy Parker Patel Phillips Price Reid Roberts Robinson Scott
Shaw Taylor Thomas Turner Walker Ward Watson White Wilson Wood Wright Young""".split()
WIRES = ("Reuters", "the Press Association", "AFP", "the Associated Press", "BBC News")
SLUGS = ("UPDATE 1-", "UPDATE 2-", "UPDATE 3-", "REFILE-", "CORRECTED-", "WRAPUP 1-")
# A sentence ends at . ! ? (after a closing quote or bracket too) before a capital.
SENTENCE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')\]]))\s+(?=[\"'(\[]?[A-Z0-9])")
EDITS = ("drop_paragraphs", "drop_sentences", "headline", "outlet_line", "word_swaps")


def _grams(text: str) -> set[int]:
    words = WORD_RE.findall(text.lower())
    return {hash(tuple(words[k:k + RUN])) for k in range(len(words) - RUN + 1)}


def pick_base(table, base_articles: int, source: Path, rng: np.random.Generator) -> int:
    """The row of the source corpus to make versions of (see the module docstring)."""
    import pyarrow.parquet as pq

    from wiretrace.evaluate.corpora import bbc_articles

    ids = table.column("id").to_pylist()
    texts = table.column("text").to_pylist()
    row = {a: k for k, a in enumerate(ids)}
    stories = pq.read_table(source.with_name("stories.parquet"),
                            columns=["id", "story", "role", "template"]).to_pylist()
    story_of = {s["id"]: s["story"] for s in stories}
    first_row: dict[str, int] = {}  # the first row of every story's members and splices
    for s in stories:
        if s["story"]:
            first_row[s["story"]] = min(first_row.get(s["story"], 1 << 60), row[s["id"]])
    truth = pq.read_table(source.with_name("truth.parquet"), columns=["target", "source"])
    for target, src in zip(truth.column("target").to_pylist(),
                           truth.column("source").to_pylist(), strict=True):
        if story_of[src]:
            first_row[story_of[src]] = min(first_row[story_of[src]], row[target])
    bbc_titles = set()
    for article in bbc_articles():
        text = article.text
        try:  # as corpus_gen.material reads them (UTF-8 read as Latin-1)
            text = text.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
        bbc_titles.add(" ".join(text.replace("\r", "").partition("\n")[0].split()))
    candidates = []
    for s in stories:
        k = row[s["id"]]
        if s["role"] != "original" or s["template"] or first_row[s["id"]] < base_articles:
            continue
        text = texts[k]
        paragraphs = text.split("\n\n")
        if (400 <= len(text.split()) <= 700 and len(paragraphs) - 1 >= 8
                and paragraphs[0] in bbc_titles):
            candidates.append(k)
    candidates.sort()
    if not candidates:
        raise SystemExit("no base article: no real original of 400-700 words outside "
                         f"the first {base_articles:,} rows")
    owner: dict[int, list[int]] = {}  # a run's hash: the candidates that have it
    for k, c in enumerate(candidates):
        for g in _grams(texts[c]):
            owner.setdefault(g, []).append(k)
    shares = set()
    for text in texts[:base_articles]:
        for g in _grams(text):
            shares.update(owner.get(g, ()))
    for k in rng.permutation(len(candidates)).tolist():
        if k not in shares:
            return candidates[k]
    raise SystemExit("no base article shares no run of 8 words with the kept rows")


def _name(rng: np.random.Generator) -> str:
    return f"{FIRST[rng.integers(len(FIRST))]} {LAST[rng.integers(len(LAST))]}"


def _match_case(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def swap_words(paragraphs: list[str], rng: np.random.Generator, count: int,
               first: int = 0) -> bool:
    """Swap ``count`` words of ``paragraphs[first:]`` for a synonym; False if none has one."""
    spots = [(p, m.start(), m.end()) for p in range(first, len(paragraphs))
             for m in WORD_RE.finditer(paragraphs[p]) if m.group().lower() in SYNONYMS]
    if not spots:
        return False
    chosen = sorted((spots[k] for k in rng.choice(len(spots), min(count, len(spots)),
                                                  replace=False)),
                    key=lambda s: (s[0], -s[1]))  # right to left within a paragraph
    for p, start, end in chosen:
        word = paragraphs[p][start:end]
        paragraphs[p] = (paragraphs[p][:start] + _match_case(SYNONYMS[word.lower()], word)
                         + paragraphs[p][end:])
    return True


def new_headline(title: str, outlet: str, rng: np.random.Generator) -> str:
    kind = rng.integers(5)
    if kind == 0:
        return SLUGS[rng.integers(len(SLUGS))] + title
    if kind == 1:
        return f"{title} {'-|'[rng.integers(2)]} {outlet}"
    if kind == 2:
        return title.upper()
    words = [title]
    if kind == 3 and swap_words(words, rng, 1):
        return words[0]
    return f"{title}, {('report says', 'officials say', 'sources say')[rng.integers(3)]}"


def outlet_line(paragraphs: list[str], outlet: str, rng: np.random.Generator) -> None:
    kind = rng.integers(4)
    if kind == 0:
        paragraphs.append(f"Reporting by {_name(rng)}; Editing by {_name(rng)}")
    elif kind == 1:
        paragraphs.append(f"(Reporting by {_name(rng)}; additional reporting by "
                          f"{_name(rng)}; editing by {_name(rng)})")
    elif kind == 2:
        paragraphs.insert(1, f"By {_name(rng)}, {outlet}")
    else:
        paragraphs.append(f"This story was first published by {WIRES[rng.integers(len(WIRES))]}"
                          " and is republished here with permission.")


def make_version(base: list[str], outlet: str, rng: np.random.Generator
                 ) -> tuple[list[str], list[str]]:
    """One edited version of ``base`` (title, then paragraphs) and the edits made."""
    paragraphs = list(base)
    edits = [e for e, p in zip(EDITS, (0.3, 0.25, 0.4, 0.5, 0.4), strict=True)
             if rng.random() < p]
    if "drop_paragraphs" in edits and "drop_sentences" in edits:
        edits.remove(("drop_paragraphs", "drop_sentences")[rng.integers(2)])
    if not edits:
        edits = [EDITS[rng.integers(len(EDITS))]]
    if "drop_paragraphs" in edits:  # never the lead (paragraph 1)
        drop = rng.choice(np.arange(2, len(paragraphs)), int(rng.integers(1, 3)), replace=False)
        paragraphs = [p for k, p in enumerate(paragraphs) if k not in set(drop.tolist())]
    if "drop_sentences" in edits:
        for _ in range(int(rng.integers(1, 3))):
            splits = [(k, SENTENCE.split(p)) for k, p in enumerate(paragraphs) if k]
            splits = [(k, s) for k, s in splits if len(s) >= 2]
            if not splits:
                break
            k, sentences = splits[rng.integers(len(splits))]
            del sentences[rng.integers(len(sentences))]
            paragraphs[k] = " ".join(sentences)
    if "word_swaps" in edits and not swap_words(paragraphs, rng, int(rng.integers(1, 4)), 1):
        edits.remove("word_swaps")
        if not edits:
            edits = ["outlet_line"]
    if "headline" in edits:
        paragraphs[0] = new_headline(paragraphs[0], outlet, rng)
    if "outlet_line" in edits:
        outlet_line(paragraphs, outlet, rng)
    return paragraphs, edits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path,
                        default=ROOT / ".cache" / "corpus-100000" / "articles.parquet",
                        help="a make_corpus.py corpus (with its stories and truth files)")
    parser.add_argument("--out", type=Path, default=ROOT / ".cache" / "corpus-skew")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--base-articles", type=int, default=45_000,
                        help="the first rows of --source kept (default %(default)s)")
    parser.add_argument("--versions", type=int, default=5_000,
                        help="versions of the one story (default %(default)s)")
    parser.add_argument("--verbatim-share", type=float, default=0.1,
                        help="share of the versions copied verbatim (default %(default)s)")
    parser.add_argument("--boilerplate-share", type=float, default=0.2,
                        help="share of all articles ending with the boilerplate "
                        "(default %(default)s)")
    args = parser.parse_args(argv)
    import pyarrow as pa
    import pyarrow.parquet as pq

    started = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    source = pq.read_table(args.source)
    if source.num_rows < args.base_articles + args.versions:
        parser.error(f"{args.source} has {source.num_rows:,} rows, too few")
    base_row = pick_base(source, args.base_articles, args.source, rng)
    base = source.slice(base_row, 1).to_pylist()[0]
    base_paragraphs = base["text"].split("\n\n")
    print(f"base: {base['id']} {base['title']!r}, {len(base['text'].split())} words, "
          f"{len(base_paragraphs) - 1} paragraphs", file=sys.stderr)

    kept = source.slice(0, args.base_articles).to_pydict()
    unused = sorted(set(source.column("id").to_pylist()[args.base_articles:]) - {base["id"]})
    version_ids = [unused[k] for k in rng.choice(len(unused), args.versions, replace=False)]
    places = rng.choice(len(PLACES) * len(MASTHEADS), args.versions - 1, replace=False)
    outlets = [base["outlet"]] + [f"{PLACES[k // len(MASTHEADS)]} {MASTHEADS[k % len(MASTHEADS)]}"
                                  .replace("-", " ") for k in places.tolist()]
    first = base["published"]
    # Re-publications come fast, then trail off: most in the first hours, all within 2 days.
    offsets = np.sort(60 + (rng.random(args.versions - 1) ** 2.5 * (48 * 3600 - 60))
                      .astype(np.int64))
    published = [first] + [first + timedelta(seconds=int(s)) for s in offsets]
    verbatim = set([0] + (1 + rng.choice(args.versions - 1,
                                         round(args.versions * args.verbatim_share) - 1,
                                         replace=False)).tolist())
    edits: Counter = Counter()
    for k in range(args.versions):
        if k in verbatim:
            paragraphs = base_paragraphs
            edits["verbatim"] += 1
        else:
            paragraphs, made = make_version(base_paragraphs, outlets[k], rng)
            edits.update(made)
        kept["id"].append(version_ids[k])
        kept["text"].append("\n\n".join(paragraphs))
        kept["title"].append(paragraphs[0])
        kept["outlet"].append(outlets[k])
        kept["published"].append(published[k])
    n = len(kept["id"])
    order = rng.permutation(n)
    columns = {name: [values[k] for k in order] for name, values in kept.items()}
    with_boilerplate = np.sort(rng.choice(n, round(n * args.boilerplate_share), replace=False))
    for k in with_boilerplate.tolist():
        columns["text"][k] += "\n\n" + BOILERPLATE
    table = pa.table({f.name: pa.array(columns[f.name], f.type) for f in source.schema},
                     schema=source.schema)
    args.out.mkdir(parents=True, exist_ok=True)
    partial = args.out / "articles.parquet.partial"
    pq.write_table(table, partial, compression="zstd", row_group_size=4096)
    os.replace(partial, args.out / "articles.parquet")

    version_set = set(version_ids)
    truth = {
        "config": {"source": os.path.relpath(args.source.resolve(), ROOT), "seed": args.seed,
                   "base_articles": args.base_articles, "versions": args.versions,
                   "verbatim_share": args.verbatim_share,
                   "boilerplate_share": args.boilerplate_share},
        "articles": n,
        "base": {"id": base["id"], "title": base["title"], "outlet": base["outlet"],
                 "published": first.isoformat(), "words": len(base["text"].split()),
                 "paragraphs": len(base_paragraphs) - 1,
                 "note": "in the source corpus only; version 0 is a verbatim copy of it"},
        "story": {"versions": version_ids,
                  "verbatim": [version_ids[k] for k in sorted(verbatim)],
                  "edits": dict(sorted(edits.items())),
                  "last_published": published[-1].isoformat()},
        "boilerplate": {"text": BOILERPLATE, "words": len(BOILERPLATE.split()),
                        "ids": [columns["id"][k] for k in with_boilerplate.tolist()],
                        "versions_with_it": sum(columns["id"][k] in version_set
                                                for k in with_boilerplate.tolist())},
    }
    (args.out / "truth.json").write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: truth[k] for k in ("articles", "base")}
                     | {"edits": truth["story"]["edits"],
                        "boilerplate": len(truth["boilerplate"]["ids"]),
                        "versions_with_boilerplate": truth["boilerplate"]["versions_with_it"],
                        "seconds": round(time.perf_counter() - started, 1)},
                     indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
