// wiretrace web page, part 1: building the DOM and highlighting texts.
// Every text is rendered with textContent (never as HTML).  Loaded before app.js.
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function pct(x) { return `${Math.round(x * 100)}%`; }

// ------------------------------------------------------- highlighted texts

// API offsets count Unicode code points; JavaScript strings count UTF-16 units.
function unitIndex(text) {
  if (!/[\uD800-\uDFFF]/.test(text)) return null;
  const map = [0];
  let unit = 0;
  for (const ch of text) { unit += ch.length; map.push(unit); }
  return map;
}

// Render `text` into `box` with `spans` ({start, end, cls, id, title}) marked.
// Overlapping spans are cut at every boundary; each piece carries the ids of
// all spans over it (data-p) and its code-point offsets (data-start, data-end).
function renderText(box, text, spans) {
  box.replaceChildren();
  const map = unitIndex(text);
  const unit = (cp) => (map ? map[Math.min(cp, map.length - 1)] : cp);
  const length = map ? map.length - 1 : text.length;
  const cuts = new Set([0, length]);
  const valid = spans.filter((s) => s.start < s.end && s.start >= 0 && s.end <= length);
  for (const s of valid) { cuts.add(s.start); cuts.add(s.end); }
  const points = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const piece = text.slice(unit(a), unit(b));
    const over = valid.filter((s) => s.start <= a && s.end >= b);
    if (!over.length) { box.append(piece); continue; }
    const classes = [...new Set(over.map((s) => s.cls))].join(" ");
    const ids = over.filter((s) => s.id !== undefined).map((s) => s.id).join(" ");
    const mark = el("mark", { class: classes, "data-start": a, "data-end": b,
      "data-p": ids || null, title: over.map((s) => s.title).filter(Boolean).join("\n") || null });
    mark.textContent = piece;
    box.append(mark);
  }
}

// Hovering a passage lights up its other side.
function linkPanes(container) {
  container.addEventListener("mouseover", (ev) => {
    const m = ev.target.closest("mark[data-p]");
    container.querySelectorAll("mark.active").forEach((x) => x.classList.remove("active"));
    if (!m) return;
    for (const id of m.dataset.p.split(" ")) {
      container.querySelectorAll(`mark[data-p~="${id}"]`).forEach((x) => x.classList.add("active"));
    }
  });
}

function pane(title, subtitle, side) {
  const body = el("div", { class: "text", "data-side": side });
  return { node: el("div", { class: "pane" }, el("h3", {}, title),
    el("p", { class: "meta" }, subtitle || ""), body), body };
}

function passageSpans(passages, side, extra) {
  return passages.map((p) => ({
    start: side === "a" ? p.a_start : p.b_start, end: side === "a" ? p.a_end : p.b_end,
    // a template match or boilerplate is aligned, not reused: shown apart, with why
    cls: !p.kind || p.kind === "reuse" ? "reused" : "reused set-aside", id: p.index,
    title: !p.kind || p.kind === "reuse" ? `reused (${pct(p.score)} same words)`
      : `${p.kind === "template" ? "template match" : "boilerplate"}: ${p.evidence || ""}`,
    ...extra,
  }));
}

// Two texts side by side with the passages between them highlighted.
function sideBySide(box, left, right, passages, changes) {
  box.replaceChildren();
  const a = pane(left.title, left.meta, "a");
  const b = pane(right.title, right.meta, "b");
  renderText(a.body, left.text, passageSpans(passages, "a").concat(changes ? changes.a : []));
  renderText(b.body, right.text, passageSpans(passages, "b").concat(changes ? changes.b : []));
  box.append(a.node, b.node);
}

function metaLine(a) {
  return [a.outlet, a.published, a.id].filter(Boolean).join(" · ");
}

// Marks for a diff's changes: dropped text on the a side, added on b, word edits and
// changed facts (a figure, negation, opposite, modal verb or name) on both.
function changeSpans(diff) {
  const changes = { a: [], b: [] };
  for (const c of diff.changes) {
    if (c.kind === "dropped") changes.a.push({ start: c.a_start, end: c.a_end, cls: "dropped", title: "dropped" });
    if (c.kind === "added") changes.b.push({ start: c.b_start, end: c.b_end, cls: "added", title: "added" });
    for (const w of c.word_changes || []) {
      changes.a.push({ start: w.a_start, end: w.a_end, cls: "word", title: `${w.op}: ${w.b_text}` });
      changes.b.push({ start: w.b_start, end: w.b_end, cls: "word", title: `${w.op}: ${w.a_text}` });
    }
  }
  for (const v of diff.spelling_variants || []) {
    changes.a.push({ start: v.a_start, end: v.a_end, cls: "variant", title: `spelling: ${v.b_form}` });
    changes.b.push({ start: v.b_start, end: v.b_end, cls: "variant", title: `spelling: ${v.a_form}` });
  }
  for (const f of diff.changed_facts || []) {
    const title = `${f.kind} changed: ${f.a_text || "(nothing)"} → ${f.b_text || "(nothing)"}`;
    changes.a.push({ start: f.a_start, end: f.a_end, cls: "fact", title });
    changes.b.push({ start: f.b_start, end: f.b_end, cls: "fact", title });
  }
  diff.passages.forEach((p, i) => { p.index = i; });
  return changes;
}

// ------------------------------------------------------------ what changed
// The changes view, as the report and `compare` show it (output/changes_view.py):
// each change once, word edits inline with a few words of context, headings
// (short lines that end no sentence) counted apart from paragraphs.

