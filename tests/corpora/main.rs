//! Real corpora (issue 7, item 5): the openly licensed collections in
//! `../shared/corpora/` (Open Practice Library and its Japanese translation, 18F Methods,
//! the U.S. Digital Services Playbook) have YAML front matter. Each test converts every
//! file of one corpus into a playbook page with TOML front matter in a temporary folder,
//! writes a book.toml, runs the real `playbook build`, asserts it reports no error, and
//! checks a few pages' fields in the HTML, the tag pages, `playbook.json` and the search
//! index. The browser test runs a small query table per corpus through the real search
//! UI (`tests/browser/corpus-queries.mjs`).
//!
//! What the converter changes, and why: the corpora's own site machinery (Jekyll's
//! `{{site.baseurl}}` and `{% link %}`, kramdown's `markdown="1"`, the Open Practice
//! Library's `/practice/<slug>/` URLs and `/images/` folder) has no meaning in a playbook,
//! so links to pages of the corpus become links to their source files or URLs, and
//! links to files the corpus does not ship (images, PDFs, other site pages) point to the
//! upstream site. Everything an author writes (Markdown, raw HTML, iframes, front matter
//! values as messy as they are) is kept. Converted copies are adaptations of the
//! originals and stay in temporary folders, never in the repository (licences: each
//! corpus's `ATTRIBUTION.md`).
//!
//! The corpora sit beside the repository (`../shared/corpora`, or `PLAYBOOK_CORPORA`).
//! Without them the tests fail under `CI`, and elsewhere unless
//! `PLAYBOOK_SKIP_CORPORA=1`. The browser test also needs `node`,
//! `tests/browser/node_modules` and Chromium, like `tests/search_browser.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;

use toml::Value;

/// The site's base URL: a project path, so a link that escapes it shows.
pub(crate) const BASE_URL: &str = "https://org.github.io/playbook/";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The corpora folder, or `None` when the test is to be skipped (outside CI, asked for).
fn corpora() -> Option<PathBuf> {
    let dir = std::env::var_os("PLAYBOOK_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/corpora"));
    if dir.join("open-practice-library/practice").is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_none()
        && std::env::var("PLAYBOOK_SKIP_CORPORA").as_deref() == Ok("1")
    {
        println!("SKIPPED: no corpora at {}", dir.display());
        return None;
    }
    panic!(
        "the corpora are missing at {} (set PLAYBOOK_CORPORA to their folder, or \
         PLAYBOOK_SKIP_CORPORA=1 to skip outside CI)",
        dir.display()
    );
}

mod convert;

use convert::*;

// ---------------------------------------------------------------------------------------
// The corpora and their errata

/// One corpus and how it becomes a playbook.
#[derive(Clone, Copy)]
enum Corpus {
    Opl,
    OplJa,
    Methods,
    Plays,
}

impl Corpus {
    fn folder(self) -> &'static str {
        match self {
            Corpus::Opl => "open-practice-library/practice",
            Corpus::OplJa => "open-practice-library-ja/practice",
            Corpus::Methods => "18f-methods/methods",
            Corpus::Plays => "usds-digital-services-playbook/plays",
        }
    }
    fn language(self) -> &'static str {
        match self {
            Corpus::OplJa => "ja",
            _ => "en",
        }
    }
    fn title(self) -> &'static str {
        match self {
            Corpus::Opl => "Open Practice Library",
            Corpus::OplJa => "オープンプラクティスライブラリー",
            Corpus::Methods => "18F Methods",
            Corpus::Plays => "Digital Services Playbook",
        }
    }
    fn pages(self, dir: &Path, mode: Mode) -> Vec<Page> {
        let mut pages = match self {
            Corpus::Opl => opl_pages(dir, &OPL_EN, mode),
            Corpus::OplJa => opl_pages(dir, &OPL_JA, mode),
            Corpus::Methods => method_pages(dir),
            Corpus::Plays => play_pages(dir),
        };
        if mode == Mode::Repaired {
            apply_errata(self, &mut pages);
        }
        pages
    }
}

