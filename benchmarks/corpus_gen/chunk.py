"""Building one chunk: its originals (real, synthesised or templated), the
derived versions of each story, and the truth rows that record every copied
stretch.
"""

from __future__ import annotations

import numpy as np

from .config import CORRECTED_SHARE, EPOCH_2024, KINDS, OUTLETS, SERIES_KINDS, Config
from .derive import Segment, _copied, _reorder, _reword_doc, _spelling, _trim
from .fill import correct, fill
from .material import material
from .plan import Plan


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
    tmpl = np.array([plan.story_tmpl[u] if u >= 0 else plan.single_tmpl[~u] for u in units])
    synth = np.flatnonzero((real < 0) & (tmpl < 0))
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
    frames = mat.frames
    for k, u in enumerate(units.tolist()):
        when = EPOCH_2024 + int(rng.integers(0, 366 * 86400))
        template = None  # (family id, "template" or "series", frame base id)
        if real[k] >= 0:
            paras, vocab, made = mat.paragraphs(int(real[k])), int(real[k]), "real"
        elif tmpl[k] >= 0:
            base, when = int(plan.tmpl_base[tmpl[k]]), int(plan.tmpl_when[tmpl[k]])
            paras = fill(frames, base, rng, when)
            vocab = int(mat.donors[1][rng.integers(len(mat.donors[1]))])
            made = "series" if plan.tmpl_series[tmpl[k]] else "template"
            template = (f"tpl{int(frames['base_family'][base]):03d}", made,
                        frames["base_id"][base])
        else:
            (paras, vocab), made = synth_paras[k], "synthetic"
        origin = len(docs)
        docs.append(list(paras))
        meta.append({"role": "unrelated" if u < 0 else "original", "kind": None,
                     "source": None, "story": None if u < 0 else origin, "published": when,
                     "outlet": int(rng.integers(len(OUTLETS))), "made": made,
                     "template": template})
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
            if len(members) == 1 and made == "series":
                # a series item is first re-issued by its wire: corrected or sent again
                fix = correct(sp, rng) if rng.random() < CORRECTED_SHARE else None
                kind = "corrected" if fix else "resent"
                segs = _copied(src, sp, range(len(sp)))
                if fix:
                    segs[fix[0]] = (fix[1], src, fix[0], False)
            elif kind == "trimmed":
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
            if kind in SERIES_KINDS:  # the wire's own re-issue
                outlet = meta[src]["outlet"]
            meta.append({"role": "derived", "kind": kind, "source": src, "story": origin,
                         "published": max(meta[d]["published"] for d in sorted(parents))
                         + 60 + int(rng.exponential(6 * 3600)),
                         "outlet": outlet, "made": None, "template": meta[src]["template"]})
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
                            "role": [], "kind": [], "source": [], "story": [], "made": [],
                            "template": [], "template_kind": [], "frame": []}
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
        out["made"].append(m["made"])
        family, template_kind, frame = m["template"] or (None, None, None)
        out["template"].append(family)
        out["template_kind"].append(template_kind)
        out["frame"].append(frame)
    truth.sort(key=lambda r: (position[r[0]], r[2]))
    out["truth"] = [(id_of(t), id_of(s), kind, a, b, c, d, v, id_of(story))
                    for t, s, a, b, c, d, v, kind, story in truth]
    return out
