// Search benchmark (issue 9), run by benches/search/run.sh — a benchmark, not a test.
//
//   node benches/search/bench.mjs SITE_DIR LABEL [--pagefind] [--queries N] [--samples N]
//
// Serves SITE_DIR under /playbook/ from a local server that gzips text types as GitHub
// Pages does and counts the body bytes it sends, then drives headless Chromium:
// - first query: a fresh browser, a page loads (search.js and search.css with it), a 2–3
//   word title query is typed in the header box, results and filter counts shown: the
//   search bytes sent (UI script, styles, manifest, postings, typo lists, records,
//   facets), typed key by key and pasted at once;
// - further queries: the same tab, a new query sharing no word with the last;
// - keystroke to results: from each key press to the results of that input shown;
// - typo recall: ≥ 200 queries of 2–3 words from a random page's title, one word of 5+
//   letters given one random edit (deletion, insertion, substitution, transposition,
//   any position), same first result as without the typo;
// - top-10 share: the clean queries whose source page is in the top 10, beside its
//   ceilings when pages whose titles hold every query word cannot be told apart, and
//   when pages whose titles hold them side by side and in order cannot.
// With --pagefind, the same for Pagefind's index in SITE_DIR/pagefind (its JS API,
// plus its stock UI files' size). Prints a JSON line of figures.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', 'tests', 'browser', 'package.json'));
const { chromium } = require('playwright-core');

const args = process.argv.slice(2);
const [siteDir, label] = args;
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : def; };
const withPagefind = args.includes('--pagefind');
const NQ = opt('--queries', 250);
const NS = opt('--samples', 40);
const BASE = '/playbook/';

// --- a static server that compresses like GitHub Pages and counts bytes ------------
const TYPES = { '.html': 'text/html', '.css': 'text/css', '.js': 'application/javascript', '.mjs': 'application/javascript',
  '.json': 'application/json', '.xml': 'application/xml', '.txt': 'text/plain', '.svg': 'image/svg+xml', '.wasm': 'application/wasm' };
const COMPRESS = /^(text\/|application\/(javascript|json|xml)|image\/svg)/;
const gzCache = new Map();
let sent = new Map(); // path → body bytes
function countReset() { sent = new Map(); }
function bytes(filter) { let n = 0; for (const [p, b] of sent) if (filter(p)) n += b; return n; }
const server = http.createServer((req, res) => {
  const url = decodeURIComponent(req.url.split('?')[0]);
  if (!url.startsWith(BASE)) { res.writeHead(404); return res.end(); }
  let file = path.join(siteDir, url.slice(BASE.length));
  try { if (fs.statSync(file).isDirectory()) file = path.join(file, 'index.html'); } catch { res.writeHead(404); return res.end(); }
  let body;
  try { body = fs.readFileSync(file); } catch { res.writeHead(404); return res.end(); }
  const type = TYPES[path.extname(file)] || 'application/octet-stream';
  const headers = { 'Content-Type': type, 'Cache-Control': 'max-age=600' };
  if (COMPRESS.test(type) && /gzip/.test(req.headers['accept-encoding'] || '')) {
    if (!gzCache.has(file)) gzCache.set(file, zlib.gzipSync(body, { level: 6 }));
    body = gzCache.get(file);
    headers['Content-Encoding'] = 'gzip';
  }
  headers['Content-Length'] = body.length;
  sent.set(url, (sent.get(url) || 0) + body.length);
  res.writeHead(200, headers);
  res.end(body);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;
const ours = (p) => p === BASE + 'search.js' || p === BASE + 'search.css' || (p.startsWith(BASE + 'search/') && p !== BASE + 'search/');
const theirs = (p) => p.startsWith(BASE + 'pagefind/');

// --- queries ---------------------------------------------------------------------
let seed = 20261125;
function rnd() { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; }
const pick = (a) => a[Math.floor(rnd() * a.length)];
const manifest = JSON.parse(fs.readFileSync(path.join(siteDir, 'search/manifest.json'), 'utf8'));
const records = [];
for (let g = 0; g * manifest.rg < manifest.n; g++) {
  for (const r of JSON.parse(fs.readFileSync(path.join(siteDir, `search/r/${g}.json`), 'utf8'))) records.push(r);
}
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
function typo(w) {
  for (;;) {
    const kind = Math.floor(rnd() * 4), i = Math.floor(rnd() * w.length), c = LETTERS[Math.floor(rnd() * 26)];
    let t;
    if (kind === 0) t = w.slice(0, i) + w.slice(i + 1);
    else if (kind === 1) t = w.slice(0, i) + c + w.slice(i);
    else if (kind === 2) t = w.slice(0, i) + c + w.slice(i + 1);
    else { if (i + 1 >= w.length) continue; t = w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2); }
    if (t !== w) return t;
  }
}
const queries = [];
for (let tries = 0; queries.length < NQ && tries < NQ * 50; tries++) {
  const id = Math.floor(rnd() * records.length), [url, title] = records[id];
  const words = title.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  if (words.length < 2) continue;
  const len = Math.min(words.length, rnd() < 0.5 ? 2 : 3), at = Math.floor(rnd() * (words.length - len + 1));
  const ws = words.slice(at, at + len).map((w) => w.toLowerCase());
  const long = ws.map((w, i) => [w, i]).filter(([w]) => /^\p{L}{5,}$/u.test(w));
  if (!long.length) continue;
  const [w, wi] = pick(long);
  const bad = ws.slice(); bad[wi] = typo(w);
  queries.push({ url: manifest.base + url, clean: ws.join(' '), typo: bad.join(' '), title });
}

// --- browser ---------------------------------------------------------------------
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const median = (a) => { const s = a.slice().sort((x, y) => x - y); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const p95 = (a) => { const s = a.slice().sort((x, y) => x - y); return s.length ? s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)] : NaN; };