/// Mistakes in the corpora's own text that playbook rightly reports (each is checked in
/// `the_corpora_s_own_slips_are_reported_clearly`), repaired as their authors meant:
/// (corpus, page, text as written, repaired text).
const ERRATA: &[(&str, &str, &str, &str)] = &[
    // Footnote 3 of the list is the 3×3 sticky notes; `#footnote-6` does not exist.
    (
        "open-practice-library",
        "tools/realtime-retrospective.md",
        "[<sup>3</sup>](#footnote-6)",
        "[<sup>3</sup>](#footnote-3)",
    ),
    (
        "open-practice-library-ja",
        "tools/realtime-retrospective.md",
        "[<sup>3</sup>](#footnote-6)",
        "[<sup>3</sup>](#footnote-3)",
    ),
    // The footnote list starts at `footnote-2`.
    (
        "open-practice-library",
        "tools/stop-the-world-event.md",
        "[<sup>1</sup>](#footnote-1)",
        "[<sup>1</sup>](#footnote-2)",
    ),
    (
        "open-practice-library-ja",
        "tools/stop-the-world-event.md",
        "[<sup>1</sup>](#footnote-1)",
        "[<sup>1</sup>](#footnote-2)",
    ),
    // The translation dropped footnote 5 from the list: the mark stays, unlinked.
    (
        "open-practice-library-ja",
        "tools/vsm-and-mbpm.md",
        "[<sup>5</sup>](#footnote-5)",
        "<sup>5</sup>",
    ),
];

/// Applies [`ERRATA`]; each must match exactly once, so a changed corpus shows.
fn apply_errata(corpus: Corpus, pages: &mut [Page]) {
    let name = corpus.folder().split('/').next().unwrap();
    for (c, path, from, to) in ERRATA.iter().filter(|e| e.0 == name) {
        let page = pages
            .iter_mut()
            .find(|p| p.path == *path)
            .unwrap_or_else(|| panic!("erratum for missing page {c}/{path}"));
        assert_eq!(
            page.body.matches(from).count(),
            1,
            "erratum `{from}` in {c}/{path}"
        );
        page.body = page.body.replacen(from, to, 1);
    }
}

/// A corpus converted and built in a temporary folder.
struct Site {
    _tmp: tempfile::TempDir,
    files: usize,
    pages: Vec<Page>,
    built: Built,
}

fn convert_and_build(corpora: &Path, corpus: Corpus, mode: Mode) -> Site {
    let dir = corpora.join(corpus.folder());
    let files = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter(|e| e.as_ref().unwrap().file_type().is_file())
        .count();
    let pages = corpus.pages(&dir, mode);
    let tmp = tempfile::tempdir().unwrap();
    // `PLAYBOOK_CORPORA_KEEP=DIR` writes the converted playbook to `DIR/<corpus>` to look
    // at (outside the repository: the copies are adaptations under the corpus licence).
    let root = match std::env::var_os("PLAYBOOK_CORPORA_KEEP") {
        Some(keep) => {
            let root = PathBuf::from(keep).join(corpus.folder().split('/').next().unwrap());
            if root.exists() {
                std::fs::remove_dir_all(&root).unwrap();
            }
            root
        }
        None => tmp.path().to_path_buf(),
    };
    write_playbook(&root, corpus.title(), corpus.language(), &pages);
    let built = build(&root);
    built.report(corpus.folder());
    Site {
        _tmp: tmp,
        files,
        pages,
        built,
    }
}

/// The URLs of the pages whose front matter lists `value` under `key`.
fn urls_with(pages: &[Page], key: &str, value: &str) -> Vec<String> {
    pages
        .iter()
        .filter(|p| {
            p.front
                .get(key)
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(value)))
        })
        .map(|p| format!("/playbook/{}/", p.path.trim_end_matches(".md")))
        .collect()
}

/// Asserts the term page at `url` links every page in `want` and no other of its kind.
fn assert_lists(built: &Built, url: &str, want: &[String]) {
    let html = built.html(url);
    assert!(!want.is_empty(), "{url}: nothing to look for");
    for u in want {
        assert!(
            html.contains(&format!("href=\"{u}\"")),
            "{url} does not list {u}"
        );
    }
    let cards = html.matches("<li class=\"card kind-").count();
    assert_eq!(
        cards,
        want.len(),
        "{url} lists {cards} cards, expected {}",
        want.len()
    );
}

// ---------------------------------------------------------------------------------------
// The tests

