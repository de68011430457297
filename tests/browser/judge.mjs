#!/usr/bin/env node
// The judges: what a reader's browser sees of a built playbook site.
//
//   node judge.mjs SITE_DIR [--base /playbook/] [--screenshots OUT_DIR] [--no-axe]
//                  [--axe-terms N] [--jobs N] [--report FILE.json] [--chromium PATH]
//
// 1. crawl   every <a href>, <link href>, <script src>, <img src/srcset>, <source
//            src/srcset>, <form action>, <meta refresh> … that stays on the server,
//            breadth-first from the base URL (plus every HTML file on disk, so alias
//            redirect pages are checked too), plus url() in CSS, <loc>/<link> in
//            sitemap.xml and feed.xml and url fields in JSON. Every one must answer 200
//            (no redirect), stay under the base path, and each #fragment must exist.
// 2. 404     missing paths at depth 1–3 answer 404 with the site's 404.html, whose
//            stylesheet and links work from that depth.
// 3. axe     axe-core (default rules) on every HTML page in headless Chromium, in
//            light and dark colour schemes; JavaScript errors and failed requests too; and
//            at 390 px wide (the same document, resized) nothing may scroll sideways.
//            Taxonomy term pages (tags/x/, roles/x/, events/x/) share one template, so
//            only the N with the most links of each are checked (--axe-terms, default
//            4; 0 = all). Two pages at a time (--jobs).
// 4. shots   with --screenshots: home, a prompt, a tool, a story and the prompt index,
//            light and dark, 1280×900 and 390×844, full page.
//
// Prints a summary and exits 1 when anything failed, one failure per line; 2 on usage
// errors. Chromium: /usr/bin/chromium (or --chromium / $CHROMIUM).

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { start, normalizeBase } from './serve.mjs';

const require = createRequire(import.meta.url);
const MAX_URLS = 5000;
const FETCH_PARALLEL = 8;
const SCHEMES = ['light', 'dark'];
const VIEWPORTS = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
];
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// ---------------------------------------------------------------------------------------
// Command line

function usage(msg) {
  if (msg) console.error(`judge: ${msg}`);
  console.error(
    'usage: node judge.mjs SITE_DIR [--base /playbook/] [--screenshots OUT_DIR] [--no-axe]\n' +
      '                      [--axe-terms N] [--jobs N] [--report FILE.json] [--chromium PATH]',
  );
  process.exit(2);
}

let opts;
try {
  opts = parseArgs({
    allowPositionals: true,
    options: {
      base: { type: 'string', default: '/playbook/' },
      screenshots: { type: 'string' },
      'no-axe': { type: 'boolean', default: false },
      'axe-terms': { type: 'string', default: '4' },
      jobs: { type: 'string', default: '2' },
      report: { type: 'string' },
      chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
} catch (err) {
  usage(err.message);
}
if (opts.values.help) usage();
if (opts.positionals.length !== 1) usage('expected exactly one SITE_DIR');
const SITE = path.resolve(opts.positionals[0]);
if (!fs.existsSync(SITE) || !fs.statSync(SITE).isDirectory()) usage(`not a folder: ${SITE}`);
const BASE = normalizeBase(opts.values.base);
const AXE_TERMS = Number.parseInt(opts.values['axe-terms'], 10);
if (!Number.isInteger(AXE_TERMS) || AXE_TERMS < 0) usage('--axe-terms takes a number >= 0');
const DO_AXE = !opts.values['no-axe'];
const AXE_PARALLEL = Number.parseInt(opts.values.jobs, 10);
if (!Number.isInteger(AXE_PARALLEL) || AXE_PARALLEL < 1) usage('--jobs takes a number >= 1');
const SHOTS = opts.values.screenshots ? path.resolve(opts.values.screenshots) : null;

// ---------------------------------------------------------------------------------------
// Results

const failures = []; // { kind, text }
const notes = [];
const timings = {};
function fail(kind, text) {
  failures.push({ kind, text });
}
function since(t0) {
  return (performance.now() - t0) / 1000;
}

// ---------------------------------------------------------------------------------------
// A small HTML tokenizer: start tags with their attributes (and source offsets); the
// contents of script, style, textarea and title are skipped; comments are ignored.

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      try {
        return String.fromCodePoint(n);
      } catch {
        return m;
      }
    }
    const v = ENTITIES[e.toLowerCase()];
    return v === undefined ? m : v;
  });
}

