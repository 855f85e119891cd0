// wiretrace web page: a thin client of the JSON API on the same server.
// Every text is rendered with textContent (never as HTML), and every request
// goes to this server only (the Content-Security-Policy forbids anything else).
"use strict";

const state = { storyOffset: 0 };  // how many stories the list shows

// ------------------------------------------------------------------ the API

function token() { return $("token").value.trim(); }

// `body` is sent as JSON, or as it is when its `type` is given (a file's bytes).
async function api(method, path, body, type) {
  const headers = { Accept: "application/json" };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  if (body !== undefined) headers["Content-Type"] = type || "application/json";
  const resp = await fetch(path, {
    method, headers,
    body: body === undefined ? undefined : type ? body : JSON.stringify(body),
  });
  let data = null;
  try { data = await resp.json(); } catch (e) { data = null; }
  if (!resp.ok) {
    const plain = {
      401: token() ? "The token is wrong: check the one entered at the top right."
        : "This needs the server's token: enter it in the token box at the top right.",
      403: "This server takes no additions: it was started without a token.",
      503: "This server's index cannot be written to: it takes no additions now." };
    const msg = plain[resp.status] ||
      (data && data.error ? data.error : `${resp.status} ${resp.statusText}`);
    const err = new Error(msg);
    err.status = resp.status;
    throw err;
  }
  return data;
}

// An article's URL: its id as one percent-encoded segment ("/" as %2F), so an id
// ending in "/passages" or "/story" is never read as a route of another article.
function articlePath(id) {
  return `/api/articles/${encodeURIComponent(id)}`;
}

// The share of a text's characters inside any of the passages' [a_start, a_end).
function coveredShare(passages, chars) {
  const spans = passages.map((p) => [p.a_start, p.a_end]).sort((x, y) => x[0] - y[0]);
  let covered = 0, reach = 0;
  for (const [start, end] of spans) {
    covered += Math.max(0, end - Math.max(start, reach));
    reach = Math.max(reach, end);
  }
  return covered / Math.max(1, chars);
}

function showError(err) {
  const box = $("error");
  box.textContent = err ? String(err.message || err) : "";
  box.hidden = !err;
}

async function refreshStats() {
  try {
    const s = await api("GET", "/api/stats");
    const parts = [];
    if (s.articles !== undefined) parts.push(counted(s.articles, "article"));
    if (s.stories !== undefined) parts.push(counted(s.stories, "story", "stories"));
    $("stats").textContent = parts.join(" · ");
  } catch (e) { $("stats").textContent = ""; }
}

// ------------------------------------------------------------- check view

async function readUpload(ev) {
  const file = ev.target.files[0];
  if (!file) return;
  $("check-text").value = await file.text();
  if (!$("check-id").value) $("check-id").value = file.name.replace(/\.[^.]*$/, "");
  if (!$("check-title").value) $("check-title").value = file.name;
}

async function check(ev) {
  ev.preventDefault();
  showError(null);
  const text = $("check-text").value;
  const title = $("check-title").value.trim() || null;
  $("check-go").disabled = true;
  $("check-summary").textContent = "Looking for reuse...";
  try {
    let result;
    if ($("check-add").checked) {
      const id = $("check-id").value.trim();
      if (!id) throw new Error("give the article an id to add it");
      const out = await api("POST", "/api/articles", { id, text, title });
      result = out.results[0];
      refreshStats();
    } else {
      result = await api("POST", "/api/query", { text, title });
    }
    showReuse(result, text, title || "This article", "check");
  } catch (err) {
    $("check-summary").textContent = "";
    showError(err);
  } finally {
    $("check-go").disabled = false;
  }
}

function describeReuse(result) {
  const status = result.status
    ? `${result.id}: ${result.status.replace("_", " ")} (version ${result.version}). ` : "";
  if (!result.sources.length) return `${status}No reuse found in the indexed articles.`;
  const n = result.sources.length;
  const stories = result.stories.length ? ` Story: ${result.stories.join(", ")}.` : "";
  return `${status}${pct(result.shared)} of the text appears in ${n} indexed ` +
    `article${n === 1 ? "" : "s"}: ${result.passages.length} reused passage` +
    `${result.passages.length === 1 ? "" : "s"}.${stories}`;
}

