"""Shared helpers of the index tests (no tests here): a real sample with planted reuse."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from wiretrace.evaluate.corpora import bbc_articles
from wiretrace.fingerprint.minhash import shingles
from wiretrace.model import Article, Passage, Story
from wiretrace.text.tokens import tokenize

FOOTER = ("\n\nFollow our business desk on social media for the latest news, "
          "analysis and market reports every day.")


def bbc_sample(n: int = 240) -> list[Article]:
    """Real BBC business articles plus planted versions: copies, splices, trims, and a
    footer on every third article (boilerplate at a small ``max_df``)."""
    try:
        real = [a for a in bbc_articles() if a.id.startswith("business/")][:n]
    except FileNotFoundError as error:
        pytest.skip(str(error))
    out: list[Article] = []
    for k, article in enumerate(real):
        text = article.text + (FOOTER if k % 3 == 0 else "")
        out.append(replace(article, text=text, read_from=None))
        if k % 9 == 4 and k + 1 < len(real):  # a splice: half of this, a paragraph of the next
            paragraphs = article.text.split("\n\n")
            other = real[k + 1].text.split("\n\n")
            spliced = "\n\n".join(paragraphs[: max(2, len(paragraphs) // 2)] + other[1:3])
            out.append(Article(f"splice/{k}", spliced))
        if k % 11 == 7:  # a trimmed copy with a new headline
            out.append(Article(f"copy/{k}", "New headline here\n\n" +
                               "\n\n".join(article.text.split("\n\n")[1:-1])))
    return out


def passage_key(p: Passage) -> tuple:
    """A passage regardless of orientation."""
    sides = sorted([(p.a, p.a_start, p.a_end), (p.b, p.b_start, p.b_end)])
    return (*sides[0], *sides[1], round(p.score, 9), p.matched_words)


def story_key(s: Story) -> tuple:
    return (tuple(s.members), s.origin, s.origin_reason,
            tuple((e.source, e.target, e.target_share, e.source_share, e.shared_chars)
                  for e in s.edges))


def index_passages(index, ids: list[str]) -> set[tuple]:
    return {passage_key(p) for i in ids for p in index.passages(i)}


def consistency_problems(db: Path, index) -> list[str]:
    """Ways the file breaks 'every article fully indexed or absent' (empty: none)."""
    problems = []
    with sqlite3.connect(db) as conn:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("integrity_check failed")
        checks = {
            "article without its current version": "SELECT COUNT(*) FROM articles a LEFT JOIN "
            "docs d ON d.doc = a.doc AND d.live = 1 WHERE d.doc IS NULL",
            "live version without article": "SELECT COUNT(*) FROM docs d LEFT JOIN articles a "
            "ON a.doc = d.doc WHERE d.live = 1 AND a.id IS NULL",
            "pair with a missing side": "SELECT COUNT(*) FROM pairs p WHERE NOT EXISTS (SELECT 1 "
            "FROM docs WHERE doc = p.a AND live = 1) OR NOT EXISTS (SELECT 1 FROM docs "
            "WHERE doc = p.b AND live = 1)",
            "story member missing": "SELECT COUNT(*) FROM story_members m LEFT JOIN stories s "
            "ON s.id = m.story WHERE s.id IS NULL",
            "version count off": "SELECT COUNT(*) FROM articles a WHERE versions != (SELECT "
            "COUNT(*) FROM docs WHERE article_id = a.id)",
        }
        for what, sql in checks.items():
            if conn.execute(sql).fetchone()[0]:
                problems.append(what)
        texts = [r[0] for r in conn.execute("SELECT text FROM docs WHERE live = 1")]
    expected = sum(len(shingles(tokenize(t), index.params.seed_ngram)) for t in texts)
    if index.stats()["shingle_postings"] != expected:
        problems.append(f"postings {index.stats()['shingle_postings']} != {expected}")
    return problems
