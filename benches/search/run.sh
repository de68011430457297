#!/usr/bin/env bash
# Search benchmark (issue 9): a benchmark, not a test. Run from anywhere:
#
#   benches/search/run.sh [--pages N] [--no-man] [--accents] [--no-pagefind]
#                         [--no-browser] [--samples N] [--queries N] [--runs N]
#                         [--playbook BIN]
#
# playbook is built with `cargo build --release` unless --playbook names a binary (such
# as the release build of scripts/pgo-build.sh).
#
# On the generated playbook (../shared/bench/gen_playbook.py) and on the machine's man
# pages (benches/search/man_corpus.py; never committed), all on /dev/shm. Both are
# plain ASCII, which real pages seldom are: `--accents` adds the generated playbook
# with typography and accents (`It’s` in every body, and `ea ou ss ui` written
# `ä ö ß ü` outside front matter and links: 9 % of words), whose words take the
# tokenizer's non-ASCII paths.
# - index time (PLAYBOOK_SEARCH_TIMING) and its share of the build, and search's whole
#   cost (the build with search less the build without): builds with [search] on and
#   off, interleaved, medians;
# - search files on disk (bytes, and blocks as `du` counts them), file counts, gzip
#   sizes of each file kind;
# - bench.mjs in headless Chromium: bytes for the first and further queries,
#   keystroke to results, typo recall, top-10 share; Pagefind's CLI on the same site
#   beside ours when `npm install pagefind` works.
# Results: a table on stdout, JSON in /dev/shm/search-bench/.
set -euo pipefail
export LC_ALL=C  # a decimal point in $EPOCHREALTIME and awk
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SHARED="${SHARED:-$(cd "$REPO/../shared" 2>/dev/null && pwd || echo /work/shared)}"
PAGES=10000 MAN=1 ACCENTS=0 PAGEFIND=1 BROWSER=1 SAMPLES=40 QUERIES=250 RUNS=3 BIN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --pages) PAGES="$2"; shift ;;
    --no-man) MAN=0 ;;
    --accents) ACCENTS=1 ;;
    --no-pagefind) PAGEFIND=0 ;;
    --no-browser) BROWSER=0 PAGEFIND=0 ;;  # build timings and file sizes only
    --samples) SAMPLES="$2"; shift ;;
    --queries) QUERIES="$2"; shift ;;
    --runs) RUNS="$2"; shift ;;
    --playbook) BIN="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
WORK="${SEARCH_BENCH_DIR:-/dev/shm/search-bench}"
mkdir -p "$WORK"
if [ -z "$BIN" ]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/tmp/search-target}"
  (cd "$REPO" && cargo build --release --quiet)
  BIN="$CARGO_TARGET_DIR/release/playbook"
fi

if [ "$PAGEFIND" = 1 ] && [ ! -x "$WORK/pagefind/node_modules/.bin/pagefind" ]; then
  mkdir -p "$WORK/pagefind"
  (cd "$WORK/pagefind" && npm init -y >/dev/null && npm install --silent pagefind >/dev/null 2>&1) || PAGEFIND=0
fi

# Seconds since $1 (an $EPOCHREALTIME) to the millisecond, for build times:
# /usr/bin/time's hundredths moved the index's share of a 0.5 s build by a point.
since() { awk -v s="$1" -v e="$EPOCHREALTIME" 'BEGIN {printf "%.3f\n", e - s}'; }