// The sources of a text as a list; choosing one shows both side by side.
function showReuse(result, text, title, where) {
  result.passages.forEach((p, i) => { p.index = i; });
  $(`${where}-summary`).textContent = describeReuse(result);
  const list = $(`${where}-sources`);
  list.replaceChildren();
  $(`${where}-compare`).replaceChildren();
  $(`${where}-changes`).replaceChildren();
  for (const src of result.sources) {
    const button = el("button", { type: "button", class: "source", "data-id": src.id,
      onclick: () => showSource(result, text, title, src, where) },
      el("strong", {}, src.title || src.id), " ",
      el("span", { class: "meta" }, [src.outlet, src.published].filter(Boolean).join(" · ")), " ",
      el("span", { class: "share" }, `${pct(src.share)} of this text, ${src.passages} passage` +
        `${src.passages === 1 ? "" : "s"}`));
    list.append(el("li", {}, button));
  }
  if (result.sources.length) showSource(result, text, title, result.sources[0], where);
}

// A click made while an earlier one is still fetching wins, as in showVersion.
let sourceShown = 0;
async function showSource(result, text, title, src, where) {
  const call = ++sourceShown;
  showError(null);
  $(`${where}-changes`).replaceChildren();
  document.querySelectorAll(`#${where}-sources button`).forEach((b) =>
    b.classList.toggle("chosen", b.dataset.id === src.id));
  try {
    const [other, compared] = await Promise.all([api("GET", articlePath(src.id)),
      api("POST", "/api/compare", { text, source: src.id })]);
    if (call !== sourceShown) return;
    // the text against the source: passages, additions, drops, word edits, facts
    const diff = compared.diff;
    const changes = changeSpans(diff);
    const box = $(`${where}-compare`);
    sideBySide(box, { title: other.title || other.id, text: other.text, meta: metaLine(other) },
      { title, text, meta: `${pct(src.share)} of this text is shared with the article on the left` },
      diff.passages, changes);
    listChanges($(`${where}-changes`), diff, text);
    box.firstChild.querySelector(".meta").append(" · ",
      el("a", { href: `#article/${encodeURIComponent(other.id)}` }, "open this article"));
    return;
  } catch (err) { showError(err); }
}

// A file of any format the readers take, added as `wiretrace index add` adds it.
async function addFile(ev) {
  ev.preventDefault();
  showError(null);
  const file = $("add-file").files[0];
  const box = $("file-result");
  box.replaceChildren();
  if (!file) { showError(new Error("choose a file to add")); return; }
  $("add-file-go").disabled = true;
  try {
    const data = await api("POST", `/api/files?name=${encodeURIComponent(file.name)}`,
      await file.arrayBuffer(), "application/octet-stream");
    const added = data.results.filter((r) => r.status !== "unchanged").length;
    box.append(el("p", { class: "summary" }, `${file.name}: ${counted(data.results.length,
      "article")} read, ${counted(added, "added or changed", "added or changed")}, ` +
      `${counted(data.rejected.length, "record")} rejected, ` +
      `${counted(data.warnings.length, "field")} left empty.`));
    const list = el("ul", { class: "rejected" });
    for (const r of data.rejected.slice(0, 50)) {
      list.append(el("li", {}, `${[r.source, r.location].filter(Boolean).join(", ")}: ` +
        `${r.record_id ? r.record_id + ": " : ""}${r.reason}`));
    }
    if (data.rejected.length) box.append(list);
    refreshStats();
  } catch (err) { showError(err); } finally { $("add-file-go").disabled = false; }
}

// ----------------------------------------------------------- stories view

async function loadStories(more) {
  showError(null);
  if (!more) { state.storyOffset = 0; $("story-table").tBodies[0].replaceChildren(); }
  try {
    const out = await api("GET", `/api/stories?limit=50&offset=${state.storyOffset}`);
    for (const s of out.stories) {
      const link = el("a", { href: `#story/${encodeURIComponent(s.story)}` }, s.title || s.story);
      $("story-table").tBodies[0].append(el("tr", { "data-story": s.story },
        el("td", {}, link, " ", el("span", { class: "meta" }, s.story)),
        el("td", {}, s.size.toLocaleString()), el("td", {}, s.origin),
        el("td", {}, s.origin_reason)));
    }
    state.storyOffset += out.stories.length;
    $("story-more").hidden = out.stories.length < out.limit;
    if (!out.stories.length && !more) {
      $("story-table").tBodies[0].append(el("tr", {}, el("td", { colspan: 4 },
        "No stories yet: no two indexed articles share text.")));
    }
  } catch (err) { showError(err); }
}