const noFacets = !manifest.roles.length && !manifest.tags.length;
async function freshPage() {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.addInitScript((noFacets) => {
    window.__noFacets = noFacets;
    window.__lat = [];
    document.addEventListener('keydown', (e) => {
      if (e.target && e.target.id === 'site-search') window.__t = performance.now();
    }, true);
    const watch = () => {
      const status = document.querySelector('#search-panel .search-status');
      if (!status) return setTimeout(watch, 20);
      new MutationObserver(() => {
        const input = document.getElementById('site-search');
        const q = input.value.trim();
        if (window.__t && status.textContent.includes('“' + q + '”') && !/Searching/.test(status.textContent)) {
          window.__lat.push(performance.now() - window.__t);
          window.__t = 0;
        }
      }).observe(status, { childList: true, characterData: true, subtree: true });
    };
    document.addEventListener('DOMContentLoaded', watch);
  }, noFacets);
  return { ctx, page };
}
async function settled(page, q, where = '#search-panel', facets = false) {
  await page.waitForFunction(({ q, where, facets }) => {
    const s = document.querySelector(where + ' .search-status');
    const list = document.querySelector(where + ' .search-results');
    if (!s || !list || list.hasAttribute('aria-busy') || list.hasAttribute('data-pending')) return false;
    if (!s.textContent.includes('“' + q.trim() + '”')) return false;
    if (/^No results/.test(s.textContent) || !facets || window.__noFacets) return true;
    return !!document.querySelector(where + ' .search-chips [data-dim=role], ' + where + ' .search-chips [data-dim=tag]');
  }, { q, where, facets }, { timeout: 20000 });
}

const out = { label, pages: manifest.n, queries: queries.length };
const first = { typed: [], pasted: [], page: [] }, further = [], lat = [];
for (let s = 0; s < NS; s++) {
  const q1 = queries[s % queries.length].clean;
  const words1 = new Set(q1.split(' '));
  const q2 = queries.slice(s + 1).concat(queries).find((q) => !q.clean.split(' ').some((w) => words1.has(w))).clean;
  const at = origin + records[(s * 7919) % records.length][0].replace(/^/, manifest.base);
  for (const mode of ['typed', 'pasted', 'page']) {
    const { ctx, page } = await freshPage();
    countReset();
    if (mode === 'page') {
      // The /search/ page opened with ?q=: results, then role, event and tag counts.
      await page.goto(`${origin}${BASE}search/?q=${encodeURIComponent(q1)}`);
      await settled(page, q1, '.search-page-results', true);
      first.page.push(bytes(ours));
      await ctx.close();
      continue;
    }
    // The header box on a content page.
    await page.goto(at);
    await page.focus('#site-search');
    if (mode === 'typed') await page.keyboard.type(q1, { delay: 60 });
    else await page.evaluate((q) => { const i = document.getElementById('site-search'); i.value = q; i.dispatchEvent(new Event('input')); }, q1);
    await settled(page, q1);
    first[mode].push(bytes(ours));
    if (mode === 'typed') {
      lat.push(...(await page.evaluate(() => window.__lat)));
      countReset();
      await page.fill('#site-search', '');
      await page.keyboard.type(q2, { delay: 60 });
      await settled(page, q2);
      further.push(bytes(ours));
      lat.push(...(await page.evaluate(() => window.__lat)));
    }
    await ctx.close();
  }
}
out.ours = {
  firstTyped: { median: median(first.typed), p95: p95(first.typed) },
  firstPasted: { median: median(first.pasted), p95: p95(first.pasted) },
  firstSearchPage: { median: median(first.page), p95: p95(first.page) },
  further: { median: median(further), p95: p95(further) },
  keystrokeMs: { median: median(lat), p95: p95(lat), n: lat.length },
};

