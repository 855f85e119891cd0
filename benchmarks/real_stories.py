"""Stories on a real wire archive: Reuters-21578 and BBC News, scored by pairs read one by one.

Traces all 21,268 real articles (the 19,043 Reuters items with a body, with
their own ``<DATE>`` values unless ``--no-dates``, and the 2,225 BBC
articles) with the default ``TraceParams()``, then scores the stories
against ``story-links-dev`` (240 pairs, each read and labelled
``same_story``, ``template`` or ``unrelated``; see its README):

- precision and recall of "in the same story" over the labelled pairs, and
  of "joined by a derivation edge";
- how many ``template`` pairs still share a story;
- the size distribution of stories and what the largest hold (titles);
- the 279 groups of identical Reuters bodies and the 98 BBC files that are
  byte copies of others: each group must be inside one story.

    python benchmarks/real_stories.py                  # the table
    python benchmarks/real_stories.py --show 10        # and the 10 largest stories, read
    python benchmarks/real_stories.py --pairs          # every labelled pair the run gets wrong
    python benchmarks/real_stories.py --write-jsonl archive.jsonl   # the archive as a user
        # would feed it: JSONL with Reuters' raw <DATE> strings, for `wiretrace trace`
        # and `wiretrace index add`; writes the file and exits
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections import Counter, defaultdict

from wiretrace.evaluate.corpora import bbc_articles, data_dir, reuters_articles
from wiretrace.model import Article, TraceResult
from wiretrace.pipeline import trace


def archive_articles(with_dates: bool = True) -> list[Article]:
    """Reuters then BBC, ids as ``story-links-dev`` names them (``reuters-N``,
    ``bbc-<topic>-<number>``)."""
    out = []
    for a in reuters_articles():  # read from the SGML archive as it ships
        out.append(a if with_dates else dataclasses.replace(a, published=None))
    for a in bbc_articles():
        topic, number = a.id.split("/")
        out.append(dataclasses.replace(a, id=f"bbc-{topic}-{number}"))
    return out


def write_raw_jsonl(path: str) -> int:
    """The archive as JSONL with each Reuters item's ``<DATE>`` exactly as filed
    (``26-FEB-1987 15:01:01.79``, control junk included), ids as above."""
    import html
    import re

    from wiretrace.evaluate.corpora import unpack

    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for sgm in sorted(unpack("reuters21578.tar.xz").rglob("reut2-*.sgm")):
            for item in re.findall(r"<REUTERS\b.*?</REUTERS>", sgm.read_bytes().decode("latin-1"),
                                   re.S):
                fields = {name: re.search(rf"<{name}>(.*?)</{name}>", item, re.S)
                          for name in ("BODY", "TITLE", "DATE")}
                newid = re.search(r'NEWID="(\d+)"', item)
                if newid is None or fields["BODY"] is None or not fields["BODY"].group(1).strip():
                    continue
                row = {"id": f"reuters-{newid.group(1)}",
                       "text": html.unescape(fields["BODY"].group(1))}
                for name, key in (("TITLE", "title"), ("DATE", "published")):
                    row[key] = html.unescape(fields[name].group(1)) if fields[name] else None
                out.write(json.dumps(row) + "\n")
                count += 1
        for a in (a for a in archive_articles(with_dates=False) if a.id.startswith("bbc-")):
            out.write(json.dumps({"id": a.id, "text": a.text, "title": a.title}) + "\n")
            count += 1
    return count


def labelled_pairs() -> list[dict]:
    path = data_dir() / "story-links-dev" / "story-links-dev.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def identical_groups(articles: list[Article], prefix: str) -> list[list[str]]:
    """Groups of two or more articles of one source with the same text, white space
    aside (Reuters-21578 re-sends differ in line breaks: 279 groups)."""
    by_text: dict[str, list[str]] = defaultdict(list)
    for a in articles:
        if a.id.startswith(prefix):
            by_text[" ".join(a.text.split())].append(a.id)
    return [ids for ids in by_text.values() if len(ids) > 1]


def score_pairs(result: TraceResult, pairs: list[dict]) -> dict:
    story_of = {m: s.id for s in result.stories for m in s.members}
    edges = {frozenset((e.source, e.target)) for s in result.stories for e in s.edges}
    out: dict = {}
    for name, predicted in (
            ("story", lambda p: story_of.get(p["a"]) is not None
             and story_of.get(p["a"]) == story_of.get(p["b"])),
            ("edge", lambda p: frozenset((p["a"], p["b"])) in edges)):
        said = [p for p in pairs if predicted(p)]
        true = sum(p["label"] == "same_story" for p in said)
        positives = sum(p["label"] == "same_story" for p in pairs)
        out[name] = {"said_same": len(said), "right": true,
                     "precision": true / len(said) if said else 1.0,
                     "recall": true / positives if positives else 1.0,
                     "template_kept": sum(p["label"] == "template" for p in said),
                     "wrong": [p for p in pairs if predicted(p) != (p["label"] == "same_story")]}
    return out


def size_table(result: TraceResult) -> list[tuple[str, int, int]]:
    sizes = [len(s.members) for s in result.stories]
    bands = ((2, 2), (3, 5), (6, 10), (11, 30), (31, 100), (101, 10**9))
    return [(f"{lo}-{hi}" if hi < 10**9 else f">{lo - 1}",
             sum(lo <= n <= hi for n in sizes), sum(n for n in sizes if lo <= n <= hi))
            for lo, hi in bands]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-dates", action="store_true", help="leave the Reuters dates out")
    parser.add_argument("--show", type=int, default=3, help="largest stories to print")
    parser.add_argument("--members", type=int, default=15, help="member titles shown per story")
    parser.add_argument("--pairs", action="store_true", help="list labelled pairs got wrong")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--write-jsonl", metavar="PATH",
                        help="write the archive as JSONL with the raw Reuters dates, and exit")
    args = parser.parse_args(argv)
    if args.write_jsonl:
        print(f"{write_raw_jsonl(args.write_jsonl):,} articles written to {args.write_jsonl}")
        return 0

    articles = archive_articles(with_dates=not args.no_dates)
    by_id = {a.id: a for a in articles}
    started = time.perf_counter()
    result = trace(articles, workers=args.workers)
    seconds = time.perf_counter() - started
    pairs = labelled_pairs()
    scores = score_pairs(result, pairs)
    story_of = {m: s.id for s in result.stories for m in s.members}

    print(f"{len(articles):,} articles ({'dates as given' if not args.no_dates else 'no dates'})"
          f", traced in {seconds:.1f} s; {len(result.rejected)} rejected; "
          f"{len(result.stories):,} stories holding "
          f"{sum(len(s.members) for s in result.stories):,} articles")
    print("\n| relation | said same | right | precision | recall | template pairs kept |")
    print("|---|---|---|---|---|---|")
    for name, s in scores.items():
        print(f"| {name} | {s['said_same']} | {s['right']} | {s['precision']:.3f} | "
              f"{s['recall']:.3f} | {s['template_kept']} |")
    print("\n| story size | stories | articles |\n|---|---|---|")
    for band, count, total in size_table(result):
        print(f"| {band} | {count:,} | {total:,} |")
    checks = []
    for name, prefix in (("identical Reuters bodies", "reuters-"), ("identical BBC texts", "bbc-")):
        groups = identical_groups(articles, prefix)
        whole = sum(len({story_of.get(m) for m in g}) == 1 and story_of.get(g[0]) is not None
                    for g in groups)
        checks.append((name, len(groups), whole))
        print(f"\n{name}: {whole} of {len(groups)} groups inside one story")

    for story in result.stories[:args.show]:
        print(f"\n{story.id}: {len(story.members)} members, origin {story.origin} "
              f"({story.origin_reason})")
        for m in story.members[:args.members]:
            a = by_id[m]
            when = a.published.strftime("%d %b %H:%M") if a.published else "-"
            print(f"   {m:<22} {when:<13} {(a.title or a.text[:60]).strip()[:70]}")
    if args.pairs:
        for name in ("story",):
            print(f"\nlabelled pairs the {name}s get wrong:")
            for p in scores[name]["wrong"]:
                said = "same" if p["label"] != "same_story" else "apart"
                kinds = Counter(q.kind for q in result.passages_of(p["a"]) if q.b == p["b"])
                gap = (by_id[p["a"]].published, by_id[p["b"]].published)
                days = abs((gap[0] - gap[1]).total_seconds()) / 86400 if all(gap) else None
                print(f"  [{p['label']}, said {said}] {p['a']} / {p['b']}: "
                      f"{p['a_title']} / {p['b_title']}  passages {dict(kinds)}"
                      f"{'' if days is None else f', {days:.1f} days apart'}")
    if args.json:
        figures = {"seconds": seconds, "rejected": len(result.rejected),
                   "stories": len(result.stories),
                   "largest": [len(s.members) for s in result.stories[:10]],
                   "scores": {k: {x: y for x, y in v.items() if x != "wrong"}
                              for k, v in scores.items()},
                   "identical_groups": checks}
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
