#!/usr/bin/env python3
"""Build benchmark: playbook beside Hugo, Hugo + Pagefind and Zola on the same pages.

Generates playbooks of 1,000 and 10,000 pages with ../shared/bench/gen_playbook.py (our
layout) and the same pages for Hugo and Zola with gen_corpus.py, all on /dev/shm (the
disk here makes file creation 6-12x slower for minutes after a mass delete), then builds
them interleaved (A B C A B C ...), never deleting an output between runs, and prints
medians of each tool, paired ratios to playbook and peak RSS. One more row builds into an
emptied folder each time: a first build, with no previous output to write over.

Beside them runs the floor (benches/floor/): the issue's bare pipeline (scan, read,
TOML, pulldown-cmark, one small Tera template, write the page files only) measured in
the same run, so playbook's time can be read as a multiple of what this machine allows
today; machines drift by tens of percent from day to day.

    python3 benches/build.py                      # 1,000 and 10,000 pages, 5 runs each
    python3 benches/build.py --pages 1000 --runs 3
    python3 benches/build.py --playbook target/release/playbook

Tools that are not installed are left out with a note (hugo: `apt-get install hugo`;
pagefind: `npm install pagefind`; zola: a release binary on PATH). playbook is built with
profile-guided optimisation (scripts/pgo-build.sh, which needs `rustup component add
llvm-tools`), and once more with a plain `cargo build --release` for the row "without
PGO" (the release binaries are built that way); --playbook BIN measures BIN instead
(and no second row). The incremental figure is the median time of serve's
rebuild after one page's edit, read from serve's own log line.
"""

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "bench")
SHM = "/dev/shm/playbook-bench"


# What run_timed measures of a command that does nothing: set on its first call.
START_COST = None


def run_timed(cmd, cwd=None):
    """Runs cmd under /usr/bin/time; returns (wall seconds, peak RSS in MiB). The time is
    the clock's around it, not /usr/bin/time's hundredths: at 1,000 pages a floor of
    "0.04 s" was anything from 0.035 to 0.045, and the 1,000 -> 10,000 growth rested on
    such figures; less the time of starting /usr/bin/time itself (about 2.5 ms here).
    The RSS stays /usr/bin/time's: a child forked from Python counts Python's pages in
    its peak before it runs cmd (the floor's 4 MiB read as 15)."""
    global START_COST
    if START_COST is None:
        START_COST = 0.0
        START_COST = statistics.median(run_timed(["true"])[0] for _ in range(21))
    start = time.perf_counter()
    t = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M"] + cmd,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    secs = time.perf_counter() - start - START_COST
    if t.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{t.stderr[-2000:]}")
    _, kb = t.stderr.strip().splitlines()[-1].split()
    return secs, int(kb) / 1024


def generate(pages):
    pb = os.path.join(SHM, f"pb-{pages}")
    corpus = os.path.join(SHM, f"corpus-{pages}")
    if not os.path.isdir(pb):
        subprocess.run([sys.executable, os.path.join(SHARED, "gen_playbook.py"), "--pages", str(pages), "--out", pb], check=True, stdout=subprocess.DEVNULL)
    if not os.path.isdir(corpus):
        subprocess.run([sys.executable, os.path.join(SHARED, "gen_corpus.py"), "--pages", str(pages), "--out", corpus, "--targets", "hugo,zola"], check=True, stdout=subprocess.DEVNULL)
    return pb, corpus


