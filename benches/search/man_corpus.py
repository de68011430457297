#!/usr/bin/env python3
"""Converts this machine's man pages into a playbook (SPEC.md layout) for the search
benchmark: a realistic vocabulary beside the generated playbook's fixed ~2,000 words.

  man_corpus.py --pages 10000 --out /dev/shm/search-man

Reads /usr/share/man/man[1-8] (gzip'd roff), strips the roff requests crudely (fast; the
vocabulary is what matters), and writes one page per man page: title "name — summary"
from the NAME section, that summary as summary and purpose, sections as `##` headings,
text as paragraphs. Pages alternate between tools and prompts. Never committed.

The corpus SEARCH.md measured: every ordinary man page first, then `gcloud` reference
pages up to the page count, without the `alpha` and `beta` copies of a command that has
a general (or beta) page. Those copies repeat it nearly word for word (11,000 of the
machine's 22,500 man pages); taken in directory order they would fill 10,000 pages with
near-twins, whose title queries no ranking can tell apart.
"""
import argparse, gzip, os, re, shutil, sys

ESC = re.compile(r"\\f(\[[^\]]*\]|\(..|.)|\\s[-+]?\d+|\\\*(\[[^\]]*\]|\(..|.)|\\\(..|\\\[[^\]]*\]|\\[&|^~0 :/,%-]|\\.")
MD = re.compile(r"([\\`*_\[\]<>#|!{}])")


def roff_text(src):
    out, section = [], None
    for line in src.splitlines():
        if line.startswith(".so "):
            return None
        if line.startswith((".SH", ".Sh")):
            section = ESC.sub("", line[3:]).strip().strip('"')
            out.append(("h", section))
            continue
        if line.startswith((".", "'")):
            parts = line.split(None, 1)
            if parts and parts[0] in (".B", ".I", ".BR", ".IR", ".RB", ".RI", ".BI", ".IB", ".TP", ".IP", ".Nm", ".Nd", ".Fl", ".Ar", ".It") and len(parts) > 1:
                line = parts[1].replace('"', "")
            else:
                continue
        t = ESC.sub("", line).strip()
        if t:
            out.append(("t", t))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--base-url", default="https://example.github.io/playbook/")
    args = ap.parse_args()
    ordinary, gcloud, names = [], [], set()
    for d in sorted(f"/usr/share/man/man{i}" for i in range(1, 9)):
        if os.path.isdir(d):
            for f in sorted(os.listdir(d)):
                (gcloud if f.startswith("gcloud") else ordinary).append(os.path.join(d, f))
                names.add(f)
    # A command's beta page only where it has no general one, its alpha page only where
    # it has neither.
    track = re.compile(r"gcloud[_-](alpha|beta)(?=[_.-])")
    def kept(path):
        f = os.path.basename(path)
        m = track.match(f)
        if not m:
            return True
        ga = "gcloud" + f[m.end():]
        return ga not in names and (m.group(1) == "beta" or track.sub("gcloud_beta", f, 1) not in names)
    files = ordinary + [f for f in gcloud if kept(f)]
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    for k in ("tools", "prompts"):
        os.makedirs(os.path.join(args.out, "content", k))
    with open(os.path.join(args.out, "book.toml"), "w") as f:
        f.write(f'[book]\ntitle = "Man pages"\nlanguage = "en"\nbase-url = "{args.base_url}"\n')
    n, words, slugs = 0, 0, set()
    for path in files:
        if n >= args.pages:
            break
        if os.path.islink(path):
            continue
        try:
            raw = gzip.open(path, "rt", errors="replace").read() if path.endswith(".gz") else open(path, errors="replace").read()
        except OSError:
            continue
        items = roff_text(raw)
        if not items:
            continue
        name, summary, body, cur = None, "", [], None
        for kind, text in items:
            if kind == "h":
                cur = text.upper()
                if cur != "NAME":
                    body.append("\n## " + MD.sub(r"\\\1", text.title()) + "\n")
                continue
            if cur == "NAME" and name is None:
                m = re.split(r"\s+(?:\\?-|—)\s+", text, maxsplit=1)
                name = m[0].strip()
                summary = m[1].strip() if len(m) > 1 else ""
                continue
            body.append(MD.sub(r"\\\1", text))
        text_words = sum(len(b.split()) for b in body)
        if not name or text_words < 40:
            continue
        base = re.sub(r"[^a-z0-9]+", "-", os.path.basename(path).lower().replace(".gz", "")).strip("-")
        slug = base
        i = 2
        while slug in slugs:
            slug = f"{base}-{i}"; i += 1
        slugs.add(slug)
        title = f"{name} — {summary}" if summary else name
        def q(s):
            return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
        folder = "tools" if n % 2 == 0 else "prompts"
        purpose = summary or name
        fm = f"+++\ntitle = {q(title[:200])}\nsummary = {q(summary[:300])}\npurpose = {q(purpose[:300])}\n+++\n\n"
        with open(os.path.join(args.out, "content", folder, slug + ".md"), "w") as f:
            f.write(fm + "\n".join(body) + "\n")
        n += 1
        words += text_words
    print(f"{n} man pages, {words} words -> {args.out}" + ("" if n >= args.pages else f" (only {n} usable pages on this machine)"))


if __name__ == "__main__":
    main()
