// The search judge (issue 9), run by tests/search_browser.rs:
//
//   node tests/browser/search-queries.mjs SITE_DIR FIXTURES_DIR
//
// Serves a built fixture site under /playbook/ and drives headless Chromium through it:
// the browser's text analysis against the index's (token and stem tables), a table of
// queries → expected top-3 result, the header panel with the keyboard, the /search/
// page's URL state, the empty state, no JavaScript, a strict CSP, no request leaving
// the site, and axe-core in light and dark. Prints one line per check, then
// "N passed, M failed"; exits 1 if any failed.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { start } from './serve.mjs';
import { results, runQueryTable } from './query-table.mjs';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const here = path.dirname(fileURLToPath(import.meta.url));
const AXE = path.join(here, 'node_modules', 'axe-core', 'axe.min.js');

const [siteDir, fixtures] = process.argv.slice(2);
if (!siteDir || !fixtures) {
  console.error('usage: node search-queries.mjs SITE_DIR FIXTURES_DIR');
  process.exit(2);
}
const tokens = JSON.parse(fs.readFileSync(path.join(fixtures, 'tokens.json'), 'utf8'));
const stems = fs.readFileSync(path.join(fixtures, 'stems.tsv'), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
const stemsDe = fs.readFileSync(path.join(fixtures, 'stems-de.tsv'), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
const queries = JSON.parse(fs.readFileSync(path.join(fixtures, 'queries.json'), 'utf8'));

let passed = 0, failed = 0;
function check(ok, name, detail) {
  if (ok) { passed++; console.log(`ok - ${name}`); }
  else { failed++; console.log(`not ok - ${name}${detail ? `\n    ${detail}` : ''}`); }
}

const server = await start(siteDir, '/playbook/');
const root = `${server.url}/playbook/`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// Every request must stay on the site (offline, no external resources).
const outside = [];
async function newPage(opts = {}) {
  const ctx = await browser.newContext(opts);
  await ctx.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(server.url + '/')) return route.continue();
    outside.push(u);
    return route.abort();
  });
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) page.errors.push(m.text());
  });
  return page;
}