def build_floor():
    """Builds benches/floor/ (its own package and lock file); returns its binary, or None
    (with a note) when it cannot be built: the floor is a reference, not a tool compared."""
    target = os.path.join(ROOT, "target", "floor")
    manifest = os.path.join(ROOT, "benches", "floor", "Cargo.toml")
    r = subprocess.run(["cargo", "build", "--release", "--quiet", "--manifest-path", manifest, "--target-dir", target], stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        print(f"(the floor could not be built, left out: {r.stderr.strip()[-300:]})")
        return None
    return os.path.join(target, "release", "playbook-floor")


def tools_for(pages, playbook, plain, floor, pb, corpus):
    out = os.path.join(SHM, f"out-{pages}")
    tools = {
        "playbook": [playbook, "build", pb, "--out", os.path.join(out, "playbook")],
        "playbook (no search)": None,  # filled below: same build with [search] enabled = false
    }
    if floor:
        tools["floor"] = [floor, pb, os.path.join(out, "floor")]
    nosearch = pb + "-nosearch"
    if not os.path.isdir(nosearch):
        shutil.copytree(pb, nosearch)
        toml = os.path.join(nosearch, "book.toml")
        text = open(toml).read()
        if re.search(r"^\[search\]", text, re.M):
            text = re.sub(r"(\[search\][^\[]*?)enabled\s*=\s*true", r"\1enabled = false", text, flags=re.S)
            if "enabled = false" not in text:
                text = text.replace("[search]", "[search]\nenabled = false", 1)
        else:
            text += "\n[search]\nenabled = false\n"
        open(toml, "w").write(text)
    tools["playbook (no search)"] = [playbook, "build", nosearch, "--out", os.path.join(out, "playbook-nosearch")]
    # The same into a folder emptied before each run (see FIRST and prepare below).
    tools[FIRST] = [playbook, "build", nosearch, "--out", os.path.join(out, "playbook-first")]
    if plain:
        tools[PLAIN] = [plain, "build", nosearch, "--out", os.path.join(out, "playbook-plain")]
    hugo = shutil.which("hugo")
    if hugo:
        tools["hugo"] = [hugo, "--quiet", "-s", os.path.join(corpus, "hugo"), "-d", os.path.join(out, "hugo")]
        pagefind = shutil.which("pagefind") or shutil.which("pagefind_extended")
        if pagefind:
            site = os.path.join(out, "hugo-pf")
            tools["hugo + pagefind"] = ["sh", "-c", f"{hugo} --quiet -s {corpus}/hugo -d {site} && {pagefind} --site {site} >/dev/null"]
    zola = shutil.which("zola")
    if zola:
        tools["zola"] = ["sh", "-c", f"cd {corpus}/zola && {zola} build -o {out}/zola --force >/dev/null"]
        tools["zola + index"] = ["sh", "-c", f"cd {corpus}/zola && {zola} -c config.search.toml build -o {out}/zola-idx --force >/dev/null"]
    return tools


# A build with no previous output: repeated builds write over the output the one before
# replaced (playbook keeps it beside the output as its spare), as Hugo writes over its own
# folder; this row shows the build that cannot.
FIRST = "playbook (no search, first build)"
# The same binary built by `cargo build --release`, without profile-guided optimisation.
PLAIN = "playbook (no search, without PGO)"


def build_playbook():
    """Builds playbook with PGO and plainly; returns (PGO binary, plain binary).
    Without llvm-profdata the PGO build fails with the script's message, and the plain
    binary is measured alone, with a note that says so."""
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    plain = os.path.join(ROOT, "target", "release", "playbook")
    r = subprocess.run(["bash", os.path.join(ROOT, "scripts", "pgo-build.sh")], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        print(f"(NOTE: no PGO build, so playbook is measured as `cargo build --release` builds it: {r.stderr.strip()[-400:]})")
        return plain, None
    return r.stdout.strip().splitlines()[-1], plain


def prepare(name, cmd):
    """Before a timed run, outside its time: empties the first-build row's output."""
    if name == FIRST:
        out = cmd[-1]
        parent, base = os.path.split(out)
        for d in (out, os.path.join(parent, f".{base}.playbook-spare")):
            shutil.rmtree(d, ignore_errors=True)


def incremental(playbook, pb, edits=7):
    """Median time of serve's rebuild after a one-page edit, from its log lines."""
    work = pb + "-serve"
    if os.path.isdir(work):
        shutil.rmtree(work)
    shutil.copytree(pb, work)
    log = open(os.path.join(SHM, "serve.log"), "w+")
    proc = subprocess.Popen([playbook, "serve", work, "--port", "0"], stdout=log, stderr=subprocess.STDOUT)
    try:
        def builds():
            log.flush()
            with open(log.name) as f:
                return re.findall(r"^Built \d+ pages in (\d+) ms \((\d+) files rendered", f.read(), re.M)
        deadline = time.time() + 120
        while len(builds()) < 1 and time.time() < deadline:
            time.sleep(0.2)
        page = os.path.join(work, "content", "prompts", sorted(os.listdir(os.path.join(work, "content", "prompts")))[0])
        for i in range(edits):
            n = len(builds())
            with open(page, "a") as f:
                f.write(f"\nEdited {i}.\n")
            deadline = time.time() + 60
            while len(builds()) <= n and time.time() < deadline:
                time.sleep(0.05)
            time.sleep(0.3)
        times = [int(ms) for ms, _ in builds()[1:]]
        rendered = [int(r) for _, r in builds()[1:]]
        return times, rendered
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--playbook", help="a built playbook binary (default: cargo build --release)")
    args = ap.parse_args()
    playbook, plain = args.playbook, None
    if not playbook:
        playbook, plain = build_playbook()
    floor = build_floor()
    os.makedirs(SHM, exist_ok=True)
    medians = {}
    for pages in args.pages:
        pb, corpus = generate(pages)
        tools = tools_for(pages, playbook, plain, floor, pb, corpus)
        missing = [t for t in ("hugo", "hugo + pagefind", "zola") if t not in tools]
        if missing:
            print(f"(not installed, left out: {', '.join(missing)})")
        times = {t: [] for t in tools}
        rss = {t: [] for t in tools}
        for name, cmd in tools.items():  # one warm-up each
            prepare(name, cmd)
            run_timed(cmd)
        for _ in range(args.runs):
            for name, cmd in tools.items():
                prepare(name, cmd)
                s, m = run_timed(cmd)
                times[name].append(s)
                rss[name].append(m)
        print(f"\n{pages:,} pages, {args.runs} interleaved runs (median s, peak RSS MiB, paired ratio to playbook)")
        print(f"{'tool':<34}{'median s':>10}{'RSS MiB':>10}{'x playbook':>12}")
        base = times["playbook"]
        for name in tools:
            ratios = [a / b for a, b in zip(times[name], base)]
            print(f"{name:<34}{statistics.median(times[name]):>10.3f}{max(rss[name]):>10.0f}{statistics.median(ratios):>12.2f}")
            medians[(name, pages)] = statistics.median(times[name])
        for name in ("playbook", "playbook (no search)", FIRST, PLAIN):
            if "floor" in times and name in times:
                over = [a / b for a, b in zip(times[name], times["floor"])]
                print(f"{name} / floor: {statistics.median(over):.2f}x (paired median)")
        if pages == max(args.pages):
            t, r = incremental(playbook, pb)
            if t:
                print(f"serve: rebuild after one page's edit, median {statistics.median(t)} ms over {len(t)} edits; files rendered per edit: {sorted(set(r))}")
    if len(args.pages) > 1:
        lo, hi = min(args.pages), max(args.pages)
        g = medians[("playbook", hi)] / medians[("playbook", lo)]
        print(f"\ngrowth {lo:,} -> {hi:,} pages: {g:.2f}x")


if __name__ == "__main__":
    main()
