// `playbook serve` seen from a real browser tab that stays open: an edit shows up without
// a manual reload, a broken page shows the error overlay over the last good page, the fix
// removes it, and a stylesheet edit swaps the CSS without reloading the page.
//
//   node tests/browser/live-reload.mjs PLAYBOOK_BINARY PLAYBOOK_DIR
//
// PLAYBOOK_DIR must hold content/prompts/live.md (a valid prompt) and
// themes/default/static/style.css (a theme override). Every wait is bounded; the server is stopped by PID.

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [bin, dir] = process.argv.slice(2);
if (!bin || !dir) {
  console.error('usage: node tests/browser/live-reload.mjs PLAYBOOK_BINARY PLAYBOOK_DIR');
  process.exit(2);
}
const failures = [];
function expect(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
}

const server = spawn(bin, ['serve', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
let log = '';
server.stdout.on('data', (d) => { log += d; });
server.stderr.on('data', (d) => { log += d; });
const url = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`serve printed no URL in 30 s:\n${log}`)), 30000);
  const check = () => {
    const m = log.match(/Serving at (\S+)/);
    if (m) { clearTimeout(timer); resolve(m[1]); } else setTimeout(check, 50);
  };
  check();
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = join(dir, 'content', 'prompts', 'live.md');
const original = readFileSync(page, 'utf8');
try {
  const tab = await browser.newPage();
  await tab.goto(url + 'prompts/live/');
  // Wait until the live-reload stream is open before editing.
  await tab.waitForFunction(() => window.__playbookLive && window.__playbookLive.readyState === 1, null, { timeout: 10000 });
  expect(await tab.locator('text=First version.').count() === 1, 'the page shows the first version');

  // 1. An edit appears by itself.
  writeFileSync(page, original.replace('First version.', 'Second version.'));
  const reloaded = await tab.waitForSelector('text=Second version.', { timeout: 10000 }).then(() => true, () => false);
  expect(reloaded, 'an edit shows up in the open tab without a manual reload');

  // 2. A broken front matter shows the overlay over the last good page.
  await tab.waitForFunction(() => window.__playbookLive && window.__playbookLive.readyState === 1, null, { timeout: 10000 });
  writeFileSync(page, original.replace('purpose =', 'purpse ='));
  const overlay = await tab.waitForSelector('#playbook-error-overlay', { timeout: 10000 }).then(() => true, () => false);
  expect(overlay, 'a broken page shows the error overlay');
  if (overlay) {
    const text = await tab.locator('#playbook-error-overlay').innerText();
    expect(text.includes('content/prompts/live.md:') && text.includes('did you mean `purpose`?'),
      'the overlay names file:line:column and the fix');
    expect(await tab.locator('text=Second version.').count() === 1, 'the last good page stays underneath');
  }

  // 3. The fix removes the overlay and shows the new text.
  writeFileSync(page, original.replace('First version.', 'Third version.'));
  const fixed = await tab.waitForSelector('text=Third version.', { timeout: 10000 }).then(() => true, () => false);
  expect(fixed && (await tab.locator('#playbook-error-overlay').count()) === 0, 'the fix removes the overlay and shows the new text');

  // 4. A stylesheet edit swaps the CSS without reloading the page.
  await tab.waitForFunction(() => window.__playbookLive && window.__playbookLive.readyState === 1, null, { timeout: 10000 });
  await tab.evaluate(() => { window.__notReloaded = true; });
  const css = join(dir, 'themes', 'default', 'static', 'style.css');
  writeFileSync(css, '.page-header h1 { color: rgb(1, 2, 3); }\n');
  const swapped = await tab.waitForFunction(() => {
    const h = document.querySelector('.page-header h1');
    return h && getComputedStyle(h).color === 'rgb(1, 2, 3)';
  }, null, { timeout: 10000 }).then(() => true, () => false);
  expect(swapped, 'a stylesheet edit restyles the page');
  expect(await tab.evaluate(() => window.__notReloaded === true), 'without reloading it');
} finally {
  writeFileSync(page, original);
  await browser.close();
  server.kill('SIGTERM');
}
if (failures.length) {
  console.error(`\n${failures.length} live-reload expectation(s) failed:`);
  for (const f of failures) console.error(`  - ${f}`);
  console.error(`\nserve's output:\n${log}`);
  process.exit(1);
}
console.log('\nlive reload: all expectations hold');