function parseAttrs(src) {
  const attrs = new Map();
  const re = /([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  let m;
  while ((m = re.exec(src))) {
    const name = m[1].toLowerCase();
    if (attrs.has(name)) continue; // the first one wins, as in browsers
    const v = m[2] ?? m[3] ?? m[4] ?? '';
    attrs.set(name, decodeEntities(v));
  }
  return attrs;
}

const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title']);
function tokenize(html) {
  const tags = [];
  const lower = html.toLowerCase();
  const re = /<!--[\s\S]*?(?:-->|$)|<![^>]*>|<\?[^>]*>|<\/[^>]*>|<([a-zA-Z][a-zA-Z0-9:_-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
  let m;
  while ((m = re.exec(html))) {
    if (!m[1]) continue;
    const name = m[1].toLowerCase();
    tags.push({ name, attrs: parseAttrs(m[2]), offset: m.index });
    if (RAW_TEXT.has(name) && !m[2].trimEnd().endsWith('/')) {
      const end = lower.indexOf('</' + name, re.lastIndex);
      re.lastIndex = end < 0 ? html.length : end;
    }
  }
  return tags;
}

function lineOf(text, offset) {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function srcsetUrls(v) {
  // "a.png 1x, b.png 2x" (a URL may itself contain commas only when not followed by space)
  return v
    .split(/,\s+|,(?=\S+\s+\d)/)
    .map((c) => c.trim().split(/\s+/)[0])
    .filter(Boolean);
}

/** Links (with source offsets), ids, redirect target and <base> of an HTML document. */
function htmlLinks(html) {
  const links = [];
  const ids = new Set();
  let refresh = null;
  let baseHref = null;
  const add = (url, tag, offset) => url !== undefined && links.push({ url, tag, offset });
  for (const t of tokenize(html)) {
    const a = t.attrs;
    if (a.has('id')) ids.add(a.get('id'));
    switch (t.name) {
      case 'a':
        if (a.has('name')) ids.add(a.get('name'));
        add(a.get('href') ?? a.get('xlink:href'), 'a', t.offset);
        break;
      case 'area':
        add(a.get('href'), t.name, t.offset);
        break;
      case 'link':
        add(a.get('href'), `link rel=${a.get('rel') || ''}`, t.offset);
        if (a.has('imagesrcset')) for (const u of srcsetUrls(a.get('imagesrcset'))) add(u, 'link imagesrcset', t.offset);
        break;
      case 'script':
      case 'iframe':
      case 'embed':
      case 'track':
        add(a.get('src'), t.name, t.offset);
        break;
      case 'img':
      case 'source':
      case 'input':
        add(a.get('src'), t.name, t.offset);
        if (a.has('srcset')) for (const u of srcsetUrls(a.get('srcset'))) add(u, `${t.name} srcset`, t.offset);
        break;
      case 'video':
      case 'audio':
        add(a.get('src'), t.name, t.offset);
        add(a.get('poster'), `${t.name} poster`, t.offset);
        break;
      case 'object':
        add(a.get('data'), 'object', t.offset);
        break;
      case 'use':
      case 'image':
        add(a.get('href') ?? a.get('xlink:href'), t.name, t.offset);
        break;
      case 'form':
        if ((a.get('method') || 'get').toLowerCase() === 'get' && a.has('action')) add(a.get('action'), 'form action', t.offset);
        break;
      case 'base':
        if (a.has('href') && baseHref === null) baseHref = a.get('href');
        break;
      case 'meta':
        if ((a.get('http-equiv') || '').toLowerCase() === 'refresh') {
          const m = /url\s*=\s*['"]?([^'"]+)/i.exec(a.get('content') || '');
          if (m) {
            refresh = m[1].trim();
            add(refresh, 'meta refresh', t.offset);
          }
        }
        break;
    }
  }
  return { links, ids, refresh, baseHref };
}

function cssLinks(css) {
  const links = [];
  const noComments = css.replace(/\/\*[\s\S]*?\*\//g, (c) => ' '.repeat(c.length));
  for (const m of noComments.matchAll(/url\(\s*(['"]?)([^'")]*)\1\s*\)/g)) links.push({ url: m[2], tag: 'css url()', offset: m.index });
  for (const m of noComments.matchAll(/@import\s+(['"])([^'"]+)\1/g)) links.push({ url: m[2], tag: 'css @import', offset: m.index });
  return links;
}

function xmlLinks(xml) {
  const links = [];
  for (const m of xml.matchAll(/<loc>\s*([^<\s]+)\s*<\/loc>/g)) links.push({ url: decodeEntities(m[1]), tag: 'sitemap loc', offset: m.index });
  for (const m of xml.matchAll(/<link\b([^>]*)>/g)) {
    const a = parseAttrs(m[1]);
    if (a.has('href')) links.push({ url: a.get('href'), tag: 'feed link', offset: m.index });
  }
  return links;
}

function jsonLinks(text) {
  const links = [];
  let data;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { links, error: err.message };
  }
  const walk = (v, key) => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
    else if (typeof v === 'string' && /^(url|href|permalink|[a-z_]+_url)$/i.test(key || '') && v && !/\s/.test(v)) {
      links.push({ url: v, tag: `json "${key}"`, offset: 0 });
    }
  };
  walk(data, null);
  return { links };
}

// ---------------------------------------------------------------------------------------
// Crawl

function stripOrigin(u) {
  try {
    const x = new URL(u);
    return x.pathname + x.search + x.hash;
  } catch {
    return u;
  }
}

/** Paths of the HTML files on disk, as URLs under the base (`x/index.html` -> `x/`). */
function htmlFilesOnDisk(dir) {
  const out = [];
  const walk = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else if (e.isFile() && /\.html?$/i.test(e.name) && r !== '404.html') {
        out.push(r.replace(/(^|\/)index\.html$/i, '$1'));
      }
    }
  };
  walk(dir, '');
  return out.sort();
}

/** The production prefix (`https://org.github.io/playbook/`) read from the sitemap, if any. */
function productionPrefix() {
  const file = path.join(SITE, 'sitemap.xml');
  if (!fs.existsSync(file)) return null;
  const m = /<loc>\s*([^<\s]+)/.exec(fs.readFileSync(file, 'utf8'));
  if (!m) return null;
  try {
    const u = new URL(decodeEntities(m[1]));
    if (!u.pathname.startsWith(BASE)) return null;
    return u.origin + BASE;
  } catch {
    return null;
  }
}

async function crawl(origin) {
  const t0 = performance.now();
  const root = origin + BASE;
  const prod = productionPrefix();
  const pages = new Map(); // key (absolute URL without hash) -> record
  const queue = [];
  const fragments = []; // { key, fragment, from }
  const external = new Set();
  let bounded = false;

  const enqueue = (key, from, viaLink) => {
    let rec = pages.get(key);
    if (!rec) {
      if (pages.size >= MAX_URLS) {
        bounded = true;
        return;
      }
      rec = { url: key, from: [], linked: false, status: null };
      pages.set(key, rec);
      queue.push(rec);
    }
    if (viaLink) rec.linked = true;
    if (from && rec.from.length < 3 && !rec.from.includes(from)) rec.from.push(from);
    else if (from) rec.moreFrom = (rec.moreFrom || 0) + 1;
  };

  // Resolves one link found in `rec`; returns nothing, records failures.
  const follow = (rec, link, docBase, text) => {
    const raw = link.url.trim();
    if (raw === '' && link.tag !== 'a') return; // empty href is the page itself
    if (/^(mailto|tel|sms|javascript|data|blob|about):/i.test(raw)) return;
    const where = `${stripOrigin(rec.url)}${text ? `:${lineOf(text, link.offset)}` : ''} <${link.tag}>`;
    let u;
    try {
      u = new URL(raw, docBase);
    } catch {
      fail('link', `${where}: malformed URL ${JSON.stringify(raw)}`);
      return;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return;
    if (u.origin !== origin) {
      if (prod && u.href.startsWith(prod)) {
        u = new URL(BASE + u.href.slice(prod.length), origin);
      } else {
        external.add(u.href);
        return;
      }
    }
    if (!u.pathname.startsWith(BASE)) {
      fail('link', `${where}: ${JSON.stringify(raw)} escapes the base path ${BASE} (resolves to ${u.pathname})`);
      return;
    }
    const fragment = u.hash ? u.hash.slice(1) : '';
    u.hash = '';
    const key = u.href;
    const viaLink = rec.linked && !/^(sitemap|feed|json)/.test(link.tag);
    enqueue(key, where, viaLink);
    if (fragment && !link.tag.startsWith('css') && !link.tag.startsWith('use') && !link.tag.startsWith('sitemap')) {
      fragments.push({ key, fragment, where, raw });
    }
  };

  const visit = async (rec) => {
    let res;
    try {
      res = await fetch(rec.url, { redirect: 'manual' });
    } catch (err) {
      rec.status = 0;
      rec.error = err.message;
      return;
    }
    rec.status = res.status;
    rec.type = (res.headers.get('content-type') || '').split(';')[0].trim();
    if (res.status >= 300 && res.status < 400) rec.location = res.headers.get('location');
    const body = await res.text();
    if (res.status !== 200) return;
    const ext = path.extname(new URL(rec.url).pathname).toLowerCase();
    if (rec.type === 'text/html') {
      const { links, ids, refresh, baseHref } = htmlLinks(body);
      rec.html = true;
      rec.ids = ids;
      rec.refresh = refresh;
      rec.linkCount = links.length;
      const docBase = baseHref ? new URL(baseHref, rec.url).href : rec.url;
      for (const l of links) follow(rec, l, docBase, body);
    } else if (rec.type === 'text/css') {
      for (const l of cssLinks(body)) follow(rec, l, rec.url, body);
    } else if (rec.type.endsWith('xml') && ext !== '.svg') {
      for (const l of xmlLinks(body)) follow(rec, l, rec.url, body);
    } else if (rec.type === 'application/json') {
      const { links, error } = jsonLinks(body);
      if (error) fail('link', `${stripOrigin(rec.url)}: not valid JSON: ${error}`);
      for (const l of links) follow(rec, l, rec.url, null);
    }
  };

  // Seeds: the base URL first (the reader's way in), then what is not necessarily linked.
  enqueue(root, null, true);
  for (const extra of ['sitemap.xml', 'feed.xml', 'playbook.json', 'robots.txt']) {
    if (fs.existsSync(path.join(SITE, extra))) enqueue(root + extra, '(site root file)', false);
  }
  const diskSeeds = htmlFilesOnDisk(SITE).map((r) => root + r.split('/').map(encodeURIComponent).join('/'));

  let seeded = false;
  while (queue.length) {
    const batch = queue.splice(0, FETCH_PARALLEL);
    await Promise.all(batch.map(visit));
    if (!queue.length && !seeded) {
      // Breadth-first from the base is done: now the files nobody links to.
      seeded = true;
      for (const s of diskSeeds) enqueue(s, '(file on disk)', false);
    }
  }
  if (bounded) fail('link', `crawl stopped at ${MAX_URLS} URLs: the site is larger than the judges' bound`);

  for (const rec of pages.values()) {
    const from = rec.from.length ? ` (linked from ${rec.from.join(', ')}${rec.moreFrom ? ` and ${rec.moreFrom} more` : ''})` : '';
    if (rec.status === 200) continue;
    if (rec.status === 0) fail('link', `${stripOrigin(rec.url)}: request failed: ${rec.error}${from}`);
    else if (rec.location) fail('link', `${stripOrigin(rec.url)}: ${rec.status} redirect to ${rec.location} (link to the final URL instead)${from}`);
    else fail('link', `${stripOrigin(rec.url)}: ${rec.status}${from}`);
  }
  for (const f of fragments) {
    const target = pages.get(f.key);
    if (!target || target.status !== 200 || !target.html) continue;
    let id = f.fragment;
    try {
      id = decodeURIComponent(id);
    } catch {}
    if (!target.ids.has(id) && id !== 'top') {
      fail('link', `${f.where}: ${JSON.stringify(f.raw)}: no element with id="${id}" on ${stripOrigin(f.key)}`);
    }
  }

  const htmlPages = [...pages.values()].filter((r) => r.status === 200 && r.html);
  const orphans = htmlPages.filter((r) => !r.linked && !r.refresh).map((r) => stripOrigin(r.url));
  if (orphans.length) notes.push(`${orphans.length} HTML page(s) not reachable by links from the home page: ${orphans.slice(0, 8).join(', ')}${orphans.length > 8 ? ' …' : ''}`);
  const redirects = htmlPages.filter((r) => r.refresh).length;
  timings.crawl = since(t0);
  return { pages, htmlPages, external, redirects, prod };
}

// ---------------------------------------------------------------------------------------
// 404 checks

async function notFoundChecks(origin, pages) {
  const t0 = performance.now();
  const probes = [`${BASE}nope`, `${BASE}a/nope/`, `${BASE}a/b/nope/`, `${BASE}prompts/nope/`, `${BASE}nope.html`];
  const results = [];
  const cache = new Map();
  const status = async (u) => {
    const k = u.href;
    if (pages.has(k) && pages.get(k).status != null) return { status: pages.get(k).status, type: pages.get(k).type };
    if (!cache.has(k)) {
      cache.set(
        k,
        fetch(k, { redirect: 'manual' })
          .then(async (r) => ({ status: r.status, type: (r.headers.get('content-type') || '').split(';')[0], body: await r.text() }))
          .catch((err) => ({ status: 0, type: '', error: err.message })),
      );
    }
    return cache.get(k);
  };
  for (const probe of probes) {
    const url = origin + probe;
    const problems = [];
    const res = await fetch(url, { redirect: 'manual' });
    const body = await res.text();
    const type = (res.headers.get('content-type') || '').split(';')[0];
    if (res.status !== 404) problems.push(`status ${res.status}, expected 404`);
    if (type !== 'text/html') problems.push(`content type ${type || '(none)'}, expected text/html`);
    const { links, baseHref } = htmlLinks(body);
    const docBase = baseHref ? new URL(baseHref, url).href : url;
    const sheets = links.filter((l) => /^link rel=(.*\s)?stylesheet(\s|$)/i.test(l.tag));
    if (res.status === 404 && !sheets.length) problems.push('the 404 page links no stylesheet');
    for (const l of links) {
      if (/^(mailto|tel|javascript|data):/i.test(l.url) || l.url.startsWith('#')) continue;
      let u;
      try {
        u = new URL(l.url, docBase);
      } catch {
        problems.push(`<${l.tag}> ${JSON.stringify(l.url)} is malformed`);
        continue;
      }
      if (u.origin !== origin) continue;
      u.hash = '';
      if (!u.pathname.startsWith(BASE)) {
        problems.push(`<${l.tag}> ${JSON.stringify(l.url)} escapes the base path (resolves to ${u.pathname})`);
        continue;
      }
      const r = await status(u);
      const isSheet = sheets.includes(l);
      if (r.status !== 200) problems.push(`<${l.tag}> ${JSON.stringify(l.url)} resolves to ${u.pathname}, which answers ${r.status}`);
      else if (isSheet && r.type !== 'text/css') problems.push(`stylesheet ${u.pathname} is served as ${r.type}`);
    }
    results.push({ probe, status: res.status, sheets: sheets.map((s) => s.url), problems });
    for (const p of problems) fail('404', `${probe}: ${p}`);
  }
  timings.notFound = since(t0);
  return results;
}

// ---------------------------------------------------------------------------------------
// Browser: axe in light and dark, JS errors, failed requests, screenshots

function isTermPage(p) {
  const rel = p.slice(BASE.length);
  return /^(tags|roles|events)\/[^/]+\/$/.test(rel);
}

function axePages(htmlPages, origin) {
  const home = origin + BASE;
  const all = htmlPages.filter((r) => !r.refresh);
  const chosen = [];
  const terms = new Map(); // taxonomy -> term page records
  for (const r of all) {
    const p = new URL(r.url).pathname;
    if (AXE_TERMS > 0 && isTermPage(p)) {
      const tax = p.slice(BASE.length).split('/')[0];
      if (!terms.has(tax)) terms.set(tax, []);
      terms.get(tax).push(r);
    } else chosen.push(r.url);
  }
  // Of each taxonomy, the term pages with the most links: the longest, most varied lists.
  let skipped = 0;
  for (const list of terms.values()) {
    list.sort((a, b) => b.linkCount - a.linkCount || a.url.localeCompare(b.url));
    chosen.push(...list.slice(0, AXE_TERMS).map((r) => r.url));
    skipped += Math.max(0, list.length - AXE_TERMS);
  }
  chosen.sort((a, b) => (a === home ? -1 : b === home ? 1 : a.localeCompare(b)));
  chosen.push(home + 'nope/'); // the 404 page, as a reader meets it
  return { chosen, skipped };
}

async function launch() {
  if (!fs.existsSync(opts.values.chromium)) {
    throw new Error(`Chromium not found at ${opts.values.chromium} (install it: apt-get install -y chromium; or pass --chromium PATH)`);
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: opts.values.chromium, headless: true, args: CHROMIUM_ARGS });
}

/** Runs in the page: the elements that make it wider than the viewport, or null. */
function sidewaysScroll() {
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth <= width) return null;
  const clipped = (e) => {
    for (let a = e.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const culprits = [];
  const seen = new Set();
  for (const e of document.body.querySelectorAll('*')) {
    if (culprits.length >= 3) break;
    const r = e.getBoundingClientRect();
    if (r.right <= width + 1 || r.width === 0) continue;
    let a = e.parentElement;
    while (a && !seen.has(a)) a = a.parentElement;
    if (a) continue; // inside an element already reported
    if (clipped(e)) continue;
    seen.add(e);
    const cls = typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : '';
    const text = (e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    culprits.push(`<${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${cls}> "${text}" (right edge at ${Math.round(r.right)} px)`);
  }
  return { scrollWidth: root.scrollWidth, culprits: culprits.length ? culprits : ['(no single element found)'] };
}

async function browserJudges(origin, htmlPages) {
  const t0 = performance.now();
  const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const axeVersion = require('axe-core/package.json').version;
  const browser = await launch();
  const context = await browser.newContext({ viewport: VIEWPORTS[0], reducedMotion: 'reduce' });
  const blocked = new Set();
  await context.route(
    (u) => !u.href.startsWith(origin),
    (route) => {
      blocked.add(route.request().url());
      return route.abort('blockedbyclient');
    },
  );

  const { chosen, skipped } = DO_AXE ? axePages(htmlPages, origin) : { chosen: [], skipped: 0 };
  const violations = []; // { page, scheme, id, impact, help, nodes, target, summary }
  const incomplete = new Map(); // rule id -> { n, example }
  const work = [...chosen];
  const runAxe = (page) => page.evaluate(() => window.axe.run(document, { resultTypes: ['violations', 'incomplete'] }));

  // A fresh load per page and scheme, as a reader with that system setting gets it (a
  // theme script may read the scheme once, at load).
  const worker = async () => {
    const page = await context.newPage();
    let current = null;
    page.on('pageerror', (err) => current && fail('js', `${current.path} [${current.scheme}]: uncaught ${String(err.message || err).split('\n')[0]}`));
    page.on('console', (msg) => {
      if (current && msg.type() === 'error' && !/net::ERR_BLOCKED_BY_CLIENT|^Failed to load resource/.test(msg.text())) {
        fail('js', `${current.path} [${current.scheme}]: console.error: ${msg.text().split('\n')[0]}`);
      }
    });
    page.on('response', (res) => {
      if (!current || res.status() < 400) return;
      if (res.request().isNavigationRequest() && res.frame() === page.mainFrame()) return; // checked by the crawl
      fail('request', `${current.path} [${current.scheme}]: ${res.request().resourceType()} ${stripOrigin(res.url())} answered ${res.status()}`);
    });
    page.on('requestfailed', (req) => {
      if (!current || !req.url().startsWith(origin)) return;
      fail('request', `${current.path} [${current.scheme}]: ${req.resourceType()} ${stripOrigin(req.url())} failed: ${req.failure()?.errorText}`);
    });
    while (work.length) {
      const url = work.shift();
      const p = stripOrigin(url);
      current = { path: p, scheme: SCHEMES[0] };
      try {
        for (const scheme of SCHEMES) {
          current.scheme = scheme;
          await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
          await page.goto(url, { waitUntil: 'load', timeout: 30000 });
          await page.evaluate(() => document.fonts && document.fonts.ready);
          await page.addScriptTag({ content: axeSource });
          const r = await runAxe(page);
          for (const v of r.violations) {
            const n = v.nodes[0];
            violations.push({
              page: p,
              scheme,
              id: v.id,
              impact: v.impact,
              help: v.help,
              nodes: v.nodes.length,
              target: n ? n.target.map((t) => (Array.isArray(t) ? t.join(' >> ') : t)).join(' >> ') : '',
              summary: n ? ((n.any[0] || n.all[0] || n.none[0] || {}).message || '').split('\n')[0] : '',
            });
          }
          for (const v of r.incomplete) {
            const e = incomplete.get(v.id) || { n: 0, example: `${p} [${scheme}] ${v.nodes[0] ? v.nodes[0].target.join(' >> ') : ''}` };
            e.n++;
            incomplete.set(v.id, e);
          }
        }
        // The same document on a phone: nothing may make the page scroll sideways.
        const phone = VIEWPORTS[VIEWPORTS.length - 1];
        await page.setViewportSize(phone);
        const wide = await page.evaluate(sidewaysScroll);
        await page.setViewportSize(VIEWPORTS[0]);
        if (wide) {
          fail('layout', `${p} at ${phone.width} px: the page scrolls sideways (${wide.scrollWidth} px wide), caused by ${wide.culprits.join('; ')}`);
        }
      } catch (err) {
        fail('axe', `${p} [${current.scheme}]: could not run axe: ${String(err.message).split('\n')[0]}`);
      }
      current = null;
    }
    await page.close();
  };
  await Promise.all(Array.from({ length: AXE_PARALLEL }, worker));
  timings.axe = since(t0);

  for (const v of violations) {
    fail('axe', `${v.page} [${v.scheme}] ${v.id} (${v.impact}): ${v.nodes} node(s), e.g. ${v.target}${v.summary ? ` — ${v.summary}` : ''} — ${v.help}`);
  }

  let shots = [];
  if (SHOTS) shots = await screenshots(context, origin, htmlPages);
  await context.close();
  await browser.close();
  return { violations, incomplete, chosen: chosen.length, skipped, blocked, shots, axeVersion };
}

async function screenshots(context, origin, htmlPages) {
  const t0 = performance.now();
  fs.mkdirSync(SHOTS, { recursive: true });
  const paths = htmlPages.filter((r) => !r.refresh).map((r) => new URL(r.url).pathname).sort();
  const first = (kind) => paths.find((p) => new RegExp(`^${BASE}${kind}/[^/]+/$`).test(p));
  const targets = [
    ['home', BASE],
    ['prompt', first('prompts')],
    ['tool', first('tools')],
    ['story', first('stories')],
    ['prompt-index', paths.includes(`${BASE}prompts/`) ? `${BASE}prompts/` : undefined],
  ];
  const page = await context.newPage();
  const written = [];
  for (const [name, p] of targets) {
    if (!p) {
      fail('screenshot', `no ${name} page found to photograph`);
      continue;
    }
    for (const vp of VIEWPORTS) {
      await page.setViewportSize(vp);
      for (const scheme of SCHEMES) {
        await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
        await page.goto(origin + p, { waitUntil: 'load' });
        await page.evaluate(() => document.fonts && document.fonts.ready);
        const file = path.join(SHOTS, `${name}-${scheme}-${vp.width}.png`);
        await page.screenshot({ path: file, fullPage: true });
        written.push({ file, page: p });
      }
    }
  }
  await page.close();
  timings.screenshots = since(t0);
  return written;
}

// ---------------------------------------------------------------------------------------
// Main

const t0 = performance.now();
const server = await start(SITE, BASE);
let exitCode = 0;
try {
  console.log(`judges: ${SITE} served at ${server.url}${BASE}`);
  const { pages, htmlPages, external, redirects, prod } = await crawl(server.url);
  const byType = {};
  for (const r of pages.values()) if (r.status === 200) byType[r.type] = (byType[r.type] || 0) + 1;
  const linkFails = failures.filter((f) => f.kind === 'link').length;
  console.log(
    `crawl: ${pages.size} URLs in ${timings.crawl.toFixed(1)} s (${Object.entries(byType)
      .map(([t, n]) => `${n} ${t}`)
      .join(', ')}); ${htmlPages.length} HTML pages (${redirects} alias redirect pages); ` +
      `${linkFails} broken link(s); ${external.size} external URL(s) not checked` +
      (prod ? `; ${prod} mapped to the local server` : ''),
  );

  const nf = await notFoundChecks(server.url, pages);
  const nfFails = failures.filter((f) => f.kind === '404').length;
  console.log(`404: ${nf.length} missing paths checked in ${timings.notFound.toFixed(1)} s (${nf.map((r) => `${r.probe} → ${r.status}`).join(', ')}); ${nfFails} problem(s)`);

  const b = DO_AXE || SHOTS ? await browserJudges(server.url, htmlPages) : null;
  if (DO_AXE) {
    const rules = new Map();
    for (const v of b.violations) {
      const r = rules.get(v.id) || { id: v.id, impact: v.impact, help: v.help, results: 0, nodes: 0, pages: new Set(), schemes: new Set(), example: v };
      r.results++;
      r.nodes += v.nodes;
      r.pages.add(v.page);
      r.schemes.add(v.scheme);
      rules.set(v.id, r);
    }
    console.log(
      `axe ${b.axeVersion}: ${b.chosen} pages × ${SCHEMES.length} schemes in ${timings.axe.toFixed(1)} s` +
        (b.skipped ? ` (${b.skipped} more taxonomy term pages share their template and were skipped; --axe-terms 0 checks all)` : '') +
        `; ${rules.size} rule(s) violated`,
    );
    for (const r of [...rules.values()].sort((a, b) => b.nodes - a.nodes)) {
      console.log(
        `  ${r.id} (${r.impact}): ${r.pages.size} page(s), ${[...r.schemes].join('+')}, ${r.nodes} node(s) — ${r.help}\n` +
          `      e.g. ${r.example.page} [${r.example.scheme}] ${r.example.target}${r.example.summary ? `: ${r.example.summary}` : ''}`,
      );
    }
    if (b.incomplete.size) {
      console.log(`  needs review (axe "incomplete", not failures): ${[...b.incomplete].map(([id, e]) => `${id} ×${e.n} (e.g. ${e.example})`).join(', ')}`);
    }
    const jsFails = failures.filter((f) => f.kind === 'js' || f.kind === 'request').length;
    const layoutFails = failures.filter((f) => f.kind === 'layout').length;
    console.log(
      `browser: ${jsFails} JavaScript error(s) or failed request(s); ${layoutFails} page(s) scroll sideways at ${VIEWPORTS[VIEWPORTS.length - 1].width} px; ` +
        `${b.blocked.size} external request(s) blocked`,
    );
  } else {
    console.log('axe: skipped (--no-axe)');
  }
  if (SHOTS) console.log(`screenshots: ${b.shots.length} PNGs in ${SHOTS} (${timings.screenshots.toFixed(1)} s)`);
  for (const n of notes) console.log(`note: ${n}`);

  timings.total = since(t0);
  if (opts.values.report) {
    fs.writeFileSync(opts.values.report, JSON.stringify({ site: SITE, base: BASE, timings, failures, notes }, null, 2));
  }
  console.log(`time: ${Object.entries(timings).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}`);
  if (failures.length) {
    console.log(`\nFAILED: ${failures.length} problem(s)`);
    for (const f of failures) console.log(`FAIL ${f.kind}: ${f.text}`);
    exitCode = 1;
  } else {
    console.log('\nPASSED: no broken links, 404 page works at every depth' + (DO_AXE ? ', no axe violations' : ''));
  }
} catch (err) {
  console.error(`judge: ${err.stack || err}`);
  exitCode = 1;
} finally {
  await server.close();
}
process.exit(exitCode);