#[test]
fn open_practice_library_builds_as_tools() {
    let Some(corpora) = corpora() else { return };
    let site = convert_and_build(&corpora, Corpus::Opl, Mode::Repaired);
    let b = &site.built;
    b.assert_clean();
    assert_eq!(site.files, 241);
    assert_eq!(count_kind(b, "tool"), site.files, "one tool per practice");
    assert!(b.stdout.contains("Built 241 pages"), "{}", b.stdout);

    let page = b.html("tools/event-storming");
    assert!(page.contains("<h1>Event Storming</h1>"), "{page}");
    assert!(
        page.contains("<dd class=\"purpose\">A rapid, interactive approach to business process discovery and design that yields high quality models</dd>"),
        "{page}"
    );
    // The practice text from OPL's front matter became the body, its footnotes linked.
    assert!(page.contains("id=\"what-is-it\""), "{page}");
    assert!(page.contains("href=\"#footnote-1\""), "{page}");
    // OPL's `/practice/event-storming/` is a link to that tool, under the base path.
    let agenda = b.html("tools/agile-agenda");
    assert!(
        agenda.contains("href=\"/playbook/tools/event-storming/\""),
        "{agenda}"
    );
    // Free-text durations: a minutes range is read where there is one.
    let index = b.html("tools");
    assert!(
        index.contains("data-min=\"30\" data-max=\"60\""),
        "30-60 min is read"
    );

    // A tag page lists exactly the practices tagged so; a role page those mapped to it.
    assert_lists(
        b,
        "tags/culture",
        &urls_with(&site.pages, "tags", "culture"),
    );
    assert_lists(
        b,
        "roles/product-owner",
        &urls_with(&site.pages, "roles", "product-owner"),
    );

    let json = pages_by_url(b);
    let es = &json["/playbook/tools/event-storming/"];
    assert_eq!(es["title"], "Event Storming", "{es}");
    assert_eq!(es["kind"], "tool", "{es}");
    // A YAML timestamp is a date-time; playbook's `date` keeps its day.
    assert_eq!(es["date"], "2017-04-20", "{es}");
    assert_eq!(es["difficulty"], "hard", "{es}");
    assert_eq!(es["authors"][0], "mtakane", "{es}");
    assert_eq!(es["tags"][0]["url"], "/playbook/tags/value/", "{es}");
    // OPL's own keys the converter does not map are kept for themes under `extra`.
    assert_eq!(es["extra"]["icon"], "/images/eventstormtile.jpeg", "{es}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(b.site.join("search/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["n"].as_u64(), Some(241), "every page is indexed");
}

#[test]
fn open_practice_library_in_japanese_builds_with_japanese_titles() {
    let Some(corpora) = corpora() else { return };
    let site = convert_and_build(&corpora, Corpus::OplJa, Mode::Repaired);
    let b = &site.built;
    b.assert_clean();
    assert_eq!(site.files, 220);
    assert_eq!(count_kind(b, "tool"), site.files, "one tool per practice");

    let page = b.html("tools/event-storming");
    assert!(
        page.contains("<html lang=\"ja\""),
        "the page says its language"
    );
    assert!(page.contains("<h1>イベントストーミング</h1>"), "{page}");
    assert!(
        page.contains("<dd class=\"purpose\">品質の高いモデルを生み出すことを目的としたビジネスプロセスの発見と設計のための迅速かつインタラクティブなアプローチ</dd>"),
        "{page}"
    );
    // Heading ids keep Japanese letters, as GitHub's do.
    assert!(page.contains("id=\"概要\""), "{page}");
    // A tag written in Japanese gets its own page under its own name.
    assert_lists(b, "tags/文化", &urls_with(&site.pages, "tags", "文化"));
    assert_lists(
        b,
        "tags/culture",
        &urls_with(&site.pages, "tags", "culture"),
    );

    let json = pages_by_url(b);
    assert_eq!(
        json["/playbook/tools/event-storming/"]["title"],
        "イベントストーミング"
    );
    assert_eq!(b.json()["language"], "ja");
    // The search index is built for Japanese text: no stemmer, CJK bigrams.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(b.site.join("search/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["n"].as_u64(), Some(220));
    assert_eq!(manifest["stem"], "", "{manifest}");
}