const CONTEXT_WORDS = 4, JOIN_CHARS = 40;

function isHeading(text) {
  const words = text.trim().split(/\s+/).filter(Boolean);
  return words.length > 0 && words.length <= 8 && !/[.!?:;…]["'”’»)\]]*\s*$/.test(text);
}

// Code-point slice of a text (API offsets count code points).
function cpSlice(text, start, end) { return Array.from(text).slice(start, end).join(""); }

function flat(s) { return s.replace(/\s*\n\s*/g, " "); }

// One side of an edit on one line; a long one by its first and last words.
function shortened(text) {
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length <= 14) return flat(text).trim();
  const head = words.slice(0, 9), tail = words.slice(-5);
  return `${head.join(" ")} … (${words.length - 14} words) … ${tail.join(" ")}`;
}

// Each run of word edits of a reworded paragraph, with its context, in b's words.
function editLines(diff, bText) {
  const lines = [];
  for (const c of diff.changes) {
    if (c.kind !== "reworded" || c.b_start === null || !(c.word_changes || []).length) continue;
    const edits = [...c.word_changes].sort((x, y) => x.b_start - y.b_start);
    const groups = [];
    for (const w of edits) {
      const last = groups.length ? groups[groups.length - 1] : null;
      if (last && w.b_start - last[last.length - 1].b_end <= JOIN_CHARS) last.push(w);
      else groups.push([w]);
    }
    for (const g of groups) {
      const before = cpSlice(bText, c.b_start, g[0].b_start).split(" ");
      const after = cpSlice(bText, g[g.length - 1].b_end, c.b_end).split(" ");
      const parts = [(before.length > CONTEXT_WORDS + 1 ? "… " : "") +
        flat(before.slice(-CONTEXT_WORDS - 1).join(" "))];
      g.forEach((w, k) => {
        if (k) parts.push(flat(cpSlice(bText, g[k - 1].b_end, w.b_start)));
        parts.push({ old: shortened(w.a_text), now: shortened(w.b_text) });
      });
      parts.push(flat(after.slice(0, CONTEXT_WORDS + 1).join(" ")) +
        (after.length > CONTEXT_WORDS + 1 ? " …" : ""));
      lines.push({ at: g[0].b_start, parts });
    }
  }
  return lines.sort((x, y) => x.at - y.at);
}

function counted(n, one, many) { return `${n.toLocaleString()} ${n === 1 ? one : (many || one + "s")}`; }

// The changes of `diff` into the list `ul`: facts, credits, added and dropped
// paragraphs (headings apart), rewordings in context, moves, spelling variants.
function listChanges(ul, diff, bText) {
  ul.replaceChildren();
  const item = (cls, head, ...rest) => ul.append(el("li", { class: cls }, el("strong", {}, head), " ", ...rest));
  for (const f of diff.changed_facts || []) item("fact", `${f.kind} changed`, describeFact(f));
  for (const c of diff.credits_added || []) item("credit credit-new", "credit added", c.text || c.entity);
  for (const c of diff.credits_dropped || []) item("credit credit-gone", "credit dropped", c.entity);
  for (const c of diff.credits_changed || []) {
    const what = { credit_cut: "credit cut", recredited: "recredited",
      quote_altered: "quote altered" }[c.kind] || c.kind;
    item("credit credit-changed", what, c.kind === "credit_cut"
      ? `${c.a_entity}: the words kept, the credit gone`
      : c.kind === "recredited" ? `${c.a_entity} → ${c.b_entity}` : `${c.a_text} → ${c.b_text}`);
  }
  for (const kind of ["added", "dropped"]) {
    const texts = diff.changes.filter((c) => c.kind === kind)
      .map((c) => flat((kind === "added" ? c.b_text : c.a_text).trim())).filter(Boolean);
    const heads = texts.filter(isHeading);
    for (const t of texts.filter((t) => !isHeading(t))) item(kind, `${kind} paragraph`, t);
    if (heads.length) item(kind, `${kind} ${counted(heads.length, "heading")}`, heads.join(" · "));
  }
  for (const line of editLines(diff, bText)) {
    const li = el("li", { class: "reworded" }, el("strong", {}, "reworded"), " ");
    for (const part of line.parts) {
      if (typeof part === "string") { li.append(el("span", { class: "ctx" }, part)); continue; }
      if (part.old) li.append(el("del", { class: "was" }, part.old));
      if (part.now) li.append(el("ins", { class: "now" }, part.now));
    }
    ul.append(li);
  }
  for (const c of diff.changes.filter((c) => c.kind === "moved")) item("moved", "moved", c.b_text);
  for (const v of diff.spelling_variants || []) item("variant", "spelling", `${v.a_form} → ${v.b_form}`);
  if (!ul.children.length) {
    ul.append(el("li", { class: "none" }, diff.summary === NO_SHARED_TEXT
      ? "No shared text: this is not a version of it." : "No changes: the same text."));
  }
}

// A changed fact in words: "1,500 → 1,100", "“not” added".
function describeFact(f) {
  if (!f.a_text) return `“${f.b_text}” added`;
  if (!f.b_text) return `“${f.a_text}” removed`;
  return `${f.a_text} → ${f.b_text}`;
}

// What summarize says of two texts that share nothing, shown as such.
const NO_SHARED_TEXT = "no shared text";

function summaryLine(diff) {
  return diff.summary === NO_SHARED_TEXT
    ? `${diff.b} and ${diff.a} have no text in common.` : diff.summary;
}
