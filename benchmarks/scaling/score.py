"""Scoring a trace against the planted truth: pair precision and recall, the
share of planted characters covered by passages, story clusterings (ARI), and
template precision (``template_score``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .template_score import template_scores


def _codes(values, ids) -> np.ndarray:
    """Index of each value in ``ids`` (a pyarrow array), -1 where absent."""
    import pyarrow.compute as pc

    return np.asarray(pc.fill_null(pc.index_in(values, value_set=ids), -1)
                      .to_numpy(zero_copy_only=False), dtype=np.int64)


def _read_jsonl(path: Path, schema):
    """Only the columns of ``schema`` from a JSONL result file, as an Arrow table."""
    if path.stat().st_size == 0:
        return schema.empty_table()
    from pyarrow import json as pa_json

    return pa_json.read_json(
        path, read_options=pa_json.ReadOptions(block_size=32 << 20),
        parse_options=pa_json.ParseOptions(explicit_schema=schema,
                                           unexpected_field_behavior="ignore"))


def read_passages(out_dir: Path, parquet: bool):
    """The passages' articles and spans, and their ``kind`` ("reuse" where the run
    wrote none)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = ["a", "a_start", "a_end", "b", "b_start", "b_end", "kind"]
    types = [pa.string(), pa.int64(), pa.int64(), pa.string(), pa.int64(), pa.int64(),
             pa.string()]
    schema = pa.schema(list(zip(columns, types, strict=True)))
    if parquet:
        import pyarrow.parquet as pq

        path = out_dir / "passages.parquet"
        names = pq.read_schema(path).names
        table = pq.read_table(path, columns=[c for c in columns if c in names])
        if "kind" not in names:
            table = table.append_column("kind", pa.nulls(len(table), pa.string()))
    else:
        # passage texts (a_text, b_text) are skipped by the parser, never built
        table = _read_jsonl(out_dir / "passages.jsonl", schema)
    kind = pc.fill_null(table.column("kind"), "reuse")
    return table.set_column(table.schema.get_field_index("kind"), "kind", kind)


def read_stories(out_dir: Path):
    import pyarrow as pa

    path = out_dir / "stories.jsonl"
    schema = pa.schema([("story", pa.string()), ("members", pa.list_(pa.string()))])
    return _read_jsonl(path, schema)


