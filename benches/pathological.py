#!/usr/bin/env python3
"""Pathological inputs at size n and 4n: does the build time grow linearly?

Each case writes a small playbook on /dev/shm whose one odd page (or book.toml) holds the
pathological input at size n, then at 4n, builds both with the release binary (median of
--runs builds each) and prints the ratio of their CPU times: about 4 is linear, 16 would be quadratic.
The same inputs, at full size, are integration tests (tests/cli/pathological.rs) that
check the results but never time them.

    python3 benches/pathological.py                  # every case, 3 runs each
    python3 benches/pathological.py --runs 5 links   # one case
    python3 benches/pathological.py --playbook target/release/playbook

playbook is built with `cargo build --release` unless --playbook is given.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHM = "/dev/shm/playbook-pathological"
BOOK = '[book]\ntitle = "Pathological"\nbase-url = "https://org.github.io/playbook/"\n'
TOOL = '+++\ntitle = "Canvas"\npurpose = "p"\n+++\n\n## How {#how}\n\nText.\n'


def page(body, front=""):
    return '+++\ntitle = "Big"\n' + front + "+++\n\n" + body


def big_page(n):
    """n paragraphs of ordinary prose with a heading every 20 (about 330 bytes each)."""
    para = ("Coaching the Product Owner means asking, not telling: *what outcome* do we "
            "want, **who** benefits, and how will we know? See `the canvas` and the "
            "[tool](tools/canvas.md#how) before the review. ")
    parts = []
    for i in range(n):
        if i % 20 == 0:
            parts.append(f"## Section {i // 20}\n\n")
        parts.append(para + "\n\n")
    return {"content/big.md": page("".join(parts))}


def nested_list(n):
    """n list items, each inside the one before (`- - - … item`: n levels deep on one
    line; with indentation the input itself would grow as n²)."""
    return {"content/big.md": page("- " * n + "item\n")}


def links(n):
    """n links: 80% to a page with an anchor, 10% to an asset, 10% broken (errors)."""
    out = []
    for i in range(n):
        if i % 10 == 0:
            out.append(f"[broken {i}](tools/missing-{i}.md) ")
        elif i % 10 == 1:
            out.append(f"![img](images/a.svg) ")
        else:
            out.append(f"[link {i}](tools/canvas.md#how) ")
        if i % 10 == 9:
            out.append("\n\n")
    return {"content/big.md": page("".join(out)), "content/images/a.svg": "<svg/>"}


def good_links(n):
    """n links that all resolve, so the build succeeds and writes the page."""
    return {"content/big.md": page("".join(f"[link {i}](tools/canvas.md#how)\n" for i in range(n)))}


def anchor_links(n):
    """A page of n headings and a page of n links, one to each heading's anchor."""
    heads = "".join(f"## Heading {i}\n\nText.\n\n" for i in range(n))
    refs = "".join(f"- [h{i}](big.md#heading-{i})\n" for i in range(n))
    return {"content/big.md": page(heads), "content/links.md": page(refs)}