try {
  const page = await newPage();
  await page.goto(root + 'search/');

  // 1. The browser analyses text exactly as the index did.
  const gotTokens = await page.evaluate((t) => t.map(([s]) => window.playbookSearch.analyze(s, 'en')), tokens);
  const badTokens = tokens.filter(([s, want], i) => JSON.stringify(gotTokens[i]) !== JSON.stringify(want));
  check(badTokens.length === 0, `token table: ${tokens.length} texts analysed as the index does`,
    badTokens.slice(0, 5).map(([s, w]) => `${JSON.stringify(s)}: want ${JSON.stringify(w)} got ${JSON.stringify(gotTokens[tokens.findIndex((x) => x[0] === s)])}`).join('\n    '));
  const gotStems = await page.evaluate((s) => s.map(([w]) => window.playbookSearch.porter2(w)), stems);
  const badStems = stems.filter(([w, s], i) => gotStems[i] !== s);
  check(badStems.length === 0, `stem table: ${stems.length} words stemmed as rust-stemmers does`,
    badStems.slice(0, 5).map(([w, s]) => `${w}: want ${s} got ${gotStems[stems.findIndex((x) => x[0] === w)]}`).join('; '));

  const gotDe = await page.evaluate((s) => s.map(([w]) => window.playbookSearch.german(w)), stemsDe);
  const badDe = stemsDe.filter(([w, s], i) => gotDe[i] !== s);
  check(badDe.length === 0, `German stem table: ${stemsDe.length} words stemmed as rust-stemmers does`,
    badDe.slice(0, 5).map(([w, s]) => `${w}: want ${s}`).join('; '));

  // 2. Queries → expected top-3 result, through the /search/ page and its URL.
  await runQueryTable(page, root, queries, check);

  // Title pairs are terms of the index, never words: the word being typed does not
  // complete to one, and none is highlighted.
  const pairTerms = await page.evaluate(async () => {
    const out = [];
    for (const q of ['crew ladd', 'crew ladder', 'running a crew', 'retrospective star']) {
      const r = await window.playbookSearch.index.search(q, true);
      out.push(...Object.keys(r.terms).filter((t) => t.includes('!')));
    }
    return out;
  });
  check(pairTerms.length === 0, 'title pairs are never offered as words', JSON.stringify(pairTerms));

  // 3. Highlighted matches, kind badges, summaries, the count announced.
  await page.goto(`${root}search/?q=${encodeURIComponent('stakeholder map')}`);
  await results(page);
  const first = await page.$eval('.search-page-results .search-hit', (li) => ({
    marks: Array.from(li.querySelectorAll('mark')).map((m) => m.textContent),
    badge: li.querySelector('.kind-badge').textContent,
    summary: li.querySelector('.search-hit-summary').textContent,
    href: li.querySelector('a').getAttribute('href'),
  }));
  check(first.marks.includes('Stakeholder') && first.marks.includes('Map'), 'matches are highlighted with <mark>', JSON.stringify(first));
  check(first.badge === 'Tool' && first.summary.length > 10, 'results show a kind badge and a summary', JSON.stringify(first));
  check(first.href === '/playbook/tools/stakeholder-map/', 'result links keep the base path', first.href);
  const status = await page.$eval('.search-page-results [role=status]', (e) => e.textContent);
  check(/^\d+ results? for/.test(status), 'the result count is in a role=status element', status);

  // 4. Filter chips with counts; a chip puts the filter in the URL.
  await page.goto(`${root}search/?q=retrospective`);
  await results(page);
  await page.waitForSelector('.search-page-results .search-chips button[data-dim=role]');
  const chips = await page.$$eval('.search-page-results .search-chips button', (bs) => bs.map((b) => b.getAttribute('data-dim') + ':' + b.textContent));
  check(chips.some((c) => /^kind:Tool\d+$/.test(c)) && chips.some((c) => c.startsWith('role:')) && chips.some((c) => c.startsWith('tag:')),
    'filter chips for kind, role and tag show counts', JSON.stringify(chips));
  await page.click('.search-page-results .search-chips button[data-dim=kind][data-value=story]');
  await page.waitForFunction(() => /kind=story/.test(location.search));
  await page.waitForSelector('.search-page-results button[data-value=story][aria-pressed=true]');
  const storyTitles = await results(page);
  check(/[?&]q=retrospective/.test(page.url()) && storyTitles.length > 0 && storyTitles[0] === 'A retrospective that changed the roadmap',
    'a chip filters the results and keeps q and the filter in the URL', `${page.url()} ${JSON.stringify(storyTitles)}`);
  const pressed = await page.getAttribute('.search-page-results button[data-value=story]', 'aria-pressed');
  check(pressed === 'true', 'the active chip is marked aria-pressed');

  // 5. The header box on any page: results as you type, arrow keys, Escape.
  const tool = await newPage();
  await tool.goto(root + 'tools/five-whys/');
  await tool.keyboard.press('/');
  check(await tool.evaluate(() => document.activeElement && document.activeElement.id === 'site-search'), '"/" focuses the header search box');
  await tool.keyboard.type('stakeh', { delay: 30 });
  await tool.waitForSelector('#search-panel:not([hidden]) .search-hit');
  const panelTitles = await tool.$$eval('#search-panel .search-hit-title', (els) => els.map((e) => e.textContent));
  check(panelTitles.includes('Stakeholder Map'), 'the header panel shows results as you type', JSON.stringify(panelTitles));
  await tool.keyboard.press('ArrowDown');
  const focused = await tool.evaluate(() => document.activeElement.closest('.search-panel') !== null && document.activeElement.tagName);
  await tool.keyboard.press('ArrowDown');
  const moved = await tool.evaluate(() => document.activeElement.closest('.search-panel') !== null);
  check(focused && moved, 'arrow keys move into and through the results', String(focused));
  await tool.keyboard.press('Escape');
  const closed = await tool.evaluate(() => document.getElementById('search-panel').hidden && document.activeElement.id === 'site-search');
  check(closed, 'Escape closes the panel and returns to the box');
  // A misspelled word typed key by key ("stakh…" begins no word): its typo list waits
  // for the pause, and the wait shows "Searching…", not the empty state; then the
  // correction's results.
  await tool.fill('#site-search', '');
  await tool.evaluate(() => {
    window.__statuses = [];
    const s = document.querySelector('#search-panel .search-status');
    new MutationObserver(() => window.__statuses.push(s.textContent)).observe(s, { childList: true, characterData: true, subtree: true });
  });
  await tool.keyboard.type('stakholder', { delay: 30 });
  await tool.waitForFunction(() => /results? for “stakholder”/.test(document.querySelector('#search-panel .search-status').textContent));
  const typoTitles = await tool.$$eval('#search-panel .search-hit-title', (els) => els.map((e) => e.textContent));
  const statuses = await tool.evaluate(() => window.__statuses);
  check(typoTitles.includes('Stakeholder Map') && !statuses.some((s) => /^No results for “stakh/.test(s)),
    'a misspelled word typed in the header box is corrected once typing pauses, with no empty state before',
    JSON.stringify({ typoTitles, statuses }));
  await tool.keyboard.press('Escape');
  const typing = await tool.evaluate(() => { document.getElementById('site-search').value = ''; return true; });
  await tool.focus('#site-search');
  await tool.keyboard.type('a/b');
  check(typing && (await tool.inputValue('#site-search')) === 'a/b', '"/" types normally inside the box');
  check(tool.errors.length === 0 && page.errors.length === 0, 'no script errors', [...tool.errors, ...page.errors].join('; '));

  // 6. Without JavaScript the header form still goes to /search/?q=….
  const nojs = await newPage({ javaScriptEnabled: false });
  await nojs.goto(root + 'tools/five-whys/');
  await nojs.fill('#site-search', 'lean coffee');
  await Promise.all([nojs.waitForURL(/\/playbook\/search\/\?q=lean\+coffee/), nojs.press('#site-search', 'Enter')]);
  check(true, 'without JavaScript the header form submits to /search/?q=…');

  // 7. A strict CSP: no inline script or style, no eval; search still works.
  const csp = await newPage();
  const violations = [];
  await csp.route('**/*', async (route) => {
    const u = route.request().url();
    if (!u.startsWith(server.url + '/')) { outside.push(u); return route.abort(); }
    const resp = await route.fetch();
    const headers = { ...resp.headers(), 'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'" };
    return route.fulfill({ response: resp, headers });
  });
  await csp.exposeFunction('reportViolation', (v) => violations.push(v));
  await csp.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`)));
  await csp.goto(`${root}search/?q=${encodeURIComponent('lean coffee')}`);
  const cspTitles = await results(csp);
  await csp.focus('#site-search');
  await csp.keyboard.type('five');
  await csp.waitForSelector('#search-panel:not([hidden]) .search-hit');
  const searchViolations = violations.filter((v) => /search/.test(v));
  check(cspTitles[0] === 'Lean Coffee' && searchViolations.length === 0, 'search works under a strict CSP', JSON.stringify({ cspTitles, violations }));

  // 8. axe-core, light and dark, on the search page with results and a page with the panel open.
  for (const scheme of ['light', 'dark']) {
    const a = await newPage({ colorScheme: scheme });
    await a.goto(`${root}search/?q=retrospective`);
    await results(a);
    await a.waitForSelector('.search-page-results .search-chips button[data-dim=role]');
    await a.focus('#site-search');
    await a.keyboard.type('stake');
    await a.waitForSelector('#search-panel:not([hidden]) .search-hit');
    await a.addScriptTag({ path: AXE });
    const r = await a.evaluate(async () => {
      const res = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] });
      return res.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
    });
    check(r.length === 0, `axe-core finds nothing on search results (${scheme})`, r.join('\n    '));
  }

  check(outside.length === 0, 'no request leaves the site (works offline)', outside.slice(0, 5).join(' '));
} catch (e) {
  check(false, 'the judge ran to the end', e && e.stack);
} finally {
  await browser.close();
  await server.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
