"""Printing the scale benchmark's results as tables.
"""

from __future__ import annotations

import math

from .common import SAMPLE_SECONDS, human_bytes


def _f(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_tables(rows: list[dict], workers: str) -> None:
    header = ["articles", "status", "seconds", "art/s", "max RSS", "sum RSS", "sum PSS",
              "pair prec", "pair rec", "char rec v/e", "ARI plant/comp", "tmpl prec", "x size",
              "x time", "slope"]
    table = []
    previous = None
    for r in rows:
        ok = r["status"] == "ok"
        s = r.get("scores", {})
        cells = [f"{r['articles']:,}", r["status"].replace(" ", "-"),
                 _f(r.get("seconds"), 1),
                 f"{r['articles'] / r['seconds']:.0f}" if ok else "-",
                 human_bytes(r.get("max_rss")), human_bytes(r.get("tree_rss")),
                 human_bytes(r.get("tree_pss"))]
        if ok:
            cr = s["char_recall"]
            cells += [_f(s["pairs"]["precision"]), _f(s["pairs"]["recall"]),
                      f"{_f(cr['verbatim']['mean'])}/{_f(cr['edited']['mean'])}",
                      f"{_f(s['stories']['planted']['ari'])}/"
                      f"{_f(s['stories']['components']['ari'])}",
                      _f(s["templates"]["precision"]) if s.get("templates") else "-"]
        else:
            cells += ["-"] * 5
        if ok and previous is not None:
            size_x = r["articles"] / previous["articles"]
            time_x = r["seconds"] / previous["seconds"]
            slope = math.log(time_x) / math.log(size_x) if size_x != 1 else float("nan")
            cells += [f"{size_x:.1f}", f"{time_x:.2f}", f"{slope:.2f}"]
        else:
            cells += ["-"] * 3
        if ok:
            previous = r
        table.append(cells)
    widths = [max(len(header[k]), *(len(c[k]) for c in table)) for k in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if k else c.ljust(w)
                         for k, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    print(line(header))
    print(line(["-" * w for w in widths]))
    for cells in table:
        print(line(cells))
    print()
    versions = sorted({str(r.get("code")) for r in rows})
    print(f"code: {', '.join(versions)}; workers: {workers}")
    print(f"max RSS = ru_maxrss (the largest single process); sum RSS / "
          f"PSS = peak total of the process tree sampled every {SAMPLE_SECONDS} s (RSS counts "
          f"copy-on-write pages shared with forked workers once per process; PSS splits them)")
    print("x size / x time: growth over the previous size; slope = log(x time) / log(x size)")
    print("tmpl prec: share of the pairs of template siblings (one frame, other names and "
          "figures; not planted copies of each other) that the run keeps in different stories")

    ok_rows = [r for r in rows if r["status"] == "ok"]
    if ok_rows:
        print()
        print("stories: adjusted Rand index and same-story pairwise precision / recall vs "
              "the planted stories, the components of the truth's reuse graph, and the "
              "components of the pairs sharing planted text >= story_min_share of the "
              "shorter article (wiretrace's linking rule)")
        head = ["articles", "stories", "planted", "ARI", "prec", "rec", "components", "ARI",
                "prec", "rec", "linked", "ARI", "prec", "rec"]
        body = []
        for r in ok_rows:
            st = r["scores"]["stories"]
            cells = [f"{r['articles']:,}", f"{st['predicted']:,}"]
            for name in ("planted", "components", "linked"):
                got = st[name]
                cells += ["", _f(got["ari"]), _f(got["precision"]), _f(got["recall"])]
            body.append(cells)
        _print_simple(head, body)
        print()
        print("templates: pairs of items of one template family (the same frame, other "
              "names and figures: earnings tables, bond notices, one weekly statistic), "
              "leaving out an item's planted copies and corrections; joined = pairs put in "
              "one story; tmpl prec = 1 - joined / pairs; passages between siblings by "
              "their kind (reuse links stories, template does not)")
        head = ["articles", "families", "items", "pairs", "joined", "tmpl prec", "one-off",
                "series", "reuse", "template"]
        body = []
        for r in ok_rows:
            t = r["scores"].get("templates")
            if not t:
                continue
            body.append([f"{r['articles']:,}", f"{t['families']:,}", f"{t['items']:,}",
                         f"{t['sibling_pairs']:,}", f"{t['joined']:,}", _f(t["precision"]),
                         _f(t["template"]["precision"]), _f(t["series"]["precision"]),
                         f"{t['passage_pairs'].get('reuse', 0):,}",
                         f"{t['passage_pairs'].get('template', 0):,}"])
        if body:
            _print_simple(head, body)
        print()
        print("pairs: predicted = pairs with a reuse passage; rows = pairs of a truth row "
              "(target, "
              "source); sharing = pairs holding common planted text (>= the minimum passage, "
              "directly related or not); comp = pairs inside one truth component")
        head = ["articles", "cand pairs", "passages", "predicted", "rows", "found", "prec rows",
                "rec rows", "sharing", "found", "prec shar", "rec shar", "prec comp"]
        body = []
        for r in ok_rows:
            s, stats = r["scores"]["pairs"], r["trace_stats"]
            body.append([f"{r['articles']:,}", f"{stats.get('candidate_pairs', 0):,}",
                         f"{r['scores']['passages']:,}", f"{s['predicted']:,}",
                         f"{s['truth_rows']:,}", f"{s['truth_rows_found']:,}",
                         _f(s["precision_truth_rows"]), _f(s["recall"]),
                         f"{s['sharing']:,}", f"{s['sharing_found']:,}", _f(s["precision"]),
                         _f(s["recall_sharing"]), _f(s["precision_component"])])
        _print_simple(head, body)
        print()
        print("char recall: mean share of each truth stretch's target span covered by "
              "passages of its pair (chars: weighted by length; found: any passage; "
              "short: stretches under the minimum passage; long: mean over the others)")
        kinds = sorted({k for r in ok_rows for k in r["scores"]["char_recall"]["by_kind"]})
        body = []
        for r in ok_rows:
            cr = r["scores"]["char_recall"]
            for name, got in [("verbatim", cr["verbatim"]), ("edited", cr["edited"]),
                              *((k, cr["by_kind"][k]) for k in kinds if k in cr["by_kind"])]:
                body.append([f"{r['articles']:,}", name, f"{got['rows']:,}", _f(got["mean"]),
                             _f(got["chars"]), _f(got["found"]), f"{got['short_rows']:,}",
                             _f(got["mean_long"])])
        _print_simple(["articles", "stretches", "rows", "mean", "chars", "found", "short",
                       "long"], body)
        print()
        print("where the time goes: trace = wiretrace.trace() (summary.json stats); read = "
              "the CLI's time before it; rest = imports, writing the result files and "
              "report.html, exit (--stages splits them); cpu = user + system of all processes")
        head = ["articles", "wall", "read", "trace", "rest", "cpu", "out MB", "procs"]
        body = []
        for r in ok_rows:
            trace_s = r["trace_stats"].get("seconds")
            cli = r.get("cli_wall_seconds")
            body.append([f"{r['articles']:,}", _f(r["seconds"], 1),
                         _f(cli - trace_s if cli is not None and trace_s is not None else None,
                            1),
                         _f(trace_s, 1),
                         _f(r["seconds"] - cli if cli is not None else None, 1),
                         _f(r.get("cpu_seconds"), 1),
                         f"{sum(r['output_bytes'].values()) / 1e6:.0f}",
                         str(r.get("max_processes", "-"))])
        _print_simple(head, body)
        for r in ok_rows:
            if r.get("stages"):
                print()
                print(f"stages at {r['articles']:,} articles (from the progress lines; "
                      f"quiet = before the stage's first line)")
                _print_simple(["stage", "start", "seconds", "quiet", "peak RSS sum",
                               "peak PSS sum"],
                              [[st["stage"], _f(st["start"], 1), _f(st["seconds"], 1),
                                _f(st["quiet"], 1), human_bytes(st["peak_rss"]),
                                human_bytes(st["peak_pss"])] for st in r["stages"]])
    for r in rows:
        if r["status"] != "ok":
            print(f"{r['articles']:,} articles: {r['status']}: {r.get('message', '')}")


def _print_simple(head: list[str], body: list[list[str]]) -> None:
    widths = [max(len(head[k]), *(len(b[k]) for b in body)) for k in range(len(head))]
    for cells in (head, *body):
        print("  ".join(c.rjust(w) if k else c.ljust(w)
                        for k, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip())