async function showStory(id) {
  showError(null);
  try {
    const story = await api("GET", `/api/stories/${encodeURIComponent(id)}`);
    $("story-title").textContent = `${story.story}: ${story.size} articles`;
    $("story-origin").textContent = originUnsure(story)
      ? `Origin: first in input order, ${story.origin}; no evidence which came first ` +
        `(${story.origin_reason}).`
      : `Origin: ${story.origin} (${story.origin_reason}).`;
    const list = $("story-members");
    list.replaceChildren();
    const byId = Object.fromEntries(story.articles.map((a) => [a.id, a]));
    for (const m of story.articles) {
      const diff = story.diffs.find((d) => d.b === m.id);
      const label = [el("strong", {}, m.title || m.id), " ",
        el("span", { class: "meta" }, [m.outlet, m.published, m.id].filter(Boolean).join(" · ")),
        " ", el("span", { class: "share" }, m.id === story.origin ? "origin"
          : diff ? shareLabel(story, byId, diff) : "")];
      if (m.version > 1) label.push(" ", el("span", { class: "meta" }, `version ${m.version}`));
      const attrs = { type: "button", class: "source", "data-id": m.id,
        onclick: () => showVersion(story, byId, m.id) };
      list.append(el("li", {}, el("button", attrs, ...label)));
    }
    const first = story.diffs.length ? story.diffs[0].b : story.origin;
    await showVersion(story, byId, first);
  } catch (err) { showError(err); }
}

// Whether nothing but the input order made the story's origin.
function originUnsure(story) {
  return /^(no evidence|input order)/.test(story.origin_reason);
}

// What the text a member is diffed against (its diff's "a") is to it: the origin,
// its main source, or a copy published after it (never called its source).
function baseRole(story, byId, diff) {
  const base = byId[diff.a], version = byId[diff.b];
  const when = (m) => (m && m.published ? Date.parse(m.published) : NaN);
  if (when(base) > when(version)) return "later copy";
  if (diff.a === story.origin) return originUnsure(story) ? "first in input order" : "origin";
  return "source";
}

function shareLabel(story, byId, diff) {
  if (diff.summary === NO_SHARED_TEXT) return `no text in common with ${diff.a}`;
  const role = baseRole(story, byId, diff);
  const base = role === "origin" ? "the origin" : role === "source" ? `its source ${diff.a}`
    : role === "later copy" ? `a later copy, ${diff.a}` : `${diff.a} (first in input order)`;
  return `${pct(diff.b_shared)} shared with ${base}`;
}

// One member of a story against the text it was diffed against (the diff's "a"):
// reused passages, additions, drops.
// A click made while an earlier one is still fetching wins: the earlier one writes nothing,
// and the summary is cleared at once so that it never describes a list still being built.
let versionShown = 0;
async function showVersion(story, byId, memberId) {
  const call = ++versionShown;
  document.querySelectorAll("#story-members button").forEach((b) =>
    b.classList.toggle("chosen", b.dataset.id === memberId));
  const diff = story.diffs.find((d) => d.b === memberId);
  const changesList = $("diff-changes");
  changesList.replaceChildren();
  $("diff-summary").textContent = "";
  try {
    const [a, b] = await Promise.all([api("GET", articlePath(diff ? diff.a : story.origin)),
      api("GET", articlePath(memberId))]);
    if (call !== versionShown) return;
    if (!diff) {
      sideBySide($("story-compare"), { title: a.title || a.id, text: a.text, meta: metaLine(a) },
        { title: "", text: "", meta: "" }, []);
      $("diff-summary").textContent = "The origin of the story; choose another article to " +
        "see what it changed.";
      return;
    }
    const changes = changeSpans(diff);
    listChanges(changesList, diff, b.text);  // facts first: what a reader must not miss
    sideBySide($("story-compare"),
      { title: `${a.title || a.id} (${baseRole(story, byId, diff)})`,
        text: a.text, meta: metaLine(a) },
      { title: b.title || b.id, text: b.text, meta: metaLine(b) }, diff.passages, changes);
    $("diff-summary").textContent = summaryLine(diff);  // last: the view is whole once it shows
  } catch (err) { showError(err); }
}

// ----------------------------------------------------------- article view

