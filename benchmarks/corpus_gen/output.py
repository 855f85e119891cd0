"""Writing a corpus: streaming chunks (built by forked workers) to the articles,
stories and truth files (parquet or jsonl), and ``meta.json``.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from dataclasses import asdict
from pathlib import Path

from . import chunk as _chunk
from .chunk import build_chunk
from .config import Config
from .material import material
from .plan import make_plan

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
             ("source", string), ("template", string), ("template_kind", string),
             ("frame", string)]), fmt),
    }
    counts: dict[str, int] = {}
    families: set[str] = set()
    _chunk._JOB = (cfg, plan)  # read by build_chunk, here and in the forked workers
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
            for role, kind, made, family in zip(chunk["role"], chunk["kind"], chunk["made"],
                                                chunk["template"], strict=True):
                key = f"derived:{kind}" if role == "derived" else f"{role}:{made}"
                counts[key] = counts.get(key, 0) + 1
                if family is not None:
                    families.add(family)
                    counts["template_family_members"] = \
                        counts.get("template_family_members", 0) + 1
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
            "template_families": {
                "used": len(families),
                "available": len(mat.frames["families"]),
                "series_available": sum(f["series"] for f in mat.frames["families"]),
                "bases_available": len(mat.frames["bases"])},
            "counts": dict(sorted(counts.items())),
            "material_seconds": round(mat.seconds, 1),
            "seconds": round(time.perf_counter() - started, 1)}
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta
