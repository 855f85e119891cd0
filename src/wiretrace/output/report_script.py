"""The report page's script: it inflates the packed stories (:mod:`.report_data`),
draws the stories table (search, filters, sorting) and a story's section when
the reader opens it, and links the two halves of a reused passage on hover.

Plain JavaScript in one string, no library: the page must open from a file
with no network.  Text from the data is only ever set as text, never as
markup, except a section's markup, which :mod:`.report` escaped when it made it.
"""

APP_JS = r"""
(function(){
 'use strict';
 var PAGE = 100;
 var state = {rows: [], shown: [], limit: PAGE, sort: 'size', desc: true};
 function $(id){ return document.getElementById(id); }
 function el(tag, text, cls){ var e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text; if (cls) e.className = cls;
  return e; }
 function num(n){ return n.toLocaleString('en-US'); }
 function pct(x){ return Math.round(x * 100) + '%'; }

 async function load(){
  var node = $('report-data');
  var b64 = node.textContent.trim(); var raw = atob(b64);
  var bytes = new Uint8Array(raw.length);
  for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  var text = await new Response(stream).text();
  return JSON.parse(text).stories;
 }

 function compare(a, b){
  var k = state.sort, x = a[k], y = b[k], r;
  if (k === 'title') r = x.localeCompare(y);
  else if (k === 'first') r = (x || '9999').localeCompare(y || '9999');
  else r = x - y;
  if (r === 0) r = b.size - a.size || a.order - b.order;
  else if (state.desc) r = -r;
  return r;
 }

 function filtered(){
  var q = $('f-search').value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  var outlet = $('f-outlet').value, from = $('f-from').value, to = $('f-to').value;
  var size = parseInt($('f-size').value || '0', 10) || 0;
  var share = (parseFloat($('f-share').value || '0') || 0) / 100;
  var facts = $('f-facts').checked, credits = $('f-credits').checked;
  return state.rows.filter(function(r){
   if (r.size < size || r.shared < share) return false;
   if (facts && !r.facts) return false;
   if (credits && !r.credits) return false;
   if (outlet && r.outlets.indexOf(outlet) < 0) return false;
   if (from && (!r.last || r.last.slice(0, 10) < from)) return false;
   if (to && (!r.first || r.first.slice(0, 10) > to)) return false;
   for (var i = 0; i < q.length; i++) if (r.search.indexOf(q[i]) < 0) return false;
   return true;
  }).sort(compare);
 }

 function row(r){
  var tr = el('tr'); tr.dataset.story = r.id; tr.tabIndex = 0;
  var name = el('td'); name.appendChild(el('span', r.title, 'st-title'));
  name.appendChild(el('span', ' ' + r.id, 'meta'));
  tr.appendChild(name);
  tr.appendChild(el('td', num(r.size), 'n'));
  tr.appendChild(el('td', r.outlets.length ? r.outlets.slice(0, 3).join(', ') +
   (r.outlets.length > 3 ? ' +' + (r.outlets.length - 3) : '') : '-'));
  tr.appendChild(el('td', r.first ? r.first.slice(0, 10) : 'undated'));
  tr.appendChild(el('td', pct(r.shared), 'n'));
  tr.appendChild(el('td', r.facts ? num(r.facts) : '', 'n'));
  tr.appendChild(el('td', r.credits ? num(r.credits) : '', 'n'));
  if (location.hash === '#' + r.anchor) tr.classList.add('open');
  return tr;
 }

 function draw(){
  state.shown = filtered();
  var body = $('story-rows'); body.textContent = '';
  var frag = document.createDocumentFragment();
  state.shown.slice(0, state.limit).forEach(function(r){ frag.appendChild(row(r)); });
  body.appendChild(frag);
  $('story-count').textContent = num(state.shown.length) + ' of ' + num(state.rows.length) +
   (state.rows.length === 1 ? ' story' : ' stories');
  var more = $('story-more'); var left = state.shown.length - state.limit;
  more.hidden = left <= 0;
  more.textContent = 'Show ' + num(Math.min(PAGE, Math.max(left, 0))) + ' more';
  document.querySelectorAll('#story-table th[data-sort]').forEach(function(th){
   th.setAttribute('aria-sort', th.dataset.sort === state.sort ?
    (state.desc ? 'descending' : 'ascending') : 'none'); });
 }

 function showView(){
  var changes = $('story-view').classList.contains('changes-only');
  document.querySelectorAll('[data-view]').forEach(function(b){
   b.setAttribute('aria-pressed', String((b.dataset.view === 'changes') === changes)); });
 }

 function open(r, scroll){
  var view = $('story-view');
  view.innerHTML = r.html;  // made and escaped by wiretrace.output.report
  showView();
  if (location.hash !== '#' + r.anchor) history.replaceState(null, '', '#' + r.anchor);
  document.querySelectorAll('#story-rows tr.open').forEach(function(t){
   t.classList.remove('open'); });
  var tr = document.querySelector('#story-rows tr[data-story="' + CSS.escape(r.id) + '"]');
  if (tr) tr.classList.add('open');
  if (scroll) view.scrollIntoView({block: 'start'});
 }

 function byAnchor(hash){
  var a = hash.replace(/^#/, '');
  for (var i = 0; i < state.rows.length; i++) if (state.rows[i].anchor === a) return state.rows[i];
  return null;
 }

 function wire(){
  ['f-search', 'f-outlet', 'f-from', 'f-to', 'f-size', 'f-share', 'f-facts', 'f-credits']
   .forEach(function(id){ $(id).addEventListener('input', function(){
    state.limit = PAGE; draw();
    if (id === 'f-search' && state.shown.length === 1) open(state.shown[0], false); }); });
  $('story-more').addEventListener('click', function(){ state.limit += PAGE; draw(); });
  $('story-rows').addEventListener('click', function(e){
   var tr = e.target.closest('tr'); if (!tr) return;
   var r = state.rows.find(function(x){ return x.id === tr.dataset.story; });
   if (r) open(r, true); });
  $('story-rows').addEventListener('keydown', function(e){
   if (e.key === 'Enter' && e.target.dataset.story) e.target.click(); });
  document.querySelectorAll('#story-table th[data-sort]').forEach(function(th){
   th.addEventListener('click', function(){
    var k = th.dataset.sort;
    state.desc = state.sort === k ? !state.desc : k !== 'title' && k !== 'first';
    state.sort = k; draw(); }); });
  $('story-view').addEventListener('click', function(e){
   var b = e.target.closest('[data-view]'); if (!b) return;
   $('story-view').classList.toggle('changes-only', b.dataset.view === 'changes');
   showView(); });
  window.addEventListener('hashchange', function(){
   var r = byAnchor(location.hash); if (r) open(r, true); });
 }

 function outlets(){
  var all = {}; state.rows.forEach(function(r){ r.outlets.forEach(function(o){ all[o] = 1; }); });
  var sel = $('f-outlet');
  Object.keys(all).sort().forEach(function(o){ var opt = el('option', o); opt.value = o;
   sel.appendChild(opt); });
 }

 async function start(){
  if (!$('report-data')) { document.body.dataset.ready = '1'; return; }  // no stories
  try {
   state.rows = await load();
  } catch (err) {
   $('story-count').textContent = 'This browser could not unpack the stories (' + err +
    '): stories.jsonl and diffs.jsonl hold them.';
   return;
  }
  state.rows.forEach(function(r, i){ r.order = i; });
  outlets(); wire(); draw();
  var first = byAnchor(location.hash) || state.shown[0];
  if (first) open(first, !!byAnchor(location.hash));
  document.body.dataset.ready = '1';
 }

 // a reused passage's two halves light up together; a click pins them
 function marks(m){ return document.querySelectorAll(
  'mark.reused[data-passage="' + m.getAttribute('data-passage') + '"]'); }
 function find(e){ return e.target.closest ? e.target.closest('mark.reused') : null; }
 document.addEventListener('mouseover', function(e){ var m = find(e);
  if (m) marks(m).forEach(function(x){ x.classList.add('linked'); }); });
 document.addEventListener('mouseout', function(e){ var m = find(e);
  if (m) marks(m).forEach(function(x){ x.classList.remove('linked'); }); });
 document.addEventListener('click', function(e){ var m = find(e); if (!m) return;
  var on = !m.classList.contains('pinned');
  document.querySelectorAll('mark.pinned').forEach(function(x){ x.classList.remove('pinned'); });
  if (!on) return; var side = m.closest('.side');
  marks(m).forEach(function(x){ x.classList.add('pinned');
   if (x.closest('.side') !== side) x.scrollIntoView({block: 'nearest'}); }); });

 if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
 else start();
})();
"""

# the stories table and its filters; the rows and the open story come from the script
STORY_BROWSER = """
<section class="panel" id="stories">
<h2>Stories</h2>
<div class="filters">
<input id="f-search" type="search" placeholder="Search titles, ids, outlets and text"
 aria-label="Search stories">
<select id="f-outlet" aria-label="Outlet"><option value="">All outlets</option></select>
<label>from <input id="f-from" type="date"></label>
<label>to <input id="f-to" type="date"></label>
<label>at least <input id="f-size" type="number" min="2" step="1" value="" placeholder="2"
 aria-label="At least this many articles"> articles</label>
<label>shared &ge; <input id="f-share" type="number" min="0" max="100" step="5" value=""
 placeholder="0" aria-label="Shared at least this percentage">%</label>
<label><input id="f-facts" type="checkbox"> changed facts</label>
<label><input id="f-credits" type="checkbox"> credit changes</label>
</div>
<p class="meta" id="story-count">Unpacking the stories&hellip;</p>
<noscript><p class="note">The stories are drawn by the page's script, which is off:
stories.jsonl and diffs.jsonl beside this report hold them.</p></noscript>
<div class="table-wrap"><table id="story-table">
<thead><tr><th data-sort="title">Story</th><th data-sort="size">Articles</th><th>Outlets</th>
<th data-sort="first">First published</th>
<th data-sort="shared"
 title="mean share of a version's text found in the text it is compared with">Shared</th>
<th data-sort="facts" title="changed facts across the story's versions">Facts</th>
<th data-sort="credits" title="credits added, dropped or changed across its versions">Credits</th>
</tr></thead>
<tbody id="story-rows"></tbody></table></div>
<button id="story-more" type="button" hidden>Show more</button>
</section>
<div id="story-view" aria-live="polite"></div>
"""