#[test]
fn eighteen_f_methods_build_as_tools_that_keep_their_old_urls() {
    let Some(corpora) = corpora() else { return };
    let site = convert_and_build(&corpora, Corpus::Methods, Mode::Repaired);
    let b = &site.built;
    b.assert_clean();
    assert_eq!(site.files, 37);
    assert_eq!(
        count_kind(b, "tool"),
        site.files,
        "one tool per method card"
    );

    let page = b.html("tools/affinity-mapping");
    assert!(page.contains("<h1>Affinity mapping</h1>"), "{page}");
    assert!(
        page.contains("<dd class=\"purpose\">To draw out insights from qualitative data quickly and collaboratively.</dd>"),
        "{page}"
    );
    assert!(page.contains("<dt>Duration</dt><dd>1 hour</dd>"), "{page}");
    assert!(
        page.contains(
            "content=\"A way of finding themes in collections of ideas, quotes, or observations.\""
        ),
        "the summary is the meta description"
    );
    // 18F's permalink and redirects are aliases: redirect pages to the tool.
    for old in ["decide/affinity-mapping", "affinity-mapping"] {
        let redirect = b.html(old);
        assert!(
            redirect.contains("/playbook/tools/affinity-mapping/"),
            "{old}: {redirect}"
        );
    }
    // The archived card (in a subfolder, with Jekyll links) links to live cards.
    let archived = b.html("tools/bodystorming");
    assert!(
        archived.contains("href=\"/playbook/tools/journey-mapping/\""),
        "{archived}"
    );
    // A card without the `.md` extension upstream is a page all the same.
    assert!(
        b.html("tools/stakeholder-influence-mapping")
            .contains("<h1>")
    );
    assert_lists(b, "tags/decide", &urls_with(&site.pages, "tags", "decide"));
}

#[test]
fn usds_plays_build_as_takeaways_walked_by_one_playbook() {
    let Some(corpora) = corpora() else { return };
    let site = convert_and_build(&corpora, Corpus::Plays, Mode::Repaired);
    let b = &site.built;
    b.assert_clean();
    assert_eq!(site.files, 13);
    assert_eq!(
        count_kind(b, "takeaway"),
        site.files,
        "one takeaway per play"
    );
    assert_eq!(count_kind(b, "playbook"), 1);

    let path = b.html("playbooks/digital-services-playbook");
    assert!(path.contains("13 steps"), "{path}");
    let first = path.find("/playbook/takeaways/01/").expect("step 1 listed");
    let last = path
        .find("/playbook/takeaways/13/")
        .expect("step 13 listed");
    assert!(first < last, "steps in play order");
    let play = b.html("takeaways/03");
    assert!(
        play.contains("<h1>Make it simple and intuitive</h1>"),
        "{play}"
    );
    assert!(play.contains("Step 3 of 13 in"), "{play}");
    assert!(play.contains("id=\"key-questions\""), "{play}");
    // Takeaways are listed in play order (weight), not by title.
    let index = b.html("takeaways");
    let one = index.find("Understand what people need").unwrap();
    let two = index.find("Address the whole experience").unwrap();
    assert!(one < two, "weight orders the takeaways");
}

/// Returns true if and only if `stderr` has the diagnostic `message` at `content/<path>`.
fn reported_at(stderr: &str, message: &str, path: &str) -> bool {
    let lines: Vec<&str> = stderr.lines().collect();
    lines.windows(2).any(|w| {
        w[0] == message
            && w[1]
                .trim_start()
                .starts_with(&format!("--> content/{path}:"))
    })
}

