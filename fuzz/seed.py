#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets into fuzz/corpus/<target>/seed-*.

Realistic files (the example playbook, the scaffold, the test fixtures) plus hand-made
edge cases. Run from the repository root: python3 fuzz/seed.py. Existing files are kept,
so it can be re-run after `cargo fuzz cmin` to put the seeds back.
"""
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"


def put(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / f"seed-{name}").write_bytes(data)


def real_pages():
    for pattern in ["content/**/*.md", "src/scaffold/*.md", "tests/fixtures/**/*.md"]:
        for p in sorted(ROOT.glob(pattern)):
            rel = p.relative_to(ROOT).as_posix().replace("/", "_")
            yield rel, p.read_bytes()


FRONT_MATTER_EDGES = {
    "empty": "",
    "only-open": "+++",
    "open-close": "+++\n+++\n",
    "bom-crlf": "\ufeff+++\r\ntitle = \"A\"\r\npurpose = \"p\"\r\n+++\r\nBody",
    "unclosed": "+++\ntitle = \"A\"\n",
    "yaml": "---\ntitle: A\n---\nBody\n",
    "close-with-spaces": "+++  \ntitle = \"A\"\n+++\t\n",
    "cr-only": "+++\rtitle = \"A\"\r+++\r",
    "multibyte": "+++\ntitle = \"Übermorgen — 明日\"\npurpose = \"ça\"\nslug = \"Ü ber\"\n+++\n# 見出し\n",
    "unknown-keys": "+++\ntitle = \"Q?\"\npurpse = \"x\"\ntgas = []\ndifficulty = \"easy\"\nstories = []\n+++\n",
    "wrong-types": "+++\ntitle = 3\npurpose = []\ndraft = \"yes\"\ntags = \"one\"\nweight = 1.5\ndate = \"today\"\nformats = [\"zoom\"]\ndifficulty = \"extreme\"\n+++\n",
    "outcomes": "+++\ntitle = \"S\"\ncontext = \"c\"\noutcomes = [\"Sentence\", { label = \"Churn\", before = 14, after = 5, unit = \"per sprint\", better = \"lower\" }, { label = 3 }, { labl = \"x\", before = 1.5, after = \"2\", better = \"up\", unit = 4 }, []]\n+++\n",
    "steps": "+++\ntitle = \"P\"\nsteps = [\"prompts/a\", { ref = \"tools/b\", note = \"n\" }, { ref = \"x\", note = 3 }, { nte = \"x\" }, 5]\n+++\n",
    "kind-slug": "+++\ntitle = \"T\"\nkind = \"tol\"\nslug = \"Bad Slug!\"\n+++\n",
    "kind-contradicts": "+++\ntitle = \"T\"\nkind = \"story\"\nslug = \"--\"\n+++\n",
    "empty-title": "+++\ntitle = \"  \"\n+++\n",
    "syntax-error": "+++\ntitle = \"unclosed\n+++\n",
    "duplicate": "+++\ntitle = \"a\"\ntitle = \"b\"\n+++\n",
    "tables": "+++\ntitle = \"t\"\n[extra]\na = { b = [1, 2, { c = 1979-05-27T07:32:00Z }] }\n[extra.deep.er]\nx = 1\n+++\n",
    "many-type-errors": "+++\n" + "".join(f"tags = 1\n" if i == 0 else f"{k} = {{}}\n" for i, k in enumerate(["tags", "roles", "events", "authors", "aliases", "related", "follow_ups", "tools", "participants", "materials", "prompts", "stories", "outcomes", "formats", "weight", "draft", "date", "summary", "source", "when", "instead_of", "duration", "prep", "group_size", "difficulty", "quote", "quote_by", "context", "intervention", "steps", "purpose", "title", "slug", "kind"])) + "+++\n",
    "nested-arrays": "+++\nextra = { a = " + "[" * 200 + "]" * 200 + " }\n+++\n",
    "nested-inline": "+++\n[extra]\na = " + "{ b = " * 200 + "1" + " }" * 200 + "\n+++\n",
    "dotted-keys": "+++\ntitle = \"t\"\nextra.a.b.c = 1\n\"quoted key\" = 2\n+++\n",
    "datetimes": "+++\ntitle = \"t\"\ndate = 2026-02-30\n+++\n",
    "title-after-close": "+++\n+++\ntitle = \"x\"\n+++\n",
    "plus-in-body": "+++\ntitle = \"a\"\n+++\n+++\nnot front matter\n+++\n",
}

MARKDOWN_EDGES = {
    "links": "## How to run it {#how}\n\n[c](../tools/product-vision-canvas.md#how) [t](../tools/) [s](../stories/po-seen-as-a-bottleneck) ![a](../images/partnership.svg) [x](https://x.org/a.md) [m](mailto:a@b.c) <a@b.c> [self](#how) [bad](#hwo) [fn](#fn-1)\n",
    "broken-links": "[a](../tools/product-vision-canvass.md) [b](../../secret.md) ![c](../tools/product-vision-canvas.md) ![d](missing.png) [e](../tools/unfinished.md) [f](nowhere) [g](/playbook/about/) [h](/about.md?x=1#y) [i](../files/canvas%20template.pdf) [j](%ZZ%2) [k](%E2%82%AC.md)\n",
    "reference-links": "[a][1] [b][] [c]\n\n[1]: ../about.md \"Title\"\n[b]: ../guides/facilitation.md#missing\n[c]: <../guides/ with space.md>\n",
    "autolinks": "see https://example.org/x. and http://a.b/(c) and https:// and https://x.y/z?q=1#f, <https://a.b>\n\n`https://code.example` and\n\n    https://indented.example\n",
    "headings": "# A\n\n## A\n\n## a-1 {#a-1}\n\n## A\n\n### `code` *em* [link](../about.md)\n\n#\n\n###### six {#}\n\nSetext\n===\n",
    "gfm": "| a | b |\n|---|:-:|\n| 1 | [x](../about.md) |\n\n- [x] done\n- [ ] todo\n\n~~old~~ text[^1]\n\n[^1]: The note [y](../about.md).\n",
    "html": "<div>\n\n[inside](../about.md)\n\n</div>\n\n<a href=\"../about.md\">raw</a> <img src=x onerror=y>\n<!-- comment -->\n",
    "nested": "> - 1. > *a **b _c_ d** e*\n>   - [x](<../about.md>)\n" + "> " * 50 + "deep\n" + "".join("  " * i + "- item\n" for i in range(60)),
    "emphasis-soup": "*" * 300 + "a" + "_" * 300 + "**a*b***c___d__" * 30 + "\n",
    "brackets": "[" * 500 + "x" + "](y)" * 500 + "\n" + "![" * 200 + "\n",
    "code": "```rust\nfn main() { let x = \"[a](b)\"; }\n```\n\n~~~\nhttps://x.y\n~~~\n\n``` \n",
    "crlf-bom": "\ufeff+++\r\ntitle = \"A\"\r\n+++\r\n# T\r\n\r\n[a](../about.md)\r\n",
    "tabs-nul": "\t- a\n\t\t- b\x00c\n\u2028[x](\u00a0)\n",
}

BOOK_EDGES = {
    "minimal": "[book]\ntitle = \"T\"\n",
    "full": "[book]\ntitle = \"T\"\ndescription = \"d\"\nlanguage = \"de\"\nbase-url = \"https://org.github.io/playbook\"\nedit-url-template = \"https://x/{path}\"\n\n[vocabulary]\nroles = [\"coach\"]\nevents = [\"retro\"]\n\n[build]\noutput-dir = \"site\"\ntheme = \"mine\"\ndrafts = true\n\n[search]\nenabled = false\n\n[serve]\nport = 8080\n\n[extra]\nfoo = { bar = [1, 2] }\n",
    "no-book": "[build]\ndrafts = true\n",
    "empty": "",
    "empty-title": "[book]\ntitle = \"\"\n",
    "no-title": "# comment\n[book]\ndescription = \"x\"\n",
    "bad-base-urls": "[book]\ntitle = \"T\"\nbase-url = \"ftp://x y?#\"\n",
    "base-path-only": "[book]\ntitle = \"T\"\nbase-url = \"/docs\"\n",
    "base-host-only": "[book]\ntitle = \"T\"\nbase-url = \"https://a.b\"\n",
    "unknown-key": "[book]\ntitle = \"T\"\ntitel = \"x\"\nbase_url = \"/\"\n",
    "unknown-table": "[bok]\ntitle = \"T\"\n",
    "wrong-types": "[book]\ntitle = 3\n[build]\ndrafts = \"yes\"\n[serve]\nport = -1\n",
    "vocabulary": "[book]\ntitle = \"T\"\n[vocabulary]\nroles = [\"\", \"Product Owner\", \"po\", \"po\"]\nevents = []\n",
    "syntax": "[book\ntitle = \"T\n",
    "bom-crlf": "\ufeff[book]\r\ntitle = \"T\"\r\n",
    "multibyte": "[book]\ntitle = \"コーチング\"\nlanguage = \"ja\"\nbase-url = \"https://例え.jp/プレイ/\"\n",
    "nested": "[book]\ntitle = \"T\"\n[extra]\na = " + "[" * 300 + "]" * 300 + "\n",
}


def main():
    for rel, data in real_pages():
        put("front_matter", rel, data)
        put("markdown", rel, data)
    for name, text in FRONT_MATTER_EDGES.items():
        put("front_matter", name, text)
    for name, text in MARKDOWN_EDGES.items():
        put("markdown", name, text)
    for p in [ROOT / "book.toml", ROOT / "src/scaffold/book.toml", *sorted(ROOT.glob("tests/fixtures/**/book.toml"))]:
        put("book_toml", p.relative_to(ROOT).as_posix().replace("/", "_"), p.read_bytes())
    for name, text in BOOK_EDGES.items():
        put("book_toml", name, text)
    put("front_matter", "invalid-utf8", b"+++\ntitle = \"caf\xe9\"\n+++\n")
    put("markdown", "invalid-utf8", b"# caf\xe9\n")
    put("book_toml", "invalid-utf8", b"[book]\ntitle = \"caf\xe9\"\n")
    for t in ["front_matter", "markdown", "book_toml"]:
        files = list((CORPUS / t).iterdir())
        print(t, len(files), "files", sum(f.stat().st_size for f in files), "bytes")


if __name__ == "__main__":
    main()
