// The corpus search judge (issue 7), run by tests/corpora/main.rs:
//
//   node tests/browser/corpus-queries.mjs SITE_DIR QUERIES.json [SITE_DIR QUERIES.json …]
//
// Serves each built corpus site under /playbook/ and runs its query table (see
// query-table.mjs) through the real /search/ page in headless Chromium; a script error
// on the page fails too. Prints one line per check, then "N passed, M failed"; exits 1
// if any failed, 2 on wrong usage.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import { start } from './serve.mjs';
import { runQueryTable } from './query-table.mjs';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

const args = process.argv.slice(2);
if (args.length === 0 || args.length % 2 !== 0) {
  console.error('usage: node corpus-queries.mjs SITE_DIR QUERIES.json [SITE_DIR QUERIES.json …]');
  process.exit(2);
}

let passed = 0, failed = 0;
function check(ok, name, detail) {
  if (ok) { passed++; console.log(`ok - ${name}`); }
  else { failed++; console.log(`not ok - ${name}${detail ? `\n    ${detail}` : ''}`); }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (let i = 0; i < args.length; i += 2) {
    const [siteDir, table] = [args[i], args[i + 1]];
    const queries = JSON.parse(fs.readFileSync(table, 'utf8'));
    const server = await start(siteDir, '/playbook/');
    const ctx = await browser.newContext();
    // The corpora embed third-party iframes and images; nothing leaves the machine.
    await ctx.route('**/*', (route) => (route.request().url().startsWith(server.url + '/') ? route.continue() : route.abort()));
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      console.log(`# ${table}`);
      await runQueryTable(page, `${server.url}/playbook/`, queries, check);
      check(errors.length === 0, `no script errors (${table})`, errors.join('; '));
    } catch (e) {
      check(false, `the query table ran to the end (${table})`, e && e.stack);
    } finally {
      await ctx.close();
      await server.close();
    }
  }
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