BROWSER_CSS = """
.filters{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:center;font-size:13px;
margin:6px 0 8px}
.filters input[type=search]{flex:1 1 260px;padding:6px 8px;font-size:14px}
.filters input[type=number]{width:64px}
.table-wrap{max-height:480px;overflow:auto;border:1px solid var(--line);border-radius:8px}
#story-table thead th{position:sticky;top:0;background:#f1f3f5;cursor:pointer;
white-space:nowrap}
#story-table th:not([data-sort]){cursor:default}
#story-table th[aria-sort=ascending]::after{content:" \\25B2"}
#story-table th[aria-sort=descending]::after{content:" \\25BC"}
#story-rows tr{cursor:pointer}#story-rows tr:hover{background:#fff7e0}
#story-rows tr.open{background:#fde68a}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.st-title{font-weight:600}
#story-more{margin:8px 0 0}
.view-switch{display:inline-flex;margin:6px 0 10px;border:1px solid var(--line);
border-radius:8px;overflow:hidden}
.view-switch button{border:0;background:#fff;padding:5px 12px;cursor:pointer;font:inherit;
font-size:13px}
.view-switch button[aria-pressed=true]{background:var(--ink);color:#fff}
.pair .changes{display:none}
.changes-only .pair .changes{display:block}
.changes-only .pair .cols,.changes-only .pair .facts,.changes-only .pair .variants{display:none}
.changes h4{margin:10px 0 4px;font-size:14px}
.changes ul{margin:0 0 6px;padding-left:20px}.changes li{margin:3px 0}
.changes ins,.changes del{text-decoration:none;border-radius:2px;padding:0 1px}
.changes del.was{background:var(--dropped);text-decoration:line-through;margin-right:3px}
.changes ins.now{background:var(--added);margin-right:2px}
.changes .was.fact,.changes .now.fact{background:var(--fact);color:#fff}
.changes .ctx{color:var(--muted)}
.changes .headings{color:var(--muted)}
"""