corpora=("gen")
[ "$MAN" = 1 ] && corpora+=("man")
[ "$ACCENTS" = 1 ] && corpora+=("accents")
for c in "${corpora[@]}"; do
  src="$WORK/$c-src"
  if [ ! -f "$src/book.toml" ] || [ "$(cat "$WORK/$c-pages" 2>/dev/null)" != "$PAGES" ]; then
    if [ "$c" = gen ]; then python3 "$SHARED/bench/gen_playbook.py" --pages "$PAGES" --out "$src"
    elif [ "$c" = accents ]; then
      rm -rf "$src" && cp -r "$WORK/gen-src" "$src"
      find "$src/content" -name '*.md' -print0 | xargs -0 sed -i -E \
        -e '0,/^The /s//It’s the /' \
        -e '/^\+\+\+$/,/^\+\+\+$/!{/\]\(/!{s/ea/ä/g; s/ou/ö/g; s/ss/ß/g; s/ui/ü/g}}'
    else python3 "$HERE/man_corpus.py" --pages "$PAGES" --out "$src"; fi
    echo "$PAGES" > "$WORK/$c-pages"
  fi
  rm -rf "$src-off" && cp -r "$src" "$src-off"
  grep -q '^\[search\]' "$src-off/book.toml" || printf '\n[search]\nenabled = true\n' >> "$src-off/book.toml"
  sed -i 's/^enabled = true/enabled = false/' "$src-off/book.toml"
  on=() off=() idx=()
  for i in $(seq "$RUNS"); do
    t=$( { s=$EPOCHREALTIME; "$BIN" build "$src-off" --out "$WORK/$c-site-off" >/dev/null; since "$s"; } 2>&1 | tail -1 ); off+=("$t")
    log=$( { s=$EPOCHREALTIME; PLAYBOOK_SEARCH_TIMING=1 "$BIN" build "$src" --out "$WORK/$c-site" --base-url https://example.github.io/playbook/ >/dev/null; since "$s"; } 2>&1 )
    on+=("$(echo "$log" | tail -1)")
    idx+=("$(echo "$log" | sed -n 's/.*total \([0-9.]*\) s/\1/p')")
  done
  med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  site="$WORK/$c-site"
  files=$(find "$site/search" -type f | wc -l)
  bytes=$(find "$site/search" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
  blocks=$(du -sk "$site/search" | cut -f1)
  kinds=""
  for k in p t r f; do
    kinds+="$(find "$site/search/$k" -type f | wc -l) $k files, gzip median $(for f in $(find "$site/search/$k" -type f | head -400); do gzip -c "$f" | wc -c; done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') B, max $(for f in $(find "$site/search/$k" -type f | head -400); do gzip -c "$f" | wc -c; done | sort -n | tail -1) B; "
  done
  manifest_gz=$(gzip -c "$site/search/manifest.json" | wc -c)
  js_gz=$(gzip -c "$site/search.js" | wc -c); css_gz=$(gzip -c "$site/search.css" | wc -c)
  pf=""
  if [ "$PAGEFIND" = 1 ]; then
    rm -rf "$site/pagefind"
    /usr/bin/time -f %e -o "$WORK/pf-time" "$WORK/pagefind/node_modules/.bin/pagefind" --site "$site" >/dev/null 2>&1
    pft=$(tail -1 "$WORK/pf-time")
    pfbytes=$(find "$site/pagefind" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
    pfblocks=$(du -sk "$site/pagefind" | cut -f1)
    pf="--pagefind"
  fi
  echo
  echo "== $c corpus ($PAGES pages)"
  echo "build without search: median $(med "${off[@]}") s (runs: ${off[*]}); with search: median $(med "${on[@]}") s (runs: ${on[*]}); index: median $(med "${idx[@]}") s (runs: ${idx[*]})"
  echo "index share of the build (median index / median build with search): $(awk -v i="$(med "${idx[@]}")" -v b="$(med "${on[@]}")" 'BEGIN {printf "%.1f %%", 100 * i / b}')"
  # The index phase is not all search costs: rendering keeps each page's text for it.
  echo "search's whole cost (median build with search - median without, over with): $(awk -v a="$(med "${on[@]}")" -v b="$(med "${off[@]}")" 'BEGIN {printf "%.3f s, %.1f %%", a - b, 100 * (a - b) / a}')"
  echo "search files: $files files, $bytes bytes ($blocks kB in blocks); manifest $manifest_gz B gz; search.js $js_gz B gz; search.css $css_gz B gz"
  echo "by kind: $kinds"
  [ "$BROWSER" = 1 ] || continue
  json=$(node "$HERE/bench.mjs" "$site" "$c" --samples "$SAMPLES" --queries "$QUERIES" $pf)
  echo "$json" > "$WORK/$c-results.json"
  [ "$PAGEFIND" = 1 ] && echo "pagefind: indexing $pft s; files $pfbytes bytes ($pfblocks kB in blocks)"
  node -e '
    const r = JSON.parse(process.argv[1]);
    const kb = (b) => (b / 1000).toFixed(1) + " kB";
    const o = r.ours, p = r.pagefind;
    const rows = [
      ["first query, typed key by key (median / p95)", `${kb(o.firstTyped.median)} / ${kb(o.firstTyped.p95)}`, ""],
      ["first query, pasted (median / p95)", `${kb(o.firstPasted.median)} / ${kb(o.firstPasted.p95)}`, p ? `${kb(p.first.median)} / ${kb(p.first.p95)} + UI ${kb(p.uiFiles)}` : ""],
      ["first query on /search/?q= with role/event/tag counts", `${kb(o.firstSearchPage.median)} / ${kb(o.firstSearchPage.p95)}`, ""],
      ["further query (median / p95)", `${kb(o.further.median)} / ${kb(o.further.p95)}`, p ? `${kb(p.further.median)} / ${kb(p.further.p95)}` : ""],
      ["keystroke to results (median / p95, n)", `${o.keystrokeMs.median.toFixed(1)} / ${o.keystrokeMs.p95.toFixed(1)} ms (${o.keystrokeMs.n})`, ""],
      ["typo recall (same first result)", `${(o.typoRecall * 100).toFixed(1)} %`, p ? `${(p.typoRecall * 100).toFixed(1)} %` : ""],
      ["2–3 title words: source page in top 10", `${(o.top10 * 100).toFixed(1)} %`, p ? `${(p.top10 * 100).toFixed(1)} %` : ""],
      ["… its ceiling, ties among pages whose titles hold every word broken at random", `${(o.top10Ceiling * 100).toFixed(1)} %`, ""],
      ["… the same with word positions, ties among titles that hold the words side by side, in order", `${(o.top10PhraseCeiling * 100).toFixed(1)} %`, ""],
      ["whole title: source page in top 10", `${(o.top10FullTitle * 100).toFixed(1)} %`, p ? `${(p.top10FullTitle * 100).toFixed(1)} %` : ""],
    ];
    console.log(`| ${r.label}: ${r.pages} pages, ${r.queries} queries | ours | Pagefind |`);
    console.log("|---|---|---|");
    for (const x of rows) console.log(`| ${x.join(" | ")} |`);
    console.log("typo misses (sample): " + o.misses.join("; "));
  ' "$json"
done
