// A table of search queries run through a built site's /search/ page, shared by the
// search judge (search-queries.mjs) and the corpus judge (corpus-queries.mjs).
//
// Each row: { q, top, first?, only?, none?, filters?, why }. `top` must be the first
// result when `first` is set, else among the first three; `only` asks for exactly one
// result; `none` for the empty state.

// Waits for the /search/ page's results and returns their titles, in order.
export async function results(page) {
  await page.waitForFunction(() => {
    const s = document.querySelector('.search-page-results .search-status');
    return s && s.textContent && !/Searching/.test(s.textContent) && !document.querySelector('.search-page-results .search-results[aria-busy]');
  }, null, { timeout: 10000 });
  return page.$$eval('.search-page-results .search-hit-title', (els) => els.map((e) => e.textContent));
}

// Runs every row of `queries` against the site at `root` (ending in `/`), reporting
// each through `check(ok, name, detail)`.
export async function runQueryTable(page, root, queries, check) {
  for (const t of queries) {
    const params = new URLSearchParams({ q: t.q, ...(t.filters || {}) });
    await page.goto(`${root}search/?${params}`);
    const titles = await results(page);
    const top3 = titles.slice(0, 3);
    const label = `query ${JSON.stringify(t.q)}${t.filters ? ' ' + JSON.stringify(t.filters) : ''} (${t.why})`;
    if (t.none) {
      const status = await page.textContent('.search-page-results .search-status');
      check(titles.length === 0 && /No results/.test(status), `${label}: empty state`, `got ${JSON.stringify(top3)} / ${status}`);
      continue;
    }
    const ok = t.first ? top3[0] === t.top : top3.includes(t.top);
    const only = !t.only || titles.length === 1;
    check(ok && only, `${label} → ${t.first ? 'first' : 'top 3'}: ${t.top}`, `got ${JSON.stringify(top3)} of ${titles.length}`);
  }
}
