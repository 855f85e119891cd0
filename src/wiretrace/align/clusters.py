"""From sentence seeds to reused fragments: clustering, validation, overlap.

Seeds (pairs of similar sentences) that lie close together on both sides form
one fragment: seeds sorted by their sentence in a are cut where more than
``max_gap`` sentences pass without a seed, then each piece is sorted by its
sentence in b and cut the same way, until nothing changes.  Order inside a
fragment is free, so sentences a rewriter shuffled stay together.  A fragment
whose two sides, taken as wholes, are not similar enough (summed tf-idf
cosine) is clustered again with a smaller gap, so two neighbouring reused
passages with unrelated text between them do not fuse into one.
"""

from __future__ import annotations

import re

from wiretrace.align.sentences import PairVectors, Sentences, fragment_similarity

Seed = tuple[int, int]

# A paragraph set off by blank lines.
_PARAGRAPH_RE = re.compile(r"\n[ \t\xa0]*\n\s*([^\n]+?)\s*\n[ \t\xa0]*\n")


def _cut(seeds: list[Seed], axis: int, max_gap: int) -> list[list[Seed]]:
    ordered = sorted(seeds, key=lambda seed: (seed[axis], seed[1 - axis]))
    pieces = [[ordered[0]]]
    for seed in ordered[1:]:
        if seed[axis] - pieces[-1][-1][axis] > max_gap + 1:
            pieces.append([])
        pieces[-1].append(seed)
    return pieces


def cluster_seeds(seeds: list[Seed], max_gap: int, max_gap_b: int | None = None
                  ) -> list[list[Seed]]:
    """Group seeds lying within ``max_gap`` sentences of each other on both sides.

    ``max_gap_b`` sets a different gap for side b (a summary condenses many
    source sentences spread over b into a few of a).
    """
    if not seeds:
        return []
    gap_b = max_gap if max_gap_b is None else max_gap_b
    clusters = [list(seeds)]
    while True:
        refined = [piece_b for cluster in clusters for piece_a in _cut(cluster, 0, max_gap)
                   for piece_b in _cut(piece_a, 1, gap_b)]
        if len(refined) == len(clusters):
            return refined
        clusters = refined


def _extent(cluster: list[Seed]) -> tuple[range, range]:
    rows_a = [i for i, _ in cluster]
    rows_b = [j for _, j in cluster]
    return range(min(rows_a), max(rows_a) + 1), range(min(rows_b), max(rows_b) + 1)


def validated_fragments(seeds: list[Seed], vectors: PairVectors, max_gap: int,
                        min_similarity: float) -> list[tuple[range, range, float]]:
    """Clusters whose two sides are similar as wholes: ``(rows_a, rows_b, similarity)``."""
    fragments = []
    for cluster in cluster_seeds(seeds, max_gap):
        rows_a, rows_b = _extent(cluster)
        similarity = fragment_similarity(vectors, rows_a, rows_b)
        if similarity >= min_similarity:
            fragments.append((rows_a, rows_b, similarity))
        elif max_gap > 0 and len(cluster) > 1:
            fragments += validated_fragments(cluster, vectors, max_gap - 1, min_similarity)
    return fragments


def unmatched_block(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` holds a whole paragraph set off by blank lines.

    A heading line alone does not cut: rewriters drop and add headings inside
    reused text all the time (the diff still reports them as dropped/added).
    """
    window = (max(0, start - 1), min(len(text), end + 1))
    return any(any(ch.isalnum() for ch in m.group(1))
               for m in _PARAGRAPH_RE.finditer(text, *window))


def split_at_paragraphs(cluster: list[Seed], text_a: str, sentences_a: Sentences, text_b: str,
                        sentences_b: Sentences) -> list[list[Seed]]:
    """Cut a cluster where a whole paragraph lies between two seeds.

    A paragraph spliced in from elsewhere between two reused paragraphs is
    not part of a reused passage: cut there, the diff reports it as added.
    """
    ordered = sorted(cluster)
    pieces = [[ordered[0]]]
    for (i0, j0), (i1, j1) in zip(ordered, ordered[1:], strict=False):
        block_a = i1 > i0 + 1 and unmatched_block(text_a, int(sentences_a.ends[i0]),
                                                   int(sentences_a.starts[i1]))
        block_b = j1 > j0 + 1 and unmatched_block(text_b, int(sentences_b.ends[j0]),
                                                   int(sentences_b.starts[j1]))
        if block_a or block_b:
            pieces.append([])
        pieces[-1].append((i1, j1))
    return pieces
