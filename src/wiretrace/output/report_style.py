"""The look of the HTML report (:mod:`wiretrace.output.report`): its style sheet and
the legend of its marks (its script is :mod:`.report_script`)."""

CSS = """
:root{--ink:#1d232b;--muted:#5d6673;--line:#dde1e6;--bg:#f6f7f9;--reused:#fde68a;
--linked:#f59e0b;--added:#c9f2d4;--dropped:#fbd5d5;--word:#7c3aed;--moved:#2563eb;
--fact:#b91c1c}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);line-height:1.5;
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
main{max-width:1240px;margin:0 auto;padding:24px 20px 60px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:0 0 6px}
h3{font-size:14px;margin:0 0 8px;color:var(--muted);font-weight:600}
.counts{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.count{background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px 14px}
.count b{display:block;font-size:22px}
.legend{display:flex;flex-wrap:wrap;gap:8px 18px;font-size:13px;color:var(--muted);
margin:10px 0 18px}
.panel,.story,.pair{background:#fff;border:1px solid var(--line);border-radius:10px}
.panel{padding:14px 18px;margin:16px 0}.story{padding:18px;margin:22px 0}
.stories li{margin:4px 0}.meta,.note,.url{color:var(--muted);font-size:13px}
.url{word-break:break-all}
.pair{margin:16px 0 0;padding:12px;background:#fbfbfc}
.summary{margin:0 0 10px;font-weight:600}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:12px}
@media (max-width:800px){.cols{grid-template-columns:1fr}}
.side{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 12px;min-width:0}
.text{white-space:pre-wrap;overflow-wrap:anywhere;font-size:14.5px;line-height:1.6}
mark.reused{background:var(--reused);color:inherit;border-radius:2px;cursor:pointer}
mark.reused.linked,mark.reused.pinned{background:var(--linked);outline:1px solid #b45309}
mark.reused.set-aside{background:#e5e7eb;text-decoration:underline dotted #6b7280}
ins.added{background:var(--added);text-decoration:none;border-bottom:2px solid #16a34a}
del.dropped{background:var(--dropped);text-decoration:none;border-bottom:2px dotted #dc2626}
.moved{outline:1px dashed var(--moved);outline-offset:1px}
.variant{border-bottom:2px double #0891b2}
.credit{border-bottom:2px solid #0f766e;font-weight:600}
.credit-new{background:#ccfbf1}
.credit-gone{background:#fde2e2;text-decoration:line-through}
.graph{overflow-x:auto}
svg.provenance rect{fill:#f0fdfa;stroke:#0f766e}
svg.provenance .node-version rect{fill:#eef6ff;stroke:#1d4ed8}
svg.provenance text{font:12px system-ui,sans-serif;fill:#111}
svg.provenance line{stroke:#6b7280;stroke-width:1.4}
svg.provenance line.rel-derived{stroke-dasharray:4 3;stroke:#9ca3af}
svg.provenance marker path{fill:#6b7280}
.word-change{color:var(--word);font-weight:600;border-bottom:1px solid var(--word)}
.fact{color:#fff;background:var(--fact);font-weight:700;border-radius:3px;padding:0 2px}
.facts li b{color:var(--fact)}
.sw{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-1px;margin-right:4px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;border-bottom:1px solid var(--line);padding:4px 8px;vertical-align:top}
.timeline{margin:10px 0;font-size:13px}
.tl-row{display:grid;grid-template-columns:150px 1fr 260px;gap:10px;align-items:center}
.tl-track{position:relative;height:16px;border-bottom:1px solid var(--line)}
.tl-dot{position:absolute;top:3px;width:10px;height:10px;margin-left:-5px;border-radius:50%;
background:var(--moved)}.tl-dot.origin{background:#b45309}
details summary{cursor:pointer;font-weight:600}
svg.derivation rect{fill:#eef6ff;stroke:#1d4ed8}svg.derivation .origin rect{fill:#fff7ed;
stroke:#b45309}svg.derivation text,svg.outlet-timeline text,svg.outlet-matrix text,
svg.shares text{font:12px system-ui,sans-serif;fill:#1d232b}
svg.derivation line{stroke:#64748b;stroke-opacity:.8}svg.derivation marker path{fill:#64748b}
svg.outlet-timeline line.lane{stroke:#dde1e6}svg.outlet-timeline .dot{fill:#2563eb}
svg.outlet-timeline .dot.origin{fill:#b45309}svg.outlet-timeline .tick{fill:#5d6673}
svg.outlet-matrix rect{fill:#b45309}svg.shares rect{fill:#2563eb}
svg .axis{fill:#5d6673}
.figures{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
figure{margin:8px 0}figcaption{font-size:13px;color:var(--muted);margin-bottom:6px}
"""

LEGEND = (
    ('<mark class="reused">reused passage</mark>', "hover or click to see its partner"),
    ('<mark class="reused set-aside">template match</mark>', "the same frame with other "
     "names or figures: aligned, not reuse"),
    ('<ins class="added">added</ins>', "only in this version"),
    ('<del class="dropped">dropped</del>', "only in the origin or source on the left"),
    ('<span class="fact">changed fact</span>', "a figure, date, negation, opposite, "
     "modal verb or name that changed"),
    ('<span class="word-change">word change</span>', "hover for the other side's words"),
    ('<span class="variant">spelling variant</span>', ""),
    ('<span class="moved">moved</span>', "same text, other order"),
    ('<span class="credit">credited source</span>', "who a version credits; "
     '<span class="credit credit-new">new here</span>, '
     '<span class="credit credit-gone">no longer credited</span>'),
)