def components(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Connected-component label of each of ``n`` nodes for edges (u, v)."""
    parent = list(range(n))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in zip(u.tolist(), v.tolist(), strict=True):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([root(k) for k in range(n)], dtype=np.int64)


def _pairs(counts: np.ndarray) -> int:
    c = counts.astype(np.int64)
    return int((c * (c - 1) // 2).sum())


def clustering_scores(predicted: np.ndarray, truth: np.ndarray) -> dict:
    """Adjusted Rand index (Hubert & Arabie) from the contingency table, and the
    pairwise precision / recall of "same cluster" (predicted vs truth)."""
    n = len(predicted)
    _, p = np.unique(predicted, return_inverse=True)
    _, t = np.unique(truth, return_inverse=True)
    _, joint = np.unique(p.astype(np.int64) * (int(t.max(initial=0)) + 1) + t,
                         return_counts=True)
    both, pred_pairs, true_pairs = _pairs(joint), _pairs(np.bincount(p)), \
        _pairs(np.bincount(t))
    all_pairs = n * (n - 1) // 2
    expected = pred_pairs * true_pairs / all_pairs if all_pairs else 0.0
    best = (pred_pairs + true_pairs) / 2
    ari = 1.0 if best == expected else (both - expected) / (best - expected)
    return {"ari": ari,
            "precision": both / pred_pairs if pred_pairs else 1.0,
            "recall": both / true_pairs if true_pairs else 1.0,
            "predicted_pairs": pred_pairs, "true_pairs": true_pairs, "both": both}


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def planted_sharing(corpus: Path, ids, target: np.ndarray, source: np.ndarray,
                    t_start: np.ndarray, t_end: np.ndarray, s_start: np.ndarray) -> dict:
    """Which articles hold the same planted text, and how much of it.

    Truth rows copy whole paragraphs, one for one (an edited stretch keeps its
    paragraphs), so every paragraph of a target maps to a paragraph of its source;
    following the maps back gives each paragraph its root (the paragraph as first
    written).  Two articles share planted text when they hold paragraphs with a
    common root, whether the truth relates them directly or not (two copies of one
    original, a copy of a copy).  Words are whitespace-separated here (wiretrace's
    tokens differ a little: "Jan-Dec" is two).  Returns ``keys`` (``lo * n + hi``) and
    ``shared_words`` of every sharing pair, ``article_words`` and ``row_words`` (the
    words of each truth row's target span)."""
    import pyarrow.parquet as pq

    n = len(ids)
    owners, lengths, counts = [], [], []
    for batch in pq.ParquetFile(corpus / "articles.parquet").iter_batches(
            columns=["id", "text"], batch_size=8192):
        codes = _codes(batch.column("id"), ids)
        texts = batch.column("text").to_pylist()
        paragraphs = [p for text in texts for p in text.split("\n\n")]
        owners.append(np.repeat(codes, [text.count("\n\n") + 1 for text in texts]))
        lengths.append(np.fromiter((len(p) + 2 for p in paragraphs), dtype=np.int64,
                                   count=len(paragraphs)))
        counts.append(np.fromiter((len(p.split()) for p in paragraphs), dtype=np.int64,
                                  count=len(paragraphs)))
    owner = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
    length = np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64)
    par_words = np.concatenate(counts) if counts else np.zeros(0, dtype=np.int64)
    # paragraph starts: cumulative lengths, restarted at each article
    first_of_run = np.concatenate([[True], owner[1:] != owner[:-1]])
    ends = np.cumsum(length)
    run_base = np.maximum.accumulate(np.where(first_of_run, ends - length, 0))
    par_start = ends - length - run_base
    keep = owner >= 0
    order = np.argsort(owner[keep], kind="stable")  # by article, paragraphs in order
    owner, par_start, par_words = owner[keep][order], par_start[keep][order], \
        par_words[keep][order]
    big = np.int64(1 << 32)  # longer than any text
    position = owner * big + par_start
    k0 = np.searchsorted(position, target * big + t_start)
    k1 = np.searchsorted(position, target * big + t_end)
    j0 = np.searchsorted(position, source * big + s_start)
    source_end = np.searchsorted(position, (source + 1) * big)
    count = np.maximum(0, np.minimum(k1 - k0, source_end - j0))
    step = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    parent = np.arange(len(owner))
    parent[np.repeat(k0, count) + step] = np.repeat(j0, count) + step
    while True:  # follow the maps to the roots (stories are shallow: a few rounds)
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    cumulative = np.concatenate([[0], np.cumsum(par_words)])
    row_words = cumulative[k1] - cumulative[k0]
    article_words = np.bincount(owner, weights=par_words, minlength=n)
    # every pair of articles holding paragraphs of one root
    copied = np.flatnonzero(parent != np.arange(len(parent)))
    held = np.concatenate([copied, np.unique(parent[copied])])
    combo = np.unique(parent[held] * n + owner[held])  # (root, article), sorted
    root, article = combo // n, combo % n
    group_end = np.searchsorted(root, root, "right")
    after = group_end - np.arange(len(root)) - 1
    left = np.repeat(np.arange(len(root)), after)
    right = left + 1 + np.arange(int(after.sum())) - np.repeat(np.cumsum(after) - after, after)
    keys, inverse = np.unique(article[left] * n + article[right], return_inverse=True)
    shared = np.bincount(inverse, weights=par_words[root[left]], minlength=len(keys))
    return {"keys": keys, "shared_words": shared, "article_words": article_words,
            "row_words": row_words}


def covered_by_passages(t_key: np.ndarray, target: np.ndarray, t_start: np.ndarray,
                        t_end: np.ndarray, p_key: np.ndarray, pa_: np.ndarray,
                        a_start: np.ndarray, a_end: np.ndarray, b_start: np.ndarray,
                        b_end: np.ndarray) -> np.ndarray:
    """Characters of each truth row's target span covered by the passages of its pair
    (the union of their target-side spans), all rows at once."""
    order = np.argsort(p_key, kind="stable")
    left = np.searchsorted(p_key[order], t_key, "left")
    count = np.searchsorted(p_key[order], t_key, "right") - left
    step = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    row = np.repeat(np.arange(len(t_key)), count)
    k = order[np.repeat(left, count) + step]
    on_a = pa_[k] == target[row]
    lo, hi = t_start[row], t_end[row]
    start = np.clip(np.where(on_a, a_start[k], b_start[k]), lo, hi)
    end = np.maximum(np.clip(np.where(on_a, a_end[k], b_end[k]), lo, hi), start)
    by = np.lexsort((start, row))
    big = np.int64(1 << 32)  # longer than any text: rows never mix
    start, end = row[by] * big + start[by], row[by] * big + end[by]
    reach = np.concatenate([[-1], np.maximum.accumulate(end)[:-1]])
    gain = np.maximum(0, end - np.maximum(start, reach))
    return np.bincount(row[by], weights=gain, minlength=len(t_key)).astype(np.int64)


def score(corpus: Path, out_dir: Path, parquet: bool, min_words: int,
          story_share: float) -> dict:
    """Pairs, characters and stories against the planted truth (reuse-kind passages
    only: a passage labelled ``template`` or ``boilerplate`` claims no reuse), and
    the template siblings a run puts in one story."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    path = corpus / "stories.parquet"
    have = pq.read_schema(path).names
    truth_stories = pq.read_table(path, columns=[c for c in ("id", "story", "template",
                                                             "template_kind") if c in have])
    for name in ("template", "template_kind"):  # corpora made before templates
        if name not in have:
            truth_stories = truth_stories.append_column(
                name, pa.nulls(len(truth_stories), pa.string()))
    ids = truth_stories.column("id").combine_chunks()
    n = len(ids)
    truth = pq.read_table(corpus / "truth.parquet", columns=[
        "target", "source", "kind", "target_start", "target_end", "source_start", "verbatim"])
    target, source = _codes(truth.column("target"), ids), _codes(truth.column("source"), ids)
    t_start = truth.column("target_start").to_numpy()
    t_end = truth.column("target_end").to_numpy()
    verbatim = truth.column("verbatim").to_numpy(zero_copy_only=False)
    kinds = np.array(truth.column("kind").to_pylist(), dtype=object)
    planted = planted_sharing(corpus, ids, target, source, t_start, t_end,
                              truth.column("source_start").to_numpy())

    every = read_passages(out_dir, parquet)
    every_kind = np.array(every.column("kind").to_pylist(), dtype=object)
    ea, eb = _codes(every.column("a"), ids), _codes(every.column("b"), ids)
    unknown = int((ea < 0).sum() + (eb < 0).sum())
    both_known = (ea >= 0) & (eb >= 0)
    passages = every.filter(pa.array(every_kind == "reuse"))
    pa_, pb = ea[every_kind == "reuse"], eb[every_kind == "reuse"]
    known = (pa_ >= 0) & (pb >= 0)
    p_key = np.where(known, np.minimum(pa_, pb) * n + np.maximum(pa_, pb), -1)

    # (1) pairs sharing reused text
    t_key = np.minimum(target, source) * n + np.maximum(target, source)
    predicted, rows = np.unique(p_key[known]), np.unique(t_key)
    rows_found = int(np.intersect1d(predicted, rows, assume_unique=True).size)
    sharing = planted["keys"][planted["shared_words"] >= min_words]
    sharing_found = int(np.intersect1d(predicted, sharing, assume_unique=True).size)
    component = components(n, target, source)
    within = int((component[predicted // n] == component[predicted % n]).sum())

    # (2) characters of each truth stretch covered by passages of its pair
    covered = covered_by_passages(
        t_key, target, t_start, t_end, p_key, pa_,
        *(passages.column(c).to_numpy() for c in ("a_start", "a_end", "b_start", "b_end")))
    length = t_end - t_start
    share = covered / np.maximum(1, length)
    long_enough = planted["row_words"] >= min_words

    def recall(mask: np.ndarray) -> dict:
        rows, long_rows = int(mask.sum()), int((mask & long_enough).sum())
        return {"rows": rows, "mean": float(share[mask].mean()) if rows else None,
                "chars": float(covered[mask].sum() / length[mask].sum()) if rows else None,
                "found": float((share[mask] > 0).mean()) if rows else None,
                "short_rows": rows - long_rows,
                "mean_long": float(share[mask & long_enough].mean()) if long_rows else None}

    char_recall = {"verbatim": recall(verbatim), "edited": recall(~verbatim),
                   "by_kind": {k: recall(kinds == k) for k in sorted(set(kinds.tolist()))}}

    # (3) stories
    stories = read_stories(out_dir)
    predicted_story = np.full(n, -1, dtype=np.int64)
    if len(stories):
        members = stories.column("members").combine_chunks()
        member_codes = _codes(members.flatten(), ids)
        story_of = np.repeat(np.arange(len(stories)), np.diff(members.offsets.to_numpy()))
        predicted_story[member_codes[member_codes >= 0]] = story_of[member_codes >= 0]
    alone = predicted_story < 0
    predicted_story[alone] = len(stories) + np.arange(int(alone.sum()))
    planted_story = _codes(truth_stories.column("story"), ids)
    alone = planted_story < 0
    planted_story[alone] = n + np.arange(int(alone.sum()))
    # wiretrace's own rule on the planted text: linked when the shared words are at
    # least story_min_share of the shorter article's words
    keys, words = planted["keys"], planted["article_words"]
    lo, hi = keys // n, keys % n
    strong = (planted["shared_words"] >= story_share * np.minimum(words[lo], words[hi])) \
        & (planted["shared_words"] >= min_words)
    linked = components(n, lo[strong], hi[strong])

    # (4) template siblings
    family_names = truth_stories.column("template")
    family = _codes(family_names, pc.unique(family_names).drop_null())
    series = np.array([k == "series" for k in truth_stories.column("template_kind")
                       .to_pylist()], dtype=bool)
    e_lo, e_hi = np.minimum(ea, eb)[both_known], np.maximum(ea, eb)[both_known]
    templates = template_scores(family, series, component, predicted_story, e_lo, e_hi,
                                every_kind[both_known])
    return {
        "passages": len(passages), "passages_unknown_ids": unknown,
        "passages_by_kind": {k: int((every_kind == k).sum())
                             for k in sorted(set(every_kind.tolist()))},
        "templates": templates,
        "pairs": {
            "predicted": int(len(predicted)), "truth_rows": int(len(rows)),
            "truth_rows_found": rows_found, "sharing": int(len(sharing)),
            "sharing_found": sharing_found,
            # the table's pair precision and recall
            "precision": _ratio(sharing_found, len(predicted)),
            "recall": _ratio(rows_found, len(rows)),
            # the other ways to count
            "precision_truth_rows": _ratio(rows_found, len(predicted)),
            "recall_sharing": _ratio(sharing_found, len(sharing)),
            "within_truth_component": within,
            "precision_component": _ratio(within, len(predicted))},
        "char_recall": char_recall,
        "stories": {"predicted": len(stories),
                    "planted": clustering_scores(predicted_story, planted_story),
                    "components": clustering_scores(predicted_story, component),
                    "linked": clustering_scores(predicted_story, linked)},
    }
