// The reader's interactions in a real browser, on a built site served under /playbook/:
// index filters (and their state in the URL), the random prompt, the colour scheme
// switch that remembers the choice, the print stylesheets, and pages without JavaScript.
//
//   node tests/browser/reader-ui.mjs SITE_DIR
//
// Exits 1 listing every failed expectation.

import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start } from './serve.mjs';

const site = process.argv[2];
if (!site) {
  console.error('usage: node tests/browser/reader-ui.mjs SITE_DIR');
  process.exit(2);
}
const failures = [];
function expect(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
}

// Under a strict Content Security Policy: the theme must need no inline script or style.
const server = await start(site, '/playbook/', { csp: true });
const profile = mkdtempSync(join(tmpdir(), 'reader-ui-'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const base = server.url.replace(/\/$/, '') + '/playbook/';
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  // --- Filters -------------------------------------------------------------------
  await page.goto(base + 'prompts/');
  const total = await page.locator('#cards > li.card').count();
  expect(total > 1, `the prompt index lists prompts (${total})`);
  expect(await page.locator('#filters').isVisible(), 'filters are shown when JavaScript runs');
  // The first tag value: click it and expect exactly the cards carrying it.
  const tagBox = page.locator('input[name="tag"]').first();
  const tag = await tagBox.getAttribute('value');
  const expected = await page.$$eval('#cards > li.card', (cards, t) =>
    cards.filter((c) => (c.dataset.tag || '').split(' ').includes(t)).length, tag);
  await tagBox.check();
  const visible = await page.locator('#cards > li.card:visible').count();
  expect(visible === expected && visible < total,
    `checking tag "${tag}" shows its ${expected} prompt(s) of ${total} (shown: ${visible})`);
  const status = await page.locator('#filter-status').textContent();
  expect(status.includes(`${visible} of ${total}`), `the status says "${visible} of ${total}" (${status.trim()})`);
  expect(page.url().includes(`tag=${encodeURIComponent(tag)}`), `the URL carries the filter (${page.url()})`);
  // A shared URL restores the same view.
  const shared = page.url();
  const page2 = await ctx.newPage();
  await page2.goto(shared);
  const visible2 = await page2.locator('#cards > li.card:visible').count();
  expect(visible2 === visible, `opening the shared URL shows the same ${visible} prompt(s) (${visible2})`);
  expect(await page2.locator(`input[name="tag"][value="${tag}"]`).isChecked(), 'and the same box is checked');
  await page2.close();
  // A role and a tag together narrow further (AND across groups).
  const roleBox = page.locator('input[name="role"]').first();
  const role = await roleBox.getAttribute('value');
  const both = await page.$$eval('#cards > li.card', (cards, [t, r]) =>
    cards.filter((c) => (c.dataset.tag || '').split(' ').includes(t) &&
      (c.dataset.role || '').split(' ').includes(r)).length, [tag, role]);
  await roleBox.check();
  const visibleBoth = await page.locator('#cards > li.card:visible').count();
  expect(visibleBoth === both, `tag "${tag}" and role "${role}" together show ${both} (${visibleBoth})`);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.waitForFunction((n) => document.querySelectorAll('#cards > li.card:not([hidden])').length === n, total);
  expect(!page.url().includes('?'), 'clearing the filters clears the URL');

  // --- Random prompt -------------------------------------------------------------
  await Promise.all([page.waitForURL(/\/playbook\/prompts\/[^/]+\/$/), page.locator('#random-prompt').click()]);
  expect(/\/prompts\/[^/]+\/$/.test(page.url()), `"Random prompt" opens a prompt (${page.url()})`);

  // --- Colour scheme switch ------------------------------------------------------
  await page.goto(base);
  const toggle = page.locator('#theme-toggle');
  expect(await toggle.isVisible(), 'the colour scheme switch is shown');
  const before = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await toggle.click();
  const scheme = await page.evaluate(() => document.documentElement.dataset.theme);
  const after = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(scheme === 'dark' && before !== after, `the switch turns the page dark (${before} → ${after})`);
  await page.reload();
  expect(await page.evaluate(() => document.documentElement.dataset.theme) === 'dark',
    'the choice is remembered after a reload');
  expect(await toggle.getAttribute('aria-pressed') === 'true', 'the switch says it is pressed');
  await toggle.click();

  // --- Print ---------------------------------------------------------------------
  await page.goto(base + 'prompts/');
  await page.emulateMedia({ media: 'print' });
  expect(!(await page.locator('.site-header').isVisible()), 'printing hides the site header');
  expect(!(await page.locator('#filters').isVisible()), 'printing hides the filters');
  const columns = await page.$eval('#cards', (el) => getComputedStyle(el).gridTemplateColumns.split(' ').length);
  expect(columns === 2, `the printed prompt index is a deck of cards, two per row (${columns})`);
  const avoid = await page.$eval('#cards > li.card', (el) => getComputedStyle(el).breakInside);
  expect(avoid === 'avoid', `a card never breaks across sheets (break-inside: ${avoid})`);
  expect(await page.locator('#cards > li.card .card-back').first().isVisible(),
    'each printed card carries the prompt\'s back (when, instead of, follow-ups)');
  const pdf = await page.pdf({ format: 'A4' });
  expect(pdf.length > 1000, `the deck prints to PDF (${pdf.length} bytes)`);
  const promptUrl = await page.$eval('#cards > li.card > a', (a) => a.href);
  await page.goto(promptUrl);
  expect(!(await page.locator('.body').isVisible()), 'a printed prompt page is one card: the body is left out');
  expect(await page.locator('.fields').isVisible(), 'and its fields are on the card');
  await page.emulateMedia({ media: 'screen' });
  expect(errors.length === 0, `no JavaScript errors or CSP violations (${errors.join('; ')})`);
  await ctx.close();

  // --- Without JavaScript ----------------------------------------------------------
  const nojs = await browser.newContext({ javaScriptEnabled: false });
  const p3 = await nojs.newPage();
  await p3.goto(base + 'prompts/');
  expect(!(await p3.locator('#filters').isVisible()), 'without JavaScript the filters stay hidden');
  expect(await p3.locator('#cards > li.card:visible').count() === total, 'and every prompt is listed');
  expect(!(await p3.locator('#theme-toggle').isVisible()), 'and no dead switch is shown');
  await nojs.close();
} finally {
  await browser.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`\n${failures.length} reader UI expectation(s) failed:`);
  for (const f of failures) console.error(`  - ${f}`);
  process.exit(1);
}
console.log('\nreader UI: all expectations hold');