// Typo recall and top-10 share through the engine's own API.
{
  const { ctx, page } = await freshPage();
  await page.goto(origin + BASE + 'search/');
  const res = await page.evaluate(async (qs) => {
    const urls = async (q) => (await window.playbookSearch.search(q)).map((r) => r.url);
    const out = [];
    for (const q of qs) out.push({ clean: await urls(q.clean), typo: await urls(q.typo), title: await urls(q.title) });
    return out;
  }, queries);
  let same = 0, counted = 0, top10 = 0, titles = 0;
  res.forEach((r, i) => {
    if (r.clean.includes(queries[i].url)) top10++;
    if (r.title.includes(queries[i].url)) titles++;
    if (!r.clean.length) return;
    counted++;
    if (r.typo[0] === r.clean[0]) same++;
  });
  // What any ranking reaches on these queries if it cannot tell apart the pages whose
  // titles hold every query word (bag of words), or the pages whose titles hold them
  // side by side and in order (with word positions): the source page among the k such
  // pages is in the top 10 with odds min(1, 10 / k).
  const ceilings = await page.evaluate(async ({ qs, titles }) => {
    const a = (s) => window.playbookSearch.analyze(s, 'en');
    const lists = titles.map((t) => a(t));
    const sets = lists.map((l) => new Set(l));
    const phrase = (l, q) => {
      for (let i = 0; i + q.length <= l.length; i++) if (q.every((x, j) => l[i + j] === x)) return true;
      return false;
    };
    let bag = 0, inOrder = 0;
    for (const q of qs) {
      const terms = a(q);
      let k = 0, kp = 0;
      sets.forEach((s, i) => {
        if (!terms.every((x) => s.has(x))) return;
        k++;
        if (phrase(lists[i], terms)) kp++;
      });
      bag += Math.min(1, 10 / Math.max(k, 1));
      inOrder += Math.min(1, 10 / Math.max(kp, 1));
    }
    return { bag: bag / qs.length, inOrder: inOrder / qs.length };
  }, { qs: queries.map((q) => q.clean), titles: records.map((r) => r[1]) });
  out.ours.top10Ceiling = ceilings.bag;
  out.ours.top10PhraseCeiling = ceilings.inOrder;
  out.ours.typoRecall = same / counted;
  out.ours.top10 = top10 / queries.length;
  out.ours.top10FullTitle = titles / queries.length;
  out.ours.misses = res.map((r, i) => ({ q: queries[i].typo, clean: queries[i].clean, r })).filter((x) => x.r.clean.length && x.r.typo[0] !== x.r.clean[0]).slice(0, 8).map((x) => `${x.clean} → ${x.q}`);
  await ctx.close();
}

if (withPagefind) {
  const pf = { first: [] };
  const pfSearch = async (page, q) => page.evaluate(async ({ base, q }) => {
    if (!window.__pf) { window.__pf = await import(base + 'pagefind/pagefind.js'); await window.__pf.options({ excerptLength: 30 }); }
    const r = await window.__pf.search(q);
    const data = await Promise.all(r.results.slice(0, 10).map((x) => x.data()));
    return data.map((d) => d.url);
  }, { base: BASE, q });
  for (let s = 0; s < NS; s++) {
    const { ctx, page } = await freshPage();
    await page.goto(origin + BASE + 'search/');
    countReset();
    await pfSearch(page, queries[s % queries.length].clean);
    pf.first.push(bytes(theirs));
    await ctx.close();
  }
  const further = [];
  {
    const { ctx, page } = await freshPage();
    await page.goto(origin + BASE + 'search/');
    await pfSearch(page, queries[0].clean);
    for (let s = 1; s < NS; s++) {
      countReset();
      await pfSearch(page, queries[s].clean);
      further.push(bytes(theirs));
    }
    let same = 0, counted = 0, top10 = 0, titles = 0;
    for (const q of queries) {
      const clean = await pfSearch(page, q.clean);
      const bad = await pfSearch(page, q.typo);
      const full = await pfSearch(page, q.title);
      const norm = (u) => u.replace(/index\.html$/, '');
      if (clean.map(norm).includes(q.url)) top10++;
      if (full.map(norm).includes(q.url)) titles++;
      if (!clean.length) continue;
      counted++;
      if (bad.length && norm(bad[0]) === norm(clean[0])) same++;
    }
    pf.typoRecall = same / counted;
    pf.top10 = top10 / queries.length;
    pf.top10FullTitle = titles / queries.length;
    await ctx.close();
  }
  const gz = (f) => { try { return zlib.gzipSync(fs.readFileSync(path.join(siteDir, 'pagefind', f))).length; } catch { return 0; } };
  out.pagefind = {
    first: { median: median(pf.first), p95: p95(pf.first) },
    further: { median: median(further), p95: p95(further) },
    uiFiles: gz('pagefind-ui.js') + gz('pagefind-ui.css'),
    typoRecall: pf.typoRecall,
    top10: pf.top10,
    top10FullTitle: pf.top10FullTitle,
  };
}

await browser.close();
server.close();
console.log(JSON.stringify(out));