/// The corpora's own slips, carried over as written, are reported: each with its file
/// and line, what is wrong and a fix, all in one run, no panic. These are the errors the
/// repaired conversion's [`ERRATA`] and `[extra]` answer.
#[test]
fn the_corpora_s_own_slips_are_reported_clearly() {
    let Some(corpora) = corpora() else { return };
    let en = convert_and_build(&corpora, Corpus::Opl, Mode::AsWritten);
    let ja = convert_and_build(&corpora, Corpus::OplJa, Mode::AsWritten);
    for (site, corpus) in [
        (&en, "open-practice-library"),
        (&ja, "open-practice-library-ja"),
    ] {
        let err = &site.built.stderr;
        assert!(!site.built.ok, "{corpus}: the build must fail");
        assert!(!err.contains("panicked"), "{err}");
        for (_, path, from, _) in ERRATA.iter().filter(|e| e.0 == corpus) {
            let anchor = from.split("](").nth(1).unwrap().trim_end_matches(')');
            let msg = format!("error: link to a missing anchor `{anchor}` in this page");
            assert!(
                reported_at(err, &msg, path),
                "{corpus}: {path} {anchor}:\n{err}"
            );
        }
    }
    let en_err = &en.built.stderr;
    assert_eq!(en.built.errors(), 2, "{en_err}");
    assert!(
        en_err.contains("= help: did you mean `#footnote-2`?"),
        "{en_err}"
    );
    assert!(
        en_err.contains("= help: did you mean `#footnote-1`?"),
        "{en_err}"
    );

    let err = &ja.built.stderr;
    for (key, path) in [
        ("howto", "tools/system-diagram.md"),
        ("whydo", "tools/system-diagram.md"),
        ("参加者", "tools/impact-mapping.md"),
        ("メディアギャラリー", "tools/vsm-and-mbpm.md"),
        ("リソース", "tools/vsm-and-mbpm.md"),
    ] {
        let msg = format!("error: unknown front matter key `{key}`");
        assert!(reported_at(err, &msg, path), "{key} in {path}:\n{err}");
    }
    assert!(
        err.contains("free data for themes goes under `[extra]`"),
        "{err}"
    );
    assert!(
        reported_at(
            err,
            "error: link to a missing file `www.luma-institute.com`",
            "tools/alternative-worlds.md"
        ),
        "{err}"
    );
    assert!(
        err.contains("= help: a link without `https://` is a path inside the site: write `https://www.luma-institute.com`"),
        "{err}"
    );
    assert_eq!(ja.built.errors(), 9, "3 anchors, 1 link, 5 keys:\n{err}");
    assert!(err.contains("error: build failed with 9 errors"), "{err}");
}

/// What the browser judge needs and is missing, if anything.
fn missing_browser_tools() -> Vec<String> {
    let mut missing = Vec::new();
    if Command::new("node").arg("--version").output().is_err() {
        missing.push("node".to_string());
    }
    if !repo()
        .join("tests/browser/node_modules/playwright-core")
        .exists()
    {
        missing.push(
            "tests/browser/node_modules/playwright-core (run `npm ci` in tests/browser)".into(),
        );
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        missing.push(chromium);
    }
    missing
}

/// Each corpus's query table (`tests/fixtures/corpora/<corpus>.json`) through the real
/// search UI in headless Chromium: titles, purposes, body words, a typo, a prefix, a tag
/// filter, and Japanese katakana and kanji queries (CJK bigrams).
#[test]
fn search_finds_corpus_pages_in_a_real_browser() {
    let Some(corpora) = corpora() else { return };
    let missing = missing_browser_tools();
    if !missing.is_empty() {
        let what = missing.join(", ");
        if std::env::var_os("CI").is_none()
            && std::env::var("PLAYBOOK_SKIP_JUDGES").as_deref() == Ok("1")
        {
            println!("SKIPPED: the corpus search judge needs {what}");
            return;
        }
        panic!(
            "the corpus search judge needs {what} (set PLAYBOOK_SKIP_JUDGES=1 to skip outside CI)"
        );
    }
    let sites: Vec<(Corpus, Site)> = [Corpus::Opl, Corpus::OplJa, Corpus::Methods, Corpus::Plays]
        .into_iter()
        .map(|c| (c, convert_and_build(&corpora, c, Mode::Repaired)))
        .collect();
    let mut judge = Command::new("node");
    judge.arg(repo().join("tests/browser/corpus-queries.mjs"));
    for (corpus, site) in &sites {
        site.built.assert_clean();
        let name = corpus.folder().split('/').next().unwrap();
        judge.arg(&site.built.site).arg(
            repo()
                .join("tests/fixtures/corpora")
                .join(format!("{name}.json")),
        );
    }
    let run = judge.output().expect("runs node");
    let stdout = String::from_utf8_lossy(&run.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&run.stderr));
    assert!(
        run.status.success(),
        "corpus search judge failed:\n{stdout}"
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}