async function showArticle(id, version) {
  showError(null);
  try {
    const q = version ? `?version=${version}` : "";
    const article = await api("GET", articlePath(id) + q);
    const out = await api("GET", `${articlePath(id)}/passages`);
    $("article-title").textContent = article.title || article.id;
    const story = article.story ? el("a", { href: `#story/${encodeURIComponent(article.story)}` },
      article.story) : "no story";
    $("article-meta").replaceChildren(`${metaLine(article)} · ${article.chars.toLocaleString()} ` +
      "characters · ", story);
    const versions = $("article-versions");
    versions.replaceChildren();
    if (article.versions.length > 1) {
      versions.append("versions: ");
      for (const v of article.versions) {
        versions.append(v === article.version ? el("strong", {}, `${v} `)
          : el("a", { href: `#article/${encodeURIComponent(id)}/v${v}` }, `${v} `));
      }
    }
    // The shape of a query's answer (describeReuse reads shared, sources, stories).
    const result = { passages: out.passages, sources: [],
      shared: coveredShare(out.passages, article.chars),
      stories: article.story ? [article.story] : [] };
    const bySource = new Map();
    for (const p of out.passages) {
      if (!bySource.has(p.b)) bySource.set(p.b, []);
      bySource.get(p.b).push(p);
    }
    for (const [id, group] of bySource) {
      result.sources.push({ id, title: null, outlet: null, published: null,
        passages: group.length, share: coveredShare(group, article.chars) });
    }
    result.sources.sort((x, y) => y.share - x.share);
    $("article-compare").replaceChildren();
    await showHistory(article);
    if (article.version !== Math.max(...article.versions)) {
      // Only the current version is indexed: older ones have no passages.
      $("article-sources").replaceChildren();
      $("article-summary").textContent = "An earlier version (not indexed).";
      return;
    }
    showReuse(result, article.text, article.title || article.id, "article");
  } catch (err) { showError(err); }
}

// What this version changed against the one before it.
async function showHistory(article) {
  const box = $("article-history");
  box.hidden = article.version <= 1;
  if (box.hidden) return;
  const out = await api("GET", `${articlePath(article.id)}/diff?version=${article.version}`);
  const before = await api("GET", `${articlePath(article.id)}?version=${out.against}`);
  $("history-title").textContent = `Version ${out.version} against version ${out.against}`;
  $("history-summary").textContent = summaryLine(out.diff);
  listChanges($("history-changes"), out.diff, article.text);
  const changes = changeSpans(out.diff);
  sideBySide($("history-compare"),
    { title: `version ${out.against}`, text: before.text, meta: "" },
    { title: `version ${out.version}`, text: article.text, meta: "" }, out.diff.passages, changes);
}

// ------------------------------------------------------------ search view

async function search(ev) {
  if (ev) ev.preventDefault();
  showError(null);
  const q = $("search-q").value;
  try {
    const out = await api("GET", `/api/search?q=${encodeURIComponent(q)}&limit=20`);
    const list = $("search-results");
    list.replaceChildren();
    for (const hit of out.results) {
      list.append(el("li", {}, el("a", { href: `#article/${encodeURIComponent(hit.id)}` },
        hit.title || hit.id), " ", el("span", { class: "meta" },
        [hit.outlet, hit.id].filter(Boolean).join(" · ")), el("p", {}, hit.snippet)));
    }
    if (!out.results.length) list.append(el("li", {}, "Nothing found."));
  } catch (err) { showError(err); }
}

// ---------------------------------------------------------------- routing

function show(view) {
  document.querySelectorAll(".view").forEach((v) => { v.hidden = v.id !== `view-${view}`; });
  document.querySelectorAll("nav a[data-tab]").forEach((a) =>
    a.classList.toggle("current", a.dataset.tab === view ||
      (view === "story" && a.dataset.tab === "stories")));
}

function decoded(part) {
  try { return decodeURIComponent(part); } catch (e) { return part; }
}

// #story/<id>, #article/<id>, #article/<id>/v<N>: ids are encoded as one segment,
// so the hash is split before it is decoded (an id may end in "/v2" itself).
function route() {
  const hash = location.hash.slice(1) || "check";
  showError(null);
  if (hash.startsWith("story/")) { show("story"); showStory(decoded(hash.slice(6))); return; }
  if (hash.startsWith("article/")) {
    const m = hash.slice(8).match(/^(.*)\/v(\d+)$/);
    show("article");
    if (m) showArticle(decoded(m[1]), Number(m[2])); else showArticle(decoded(hash.slice(8)));
    return;
  }
  if (hash === "stories") { show("stories"); loadStories(false); return; }
  if (hash === "search") { show("search"); return; }
  show("check");
}

document.addEventListener("DOMContentLoaded", () => {
  $("token").value = sessionStorage.getItem("wiretrace-token") || "";
  $("token").addEventListener("change", () => {
    sessionStorage.setItem("wiretrace-token", token());
    refreshStats();
  });
  $("check-form").addEventListener("submit", check);
  $("check-file").addEventListener("change", readUpload);
  $("file-form").addEventListener("submit", addFile);
  $("changes-only").addEventListener("change", () => {
    document.body.classList.toggle("changes-only", $("changes-only").checked); });
  $("search-form").addEventListener("submit", search);
  $("story-more").addEventListener("click", () => loadStories(true));
  $("token-form").addEventListener("submit", (ev) => ev.preventDefault());
  for (const id of ["check-compare", "story-compare", "article-compare", "history-compare"]) {
    linkPanes($(id));
  }
  window.addEventListener("hashchange", route);
  route();
  refreshStats();
});