def long_line(n):
    """One line of n words (about 6 bytes each), with emphasis and code spans."""
    words = ("word *em* `c` " * (n // 4 + 1)).split(" ")[:n]
    return {"content/big.md": page(" ".join(words) + "\n")}


def blockquotes(n):
    """A paragraph inside n nested blockquotes."""
    return {"content/big.md": page("> " * n + "deep\n")}


def emphasis(n):
    """n nested emphasis spans: *_*_…text…_*_*."""
    opens = "".join("*" if i % 2 == 0 else "_" for i in range(n))
    return {"content/big.md": page(opens + "text" + opens[::-1] + "\n")}


def brackets(n):
    """n unclosed `[`: a classic quadratic case for link parsers."""
    return {"content/big.md": page("[" * n + "\n")}


def fm_keys(n):
    """n keys in the front matter's [extra] table."""
    keys = "".join(f"k{i} = {i}\n" for i in range(n))
    return {"content/big.md": page("Body.\n", "[extra]\n" + keys)}


def fm_string(n):
    """A front matter string of n bytes."""
    return {"content/big.md": page("Body.\n", 'summary = "' + "x" * n + '"\n')}


def unknown_keys(n):
    """n unknown front matter keys: n errors."""
    keys = "".join(f"unknown{i} = 1\n" for i in range(n))
    return {"content/big.md": page("Body.\n", keys)}


# name: (generator, n, what n counts)
CASES = {
    "big-page": (big_page, 15_000, "paragraphs (15,000 ≈ 5 MB; 4n ≈ 20 MB)"),
    "nested-list": (nested_list, 10_000, "nested list items"),
    "links": (links, 100_000, "links, 10% broken"),
    "good-links": (good_links, 100_000, "links, all resolve"),
    "anchor-links": (anchor_links, 20_000, "headings, and links to each of them"),
    "long-line": (long_line, 160_000, "words on one line (160,000 ≈ 1 MB)"),
    "blockquotes": (blockquotes, 10_000, "nested blockquotes"),
    "emphasis": (emphasis, 100_000, "nested emphasis delimiters"),
    "brackets": (brackets, 100_000, "unclosed brackets"),
    "fm-keys": (fm_keys, 100_000, "front matter keys"),
    "fm-string": (fm_string, 1024 * 1024, "bytes in one front matter string"),
    "unknown-keys": (unknown_keys, 25_000, "unknown front matter keys (errors)"),
}


def write_playbook(dest, files):
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(os.path.join(dest, "content", "tools"))
    with open(os.path.join(dest, "book.toml"), "w") as f:
        f.write(BOOK)
    with open(os.path.join(dest, "content", "tools", "canvas.md"), "w") as f:
        f.write(TOOL)
    for rel, text in files.items():
        path = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)


def time_build(playbook, dest, runs):
    """Median CPU seconds (user + system, all threads) of `playbook build`, the status
    and the size of stderr. CPU time, not wall time: on a shared machine it does not
    count the time other processes held the cores."""
    times = []
    for _ in range(runs):
        with open(dest + ".stderr", "wb") as err:
            p = subprocess.Popen([playbook, "build", "--out", dest + "-out", dest],
                                 stdout=subprocess.DEVNULL, stderr=err,
                                 env={**os.environ, "NO_COLOR": "1"})
            _, status, usage = os.wait4(p.pid, 0)
        times.append(usage.ru_utime + usage.ru_stime)
        code = os.waitstatus_to_exitcode(status)
    size = os.path.getsize(dest + ".stderr")
    os.remove(dest + ".stderr")
    return statistics.median(times), code, size


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="*", help=f"cases to run (default all): {', '.join(CASES)}")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--playbook", help="the binary (default: cargo build --release)")
    args = ap.parse_args()
    playbook = args.playbook
    if not playbook:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
        playbook = os.path.join(target, "release", "playbook")
    names = args.cases or list(CASES)
    for name in names:
        if name not in CASES:
            sys.exit(f"unknown case {name!r}; cases: {', '.join(CASES)}")
    print(f"{'case':<14} {'n':>9} {'cpu(n) s':>8} {'cpu(4n) s':>9} {'ratio':>6}  exit  stderr(4n)  n counts")
    for name in names:
        gen, n, what = CASES[name]
        row = []
        for size in (n, 4 * n):
            dest = os.path.join(SHM, f"{name}-{size}")
            write_playbook(dest, gen(size))
            row.append(time_build(playbook, dest, args.runs))
            shutil.rmtree(dest, ignore_errors=True)
            shutil.rmtree(dest + "-out", ignore_errors=True)
        (t1, _, _), (t4, code, err) = row
        print(f"{name:<14} {n:>9,} {t1:>8.3f} {t4:>9.3f} {t4 / t1:>6.1f}  {code:>4}  {err:>10,}  {what}", flush=True)
    shutil.rmtree(SHM, ignore_errors=True)


if __name__ == "__main__":
    main()
