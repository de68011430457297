//! `playbook build`: every URL of the contract is written, links stay under the base path
//! and resolve, structured fields render, values are escaped, drafts and aliases behave,
//! and the output is written atomically and only where it is safe.

use crate::support::{BOOK, Project};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The base path of `support::BOOK` and of the bundled example.
const BASE: &str = "/playbook/";

/// The folder of every kind but `page`, as in the SPEC.
const KIND_FOLDERS: [&str; 5] = ["prompts", "tools", "stories", "takeaways", "playbooks"];

// ---------------------------------------------------------------------------------------
// Helpers (free functions: `support.rs` is shared and not ours to change).

/// Every file under `dir`, by path relative to it (with `/`), with its bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            let rel = rel.to_string_lossy().replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The names in a folder, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The file stems of `content/<folder>/*.md` of a project.
fn stems(p: &Project, folder: &str) -> Vec<String> {
    let dir = p.path().join("content").join(folder);
    let mut v: Vec<String> = names(&dir)
        .into_iter()
        .filter_map(|n| n.strip_suffix(".md").map(str::to_string))
        .filter(|n| n != "_index")
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no pages in content/{folder}");
    v
}

/// The free pages (`content/*.md` but `_index.md`) of a project.
fn free_pages(p: &Project) -> Vec<String> {
    names(&p.path().join("content"))
        .into_iter()
        .filter_map(|n| n.strip_suffix(".md").map(str::to_string))
        .filter(|n| n != "_index")
        .collect()
}

/// The front matter of every Markdown file under `content/`, parsed.
fn front_matters(p: &Project) -> Vec<toml::Table> {
    tree(&p.path().join("content"))
        .into_iter()
        .filter(|(rel, _)| rel.ends_with(".md"))
        .map(|(rel, bytes)| {
            let text = String::from_utf8(bytes).unwrap();
            let rest = text.strip_prefix("+++\n").expect("front matter");
            let end = rest.find("\n+++").expect("closing +++");
            rest[..end]
                .parse::<toml::Table>()
                .unwrap_or_else(|e| panic!("{rel}: {e}"))
        })
        .collect()
}

/// Every value of the string-array key `key` over the whole content.
fn values_of(p: &Project, key: &str) -> BTreeSet<String> {
    front_matters(p)
        .iter()
        .filter_map(|fm| fm.get(key).and_then(|v| v.as_array()).cloned())
        .flatten()
        .map(|v| v.as_str().expect("a string").to_string())
        .collect()
}

/// The example, built into `public/` with `args` added.
fn built_example(args: &[&str]) -> Project {
    let p = Project::example();
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    p.run(&all).succeeds().no_panic();
    p
}

/// A minimal project with these files, built.
fn built(files: &[(&str, &str)]) -> Project {
    let p = with_files(files);
    p.run(&["build"]).succeeds().no_panic();
    p
}

fn with_files(files: &[(&str, &str)]) -> Project {
    files
        .iter()
        .fold(Project::new(), |p, (rel, text)| p.file(rel, text))
}

/// Every `.html` file of a folder, by relative path, as text.
fn html_files(dir: &Path) -> Vec<(String, String)> {
    tree(dir)
        .into_iter()
        .filter(|(rel, _)| rel.ends_with(".html"))
        .map(|(rel, b)| (rel, String::from_utf8(b).unwrap()))
        .collect()
}

/// The values of every `attr="…"` in a text (no regex: a plain scan).
fn attr_values(text: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(&needle) {
        let after = &rest[i + needle.len()..];
        let end = after.find('"').expect("closing quote");
        out.push(after[..end].to_string());
        rest = &after[end..];
    }
    out
}

/// The texts between `<tag>` and `</tag>`.
fn element_texts(text: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let end = after.find(&close).expect("closing tag");
        out.push(after[..end].to_string());
        rest = &after[end..];
    }
    out
}

/// Every link (`href`, `src`, form `action`) of every HTML file under `out`.
fn all_links(out: &Path) -> Vec<(String, String)> {
    html_files(out)
        .into_iter()
        .flat_map(|(rel, html)| {
            ["href", "src", "action"]
                .iter()
                .flat_map(|a| attr_values(&html, a))
                .map(|v| (rel.clone(), v))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn is_external(link: &str) -> bool {
    link.starts_with("https:") || link.starts_with("mailto:") || link.starts_with('#')
}

/// Links that neither start with `base` nor are external, and internal links whose
/// target is not in `out`. Empty when every link is fine.
fn link_problems(out: &Path, base: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let links = all_links(out);
    assert!(links.len() > 10, "too few links found: {links:?}");
    for (file, link) in links {
        if is_external(&link) {
            continue;
        }
        let Some(rest) = link.strip_prefix(base) else {
            problems.push(format!("{file}: `{link}` escapes the base path `{base}`"));
            continue;
        };
        let path = rest.split(['#', '?']).next().unwrap();
        let target = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_string()
        };
        if !out.join(&target).is_file() {
            problems.push(format!("{file}: `{link}` points to missing `{target}`"));
        }
    }
    problems
}

fn playbook_json(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("playbook.json")).expect("playbook.json");
    serde_json::from_str(&text).expect("playbook.json is JSON")
}

fn json_pages(out: &Path) -> Vec<serde_json::Value> {
    playbook_json(out)["pages"]
        .as_array()
        .expect("playbook.json has a `pages` array")
        .clone()
}

fn assert_files(out: &Path, expected: &[String]) {
    let missing: Vec<&String> = expected.iter().filter(|f| !out.join(f).is_file()).collect();
    assert!(
        missing.is_empty(),
        "missing from the output: {missing:?}\noutput: {:?}",
        tree(out).keys().collect::<Vec<_>>()
    );
}

/// The text between `from` and the next `to` of a page (a section of it).
fn section<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html
        .find(from)
        .unwrap_or_else(|| panic!("no {from:?} in\n{html}"));
    let rest = &html[start..];
    &rest[..rest.find(to).unwrap_or(rest.len())]
}

/// The positions of `needles` in `hay`, asserting each is there.
fn positions(hay: &str, needles: &[&str]) -> Vec<usize> {
    needles
        .iter()
        .map(|n| hay.find(n).unwrap_or_else(|| panic!("no {n:?} in\n{hay}")))
        .collect()
}

const PROMPT: &str = "+++\ntitle = \"What would you remove?\"\npurpose = \"Test prioritization clarity\"\n+++\n\nBody.\n";

// ---------------------------------------------------------------------------------------
// Every URL of the contract.

#[test]
fn build_writes_a_page_for_every_kind_page_of_the_example() {
    let p = built_example(&[]);
    let expected: Vec<String> = KIND_FOLDERS
        .iter()
        .flat_map(|f| {
            stems(&p, f)
                .into_iter()
                .map(move |s| format!("{f}/{s}/index.html"))
        })
        .collect();
    assert_files(&p.path().join("public"), &expected);
}

#[test]
fn build_writes_free_pages_at_their_own_path() {
    let p = built_example(&[]);
    let pages = free_pages(&p);
    assert!(pages.contains(&"about".to_string()), "{pages:?}");
    let expected: Vec<String> = pages.iter().map(|s| format!("{s}/index.html")).collect();
    assert_files(&p.path().join("public"), &expected);
}

#[test]
fn build_writes_an_index_for_every_kind() {
    let p = built_example(&[]);
    let expected: Vec<String> = KIND_FOLDERS
        .iter()
        .map(|f| format!("{f}/index.html"))
        .collect();
    assert_files(&p.path().join("public"), &expected);
}

#[test]
fn build_writes_a_page_for_every_tag_role_and_event() {
    let p = built_example(&[]);
    let mut expected = Vec::new();
    for (key, folder) in [("tags", "tags"), ("roles", "roles"), ("events", "events")] {
        let values = values_of(&p, key);
        assert!(!values.is_empty(), "the example uses no {key}");
        expected.extend(values.iter().map(|v| format!("{folder}/{v}/index.html")));
    }
    assert_files(&p.path().join("public"), &expected);
}

#[test]
fn build_writes_home_search_404_and_site_files_at_the_root() {
    let p = built_example(&[]);
    let expected: Vec<String> = [
        "index.html",
        "search/index.html",
        "404.html",
        ".nojekyll",
        "sitemap.xml",
        "feed.xml",
        "playbook.json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_files(&p.path().join("public"), &expected);
}

#[test]
fn build_copies_images_byte_for_byte() {
    let p = built_example(&[]);
    let source = std::fs::read(p.path().join("content/images/partnership.svg")).unwrap();
    let copied = std::fs::read(p.path().join("public/images/partnership.svg")).unwrap();
    assert!(
        source == copied,
        "images/partnership.svg differs from its source"
    );
}

#[test]
fn build_copies_any_non_markdown_file_as_is() {
    let bytes: Vec<u8> = (0..=255u8)
        .chain(b"%PDF-1.7\n\0\xff".iter().copied())
        .collect();
    let p = with_files(&[("content/prompts/remove.md", PROMPT)]);
    p.write("content/files/guide.pdf", &bytes);
    p.run(&["build"]).succeeds();
    let copied = std::fs::read(p.path().join("public/files/guide.pdf")).expect("copied");
    assert!(copied == bytes, "files/guide.pdf was changed on the way");
}

// ---------------------------------------------------------------------------------------
// Links and base path.

#[test]
fn every_internal_link_stays_under_the_base_path_and_resolves() {
    let p = built_example(&[]);
    let problems = link_problems(&p.path().join("public"), BASE);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn base_url_slash_puts_links_at_the_domain_root() {
    let p = built_example(&["--base-url", "/"]);
    let out = p.path().join("public");
    let home = p.read("public/index.html");
    assert!(home.contains("href=\"/prompts/\""), "{home}");
    let problems = link_problems(&out, "/");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let leftovers: Vec<_> = all_links(&out)
        .into_iter()
        .filter(|(_, l)| l.starts_with("/playbook/"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "links still under /playbook/: {leftovers:?}"
    );
}

#[test]
fn base_url_with_a_path_puts_links_under_that_path() {
    let p = built_example(&["--base-url", "https://x.org/sub/"]);
    let out = p.path().join("public");
    assert!(
        p.read("public/index.html")
            .contains("href=\"/sub/prompts/\"")
    );
    let problems = link_problems(&out, "/sub/");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every URL of `sitemap.xml` (`<loc>`) and `feed.xml` (`<id>`, `href`).
fn feed_and_sitemap_urls(out: &Path) -> Vec<String> {
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    let feed = std::fs::read_to_string(out.join("feed.xml")).unwrap();
    let locs = element_texts(&sitemap, "loc");
    assert!(!locs.is_empty(), "no <loc> in sitemap.xml:\n{sitemap}");
    let mut urls = locs;
    urls.extend(element_texts(&feed, "id"));
    urls.extend(attr_values(&feed, "href"));
    urls
}

#[test]
fn sitemap_and_feed_hold_only_absolute_urls() {
    let p = built_example(&[]);
    let urls = feed_and_sitemap_urls(&p.path().join("public"));
    let relative: Vec<_> = urls
        .iter()
        .filter(|u| !u.starts_with("https://example.github.io/playbook/"))
        .collect();
    assert!(relative.is_empty(), "not absolute: {relative:?}");
}

#[test]
fn sitemap_and_feed_follow_the_base_url_option() {
    let p = built_example(&["--base-url", "https://x.org/sub/"]);
    let urls = feed_and_sitemap_urls(&p.path().join("public"));
    let wrong: Vec<_> = urls
        .iter()
        .filter(|u| !u.starts_with("https://x.org/sub/"))
        .collect();
    assert!(wrong.is_empty(), "not under https://x.org/sub/: {wrong:?}");
}

#[test]
fn sitemap_and_feed_stay_absolute_for_a_domain_root_build() {
    // A sitemap's <loc> and an Atom <id> must be absolute URLs, also when the site is
    // built for a domain root with `--base-url /`.
    let p = built_example(&["--base-url", "/"]);
    let urls = feed_and_sitemap_urls(&p.path().join("public"));
    let relative: Vec<_> = urls.iter().filter(|u| !u.starts_with("https://")).collect();
    assert!(
        relative.is_empty(),
        "{} of {} URLs are not absolute, such as {:?}",
        relative.len(),
        urls.len(),
        &relative[..relative.len().min(5)]
    );
}

#[test]
fn sitemap_lists_every_page() {
    let p = built_example(&[]);
    let out = p.path().join("public");
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    let locs: BTreeSet<String> = element_texts(&sitemap, "loc").into_iter().collect();
    for folder in KIND_FOLDERS {
        for slug in stems(&p, folder) {
            let url = format!("https://example.github.io/playbook/{folder}/{slug}/");
            assert!(locs.contains(&url), "{url} not in sitemap.xml");
        }
    }
}

// ---------------------------------------------------------------------------------------
// playbook.json

#[test]
fn playbook_json_has_one_entry_per_page_with_title_url_and_kind() {
    let p = built_example(&[]);
    let pages = json_pages(&p.path().join("public"));
    let mut expected: BTreeSet<(String, String)> = BTreeSet::new();
    for (folder, kind) in KIND_FOLDERS
        .iter()
        .zip(["prompt", "tool", "story", "takeaway", "playbook"])
    {
        for slug in stems(&p, folder) {
            expected.insert((kind.to_string(), format!("{BASE}{folder}/{slug}/")));
        }
    }
    for slug in free_pages(&p) {
        expected.insert(("page".to_string(), format!("{BASE}{slug}/")));
    }
    let mut found = BTreeSet::new();
    for page in &pages {
        let title = page["title"].as_str().unwrap_or_default();
        assert!(!title.is_empty(), "entry without a title: {page}");
        let url = page["url"].as_str().expect("url");
        assert!(url.starts_with(BASE), "url outside {BASE}: {url}");
        let kind = page["kind"].as_str().expect("kind");
        found.insert((kind.to_string(), url.to_string()));
    }
    assert_eq!(pages.len(), expected.len(), "one entry per page");
    assert_eq!(found, expected);
}

// ---------------------------------------------------------------------------------------
// Structured fields.

#[test]
fn prompt_page_shows_purpose_and_follow_ups() {
    let p = built(&[(
        "content/prompts/remove.md",
        "+++\ntitle = \"What would you remove?\"\npurpose = \"Test prioritization clarity\"\nfollow_ups = [\"What made it easy?\", \"Who would miss it?\"]\n+++\n",
    )]);
    let html = p.read("public/prompts/remove/index.html");
    positions(
        &html,
        &[
            "Test prioritization clarity",
            "What made it easy?",
            "Who would miss it?",
        ],
    );
}

#[test]
fn tool_page_shows_duration_difficulty_participants_formats_and_prep() {
    let p = built(&[(
        "content/tools/canvas.md",
        "+++\ntitle = \"Vision Canvas\"\npurpose = \"Agree on why\"\nduration = \"45-60 min\"\ndifficulty = \"moderate\"\nparticipants = [\"Product Owner\", \"Key stakeholders\"]\nformats = [\"remote\"]\nprep = \"Print the canvas large\"\nmaterials = [\"Sticky notes\"]\n+++\n",
    )]);
    let html = p.read("public/tools/canvas/index.html");
    positions(
        &html,
        &[
            "Agree on why",
            "45-60 min",
            "moderate",
            "Product Owner",
            "Key stakeholders",
            "remote",
            "Print the canvas large",
            "Sticky notes",
        ],
    );
}

#[test]
fn story_page_shows_context_intervention_and_outcomes_with_a_chart() {
    let p = built(&[(
        "content/stories/bottleneck.md",
        "+++\ntitle = \"The bottleneck\"\ncontext = \"Stories arrived late\"\nintervention = \"Planned the backlog together\"\noutcomes = [{ label = \"Story churn\", before = 14, after = 5, unit = \"stories per sprint\", better = \"lower\" }, \"Stakeholders came earlier\"]\n+++\n",
    )]);
    let html = p.read("public/stories/bottleneck/index.html");
    positions(
        &html,
        &[
            "Stories arrived late",
            "Planned the backlog together",
            "Story churn",
            "Stakeholders came earlier",
        ],
    );
    let svg = section(&html, "<svg", "</svg>");
    assert!(svg.contains("<title"), "the chart has no <title>: {svg}");
    assert!(
        svg.contains("Story churn"),
        "the chart is not about the outcome: {svg}"
    );
}

#[test]
fn playbook_page_lists_its_steps_with_notes_in_order() {
    let p = built(&[
        (
            "content/prompts/alpha.md",
            "+++\ntitle = \"Alpha question\"\npurpose = \"p\"\n+++\n",
        ),
        (
            "content/tools/beta.md",
            "+++\ntitle = \"Beta tool\"\npurpose = \"p\"\n+++\n",
        ),
        (
            "content/takeaways/gamma.md",
            "+++\ntitle = \"Gamma lesson\"\n+++\n",
        ),
        (
            "content/playbooks/path.md",
            "+++\ntitle = \"The path\"\nsteps = [\n  { ref = \"tools/beta\", note = \"First the canvas note\" },\n  \"takeaways/gamma\",\n  { ref = \"prompts/alpha\", note = \"Then the question note\" },\n]\n+++\n",
        ),
    ]);
    let html = p.read("public/playbooks/path/index.html");
    let at = positions(
        &html,
        &[
            "href=\"/playbook/tools/beta/\"",
            "First the canvas note",
            "href=\"/playbook/takeaways/gamma/\"",
            "href=\"/playbook/prompts/alpha/\"",
            "Then the question note",
        ],
    );
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "steps out of order: {at:?}\n{html}"
    );
}

#[test]
fn step_page_shows_its_position_with_previous_and_next() {
    let p = built(&[
        (
            "content/prompts/alpha.md",
            "+++\ntitle = \"Alpha question\"\npurpose = \"p\"\n+++\n",
        ),
        (
            "content/tools/beta.md",
            "+++\ntitle = \"Beta tool\"\npurpose = \"p\"\n+++\n",
        ),
        (
            "content/takeaways/gamma.md",
            "+++\ntitle = \"Gamma lesson\"\n+++\n",
        ),
        (
            "content/playbooks/path.md",
            "+++\ntitle = \"The path\"\nsteps = [\"tools/beta\", \"prompts/alpha\", \"takeaways/gamma\"]\n+++\n",
        ),
    ]);
    let html = p.read("public/prompts/alpha/index.html");
    let text = html.to_lowercase();
    assert!(text.contains("step 2 of 3"), "no `Step 2 of 3`:\n{html}");
    assert!(
        html.contains("href=\"/playbook/tools/beta/\""),
        "no previous step:\n{html}"
    );
    assert!(
        html.contains("href=\"/playbook/takeaways/gamma/\""),
        "no next step:\n{html}"
    );
    assert!(
        html.contains("href=\"/playbook/playbooks/path/\""),
        "no link to the playbook"
    );
}

#[test]
fn tool_page_lists_the_prompt_that_declared_it() {
    let p = built(&[
        (
            "content/prompts/declaring.md",
            "+++\ntitle = \"Declaring question\"\npurpose = \"p\"\ntools = [\"quiet-tool\"]\n+++\n",
        ),
        (
            "content/tools/quiet-tool.md",
            "+++\ntitle = \"Quiet tool\"\npurpose = \"p\"\n+++\n",
        ),
    ]);
    let html = p.read("public/tools/quiet-tool/index.html");
    assert!(
        html.contains("href=\"/playbook/prompts/declaring/\""),
        "{html}"
    );
    assert!(html.contains("Declaring question"), "{html}");
}

#[test]
fn prompt_page_lists_the_tool_that_declared_it() {
    let p = built(&[
        (
            "content/prompts/quiet.md",
            "+++\ntitle = \"Quiet question\"\npurpose = \"p\"\n+++\n",
        ),
        (
            "content/tools/declaring-tool.md",
            "+++\ntitle = \"Declaring tool\"\npurpose = \"p\"\nprompts = [\"quiet\"]\n+++\n",
        ),
    ]);
    let html = p.read("public/prompts/quiet/index.html");
    assert!(
        html.contains("href=\"/playbook/tools/declaring-tool/\""),
        "{html}"
    );
    assert!(html.contains("Declaring tool"), "{html}");
}

// ---------------------------------------------------------------------------------------
// Escaping.

#[test]
fn every_front_matter_value_is_html_escaped() {
    let p = built(&[(
        "content/prompts/x.md",
        r#"+++
title = "<script>alert(1)</script>"
summary = "Fish & \"chips\" <b>bold</b>"
purpose = "<i>purpose</i>"
when = "<u>when</u>"
instead_of = "<s>closed</s>"
follow_ups = ["<img src=x onerror=alert(2)>"]
authors = ["<em>me</em>"]
source = "<strong>src</strong>"
+++
Body.
"#,
    )]);
    let out = p.path().join("public");
    let mut raw = Vec::new();
    for (rel, bytes) in tree(&out) {
        if !(rel.ends_with(".html") || rel.ends_with(".xml")) {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        for bad in [
            "<script>alert",
            "Fish & ",
            "\"chips\" <b>",
            "<b>bold",
            "<i>purpose",
            "<u>when",
            "<s>closed",
            "<img src=x",
            "<em>me",
            "<strong>src",
        ] {
            if text.contains(bad) {
                raw.push(format!("{rel}: {bad}"));
            }
        }
    }
    assert!(raw.is_empty(), "unescaped values:\n{}", raw.join("\n"));
    let page = p.read("public/prompts/x/index.html");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(page.contains("Fish &amp; "), "{page}");
}

// ---------------------------------------------------------------------------------------
// Drafts and aliases.

const DRAFT: &str =
    "+++\ntitle = \"Unfinished question\"\npurpose = \"p\"\ndraft = true\n+++\n\nBody.\n";

#[test]
fn draft_pages_are_left_out_of_the_build() {
    let p = built(&[
        ("content/prompts/remove.md", PROMPT),
        ("content/prompts/unfinished.md", DRAFT),
    ]);
    let out = p.path().join("public");
    assert!(
        !out.join("prompts/unfinished").exists(),
        "the draft was written"
    );
    let mentions: Vec<String> = tree(&out)
        .into_iter()
        .filter(|(_, b)| String::from_utf8_lossy(b).contains("Unfinished question"))
        .map(|(rel, _)| rel)
        .collect();
    assert!(
        mentions.is_empty(),
        "the draft is mentioned in {mentions:?}"
    );
    let pages = json_pages(&out);
    assert_eq!(pages.len(), 1, "{pages:?}");
}

#[test]
fn draft_pages_are_built_with_the_drafts_flag() {
    let p = with_files(&[
        ("content/prompts/remove.md", PROMPT),
        ("content/prompts/unfinished.md", DRAFT),
    ]);
    p.run(&["build", "--drafts"]).succeeds();
    let out = p.path().join("public");
    assert!(out.join("prompts/unfinished/index.html").is_file());
    let urls: Vec<String> = json_pages(&out)
        .iter()
        .map(|e| e["url"].as_str().unwrap().to_string())
        .collect();
    assert!(
        urls.contains(&"/playbook/prompts/unfinished/".to_string()),
        "{urls:?}"
    );
}

#[test]
fn alias_writes_a_redirect_to_the_page() {
    let p = built(&[(
        "content/prompts/remove.md",
        "+++\ntitle = \"What would you remove?\"\npurpose = \"p\"\naliases = [\"old/path/\"]\n+++\n",
    )]);
    let html = p.read("public/old/path/index.html");
    assert!(
        html.contains("http-equiv=\"refresh\""),
        "not a redirect:\n{html}"
    );
    assert!(
        html.contains("url=/playbook/prompts/remove/"),
        "wrong target:\n{html}"
    );
}

// ---------------------------------------------------------------------------------------
// Atomicity.

#[test]
fn failed_build_leaves_the_previous_output_byte_for_byte() {
    let p = built_example(&[]);
    let before = tree(&p.path().join("public"));
    assert!(!before.is_empty());
    p.write(
        "content/prompts/broken.md",
        b"+++\ntitle = \"Broken\npurpose = \n+++\n",
    );
    p.run(&["build"])
        .fails()
        .stderr_has("content/prompts/broken.md");
    let after = tree(&p.path().join("public"));
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "the set of files changed"
    );
    let changed: Vec<&String> = before
        .iter()
        .filter(|(k, v)| after.get(*k) != Some(v))
        .map(|(k, _)| k)
        .collect();
    assert!(changed.is_empty(), "files changed: {changed:?}");
}

#[test]
fn failed_build_leaves_no_temporary_folder_beside_the_output() {
    let p = with_files(&[("content/prompts/remove.md", PROMPT)]);
    p.run(&["build"]).succeeds();
    p.write("content/prompts/broken.md", b"+++\ntitle = \n+++\n");
    p.run(&["build"]).fails();
    assert_eq!(names(p.path()), ["book.toml", "content", "public"]);
}

#[test]
fn successful_build_leaves_only_the_spare_beside_the_output() {
    let p = built(&[("content/prompts/remove.md", PROMPT)]);
    // The first build replaced nothing.
    assert_eq!(names(p.path()), ["book.toml", "content", "public"]);
    p.run(&["build"]).succeeds();
    // The output the second one replaced waits beside it, for the next build to write
    // over, and out of git's sight.
    assert_eq!(
        names(p.path()),
        [".public.playbook-spare", "book.toml", "content", "public"]
    );
    assert_eq!(
        p.read(".public.playbook-spare/prompts/remove/index.html"),
        p.read("public/prompts/remove/index.html")
    );
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(p.path())
            .output()
            .expect("git must be installed for this test");
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    git(&["init", "-q"]);
    let status = git(&["status", "--porcelain", "--untracked-files=all"]);
    assert!(!status.contains("playbook-spare"), "{status}");
    assert!(status.contains("public/"), "{status}");
}

#[test]
fn a_page_removed_is_gone_from_the_output_written_over_the_spare() {
    let p = built(&[
        ("content/prompts/remove.md", PROMPT),
        ("content/prompts/keep.md", PROMPT),
    ]);
    p.run(&["build"]).succeeds();
    std::fs::remove_file(p.path().join("content/prompts/remove.md")).unwrap();
    // The third build writes over the first one's output, which had the page.
    p.run(&["build"]).succeeds();
    assert!(p.path().join("public/prompts/keep/index.html").is_file());
    assert!(!p.path().join("public/prompts/remove").exists());
    assert!(!p.read("public/sitemap.xml").contains("prompts/remove/"));
}

// ---------------------------------------------------------------------------------------
// Safety of the output folder.

/// Runs the binary in `dir` (a folder of the project), returning its exit code.
fn run_in(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run playbook");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts `build --out <out>` fails with exit 1 and changes nothing in the project.
fn assert_refused(out: &str) {
    let p = with_files(&[("content/prompts/remove.md", PROMPT)]);
    let before = tree(p.path());
    p.run(&["build", "--out", out]).fails().no_panic();
    assert_eq!(tree(p.path()), before, "`--out {out}` changed the project");
    assert_eq!(names(p.path()), ["book.toml", "content"]);
}

#[test]
fn build_refuses_output_folder_that_is_the_root() {
    assert_refused(".");
}

#[test]
fn build_refuses_output_folder_that_is_content() {
    assert_refused("content");
}

#[test]
fn build_refuses_output_folder_inside_content() {
    assert_refused("content/x");
}

#[test]
fn build_refuses_output_folder_that_contains_the_root() {
    // The playbook sits one level down, so `..` is the test's own temporary folder.
    let p = Project::empty()
        .file("pb/book.toml", BOOK)
        .file("pb/content/prompts/remove.md", PROMPT);
    let before = tree(p.path());
    let (code, stderr) = run_in(&p.path().join("pb"), &["build", "--out", ".."]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(tree(p.path()), before, "`--out ..` changed files");
    assert_eq!(names(p.path()), ["pb"]);
}

#[test]
fn build_refuses_a_folder_it_did_not_write() {
    let p = with_files(&[
        ("content/prompts/remove.md", PROMPT),
        ("docs/notes.txt", "my notes\n"),
    ]);
    p.run(&["build", "--out", "docs"])
        .fails()
        .stderr_has("docs");
    assert_eq!(p.read("docs/notes.txt"), "my notes\n");
    assert_eq!(names(&p.path().join("docs")), ["notes.txt"]);
}

#[test]
fn build_refuses_the_home_folder_even_empty() {
    // An empty home (a fresh container's) holds no foreign file to stop the build: the
    // home folder is refused by name.
    let p = with_files(&[("content/prompts/remove.md", PROMPT)]);
    let home = tempfile::tempdir().unwrap();
    let out = p
        .command(&["build", "--out", home.path().to_str().unwrap()])
        .env("HOME", home.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error: refusing to write the site to `{}`: it is your home folder",
            home.path().display()
        )),
        "{stderr}"
    );
    assert_eq!(names(home.path()), Vec::<String>::new());
    assert_eq!(names(p.path()), ["book.toml", "content"]);
}

#[test]
fn build_refuses_the_file_system_root() {
    let p = with_files(&[("content/prompts/remove.md", PROMPT)]);
    p.run(&["build", "--out", "/"])
        .fails()
        .no_panic()
        .stderr_has("error: refusing to write the site to `/`: it would replace `");
    assert_eq!(names(p.path()), ["book.toml", "content"]);
}

#[test]
fn build_refuses_a_file_as_output_folder() {
    let p = with_files(&[
        ("content/prompts/remove.md", PROMPT),
        ("notes.txt", "my notes\n"),
    ]);
    p.run(&["build", "--out", "notes.txt"])
        .fails()
        .no_panic()
        .stderr_has("error: `notes.txt` is a file, not a folder")
        .stderr_has("help: playbook writes the site into a folder of its own: choose another path with `--out`, or move the file away");
    assert_eq!(p.read("notes.txt"), "my notes\n");
    assert_eq!(names(p.path()), ["book.toml", "content", "notes.txt"]);
}

#[cfg(unix)]
#[test]
fn build_refuses_a_symlink_to_content_as_output_folder() {
    let p = with_files(&[("content/prompts/remove.md", PROMPT)]);
    std::os::unix::fs::symlink("content", p.path().join("site")).unwrap();
    let before = tree(p.path());
    p.run(&["build", "--out", "site"])
        .fails()
        .no_panic()
        .stderr_has("error: refusing to write the site to `site`: it would replace `");
    assert_eq!(tree(p.path()), before);
    assert_eq!(names(p.path()), ["book.toml", "content", "site"]);
}

#[cfg(unix)]
#[test]
fn build_refuses_a_symlink_as_output_folder() {
    // Replacing the link would leave the folder it points to stale.
    let p = with_files(&[("content/prompts/remove.md", PROMPT)]);
    std::fs::create_dir(p.path().join("real")).unwrap();
    std::os::unix::fs::symlink("real", p.path().join("public")).unwrap();
    p.run(&["build"])
        .fails()
        .no_panic()
        .stderr_has("is a symbolic link to `real`")
        .stderr_has("give the folder itself with `--out`, or remove the link");
    assert!(
        std::fs::symlink_metadata(p.path().join("public"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(names(&p.path().join("real")), Vec::<String>::new());
    assert_eq!(names(p.path()), ["book.toml", "content", "public", "real"]);
}

#[test]
fn build_replaces_its_own_previous_output() {
    let p = with_files(&[
        ("content/prompts/remove.md", PROMPT),
        (
            "content/prompts/gone.md",
            "+++\ntitle = \"Soon gone\"\npurpose = \"p\"\n+++\n",
        ),
    ]);
    p.run(&["build", "--out", "site"]).succeeds();
    assert!(p.path().join("site/prompts/gone/index.html").is_file());
    std::fs::remove_file(p.path().join("content/prompts/gone.md")).unwrap();
    p.run(&["build", "--out", "site"]).succeeds();
    assert!(p.path().join("site/prompts/remove/index.html").is_file());
    assert!(
        !p.path().join("site/prompts/gone").exists(),
        "a deleted page survived the rebuild"
    );
}

// ---------------------------------------------------------------------------------------
// check

#[test]
fn check_writes_nothing() {
    let p = with_files(&[("content/prompts/remove.md", PROMPT)]);
    let before = tree(p.path());
    p.run(&["check"]).succeeds();
    assert!(!p.path().join("public").exists(), "check wrote public/");
    assert_eq!(tree(p.path()), before);
    assert_eq!(names(p.path()), ["book.toml", "content"]);
}

/// The diagnostics of a failed run, the final summary line left out.
fn diagnostics(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| !l.contains(" failed with "))
        .map(str::to_string)
        .collect()
}

#[test]
fn check_reports_the_same_errors_as_build() {
    let p = with_files(&[
        (
            "content/prompts/remove.md",
            "+++\ntitle = \"Q?\"\npurpse = \"typo\"\npurpose = \"p\"\ntools = [\"missing-tool\"]\n+++\n",
        ),
        ("content/tools/canvas.md", "+++\ntitle = \"Canvas\"\n+++\n"),
    ]);
    let check = p.run(&["check"]);
    check.fails();
    let build = p.run(&["build"]);
    build.fails();
    let (c, b) = (diagnostics(&check.stderr()), diagnostics(&build.stderr()));
    assert!(
        c.iter().filter(|l| l.starts_with("error: ")).count() >= 3,
        "expected three errors:\n{}",
        check.stderr()
    );
    assert_eq!(c, b, "check and build disagree");
    assert!(!p.path().join("public").exists());
}

// ---------------------------------------------------------------------------------------
// Theme

#[test]
fn theme_template_in_the_playbook_overrides_the_built_in_one() {
    let p = built(&[
        ("content/prompts/remove.md", PROMPT),
        (
            "themes/default/templates/404.html",
            "{% extends \"base.html\" %}{% block main %}<p>Custom 404</p>{% endblock main %}",
        ),
    ]);
    let html = p.read("public/404.html");
    assert!(html.contains("<p>Custom 404</p>"), "{html}");
    assert!(
        !html.contains("Page not found"),
        "the built-in 404 is still used"
    );
    assert!(
        html.contains("href=\"/playbook/"),
        "the override lost base.html"
    );
}

#[test]
fn a_page_template_that_includes_the_old_chips_partial_still_shows_the_chips() {
    // Themes copied before page.html printed `terms_html` itself include
    // `macros_terms.html`: it must still be there, with the same chips.
    let prompt = PROMPT.replace("+++\n\n", "roles = [\"team\"]\n+++\n\n");
    let p = built(&[
        ("content/prompts/remove.md", &prompt),
        (
            "themes/default/templates/page.html",
            "{% extends \"base.html\" %}{% block main %}{% block fields %}{% endblock fields %}<article>{% include \"macros_terms.html\" %}</article>{% endblock main %}",
        ),
    ]);
    let html = p.read("public/prompts/remove/index.html");
    assert!(
        html.contains("<article><dl class=\"terms\">\n<dt>For</dt>"),
        "{html}"
    );
    assert!(html.contains("team</a></li></ul></dd>"), "{html}");
    assert!(html.contains("</dl>\n</article>"), "{html}");
}

#[test]
fn a_card_template_in_the_playbook_shapes_the_cards_of_every_list() {
    let tagged = "+++\ntitle = \"What would you remove?\"\npurpose = \"Test prioritization clarity\"\ntags = [\"focus\"]\n+++\n\nBody.\n";
    let p = built(&[
        ("content/prompts/remove.md", tagged),
        (
            "themes/default/templates/card.html",
            "<li class=\"card mine\">{{ card.title }}{% if with_kind %} [{{ card.kind }}]{% endif %}</li>",
        ),
    ]);
    // A kind index shows one kind: no badge.
    let index = p.read("public/prompts/index.html");
    assert!(
        index.contains("<li class=\"card mine\">What would you remove?</li>"),
        "{index}"
    );
    // A tag page mixes kinds: the badge.
    let tag = p.read("public/tags/focus/index.html");
    assert!(
        tag.contains("<li class=\"card mine\">What would you remove? [prompt]</li>"),
        "{tag}"
    );
}

#[test]
fn the_default_theme_shows_the_kinds_the_contents_the_chips_and_badges_where_kinds_mix() {
    let prompt = "+++\ntitle = \"What would you remove?\"\npurpose = \"Focus\"\nroles = [\"product-owner\"]\nevents = [\"refinement\"]\ntags = [\"flow & focus\"]\n+++\n\n## Why it works\n\nText.\n\n### Q & A\n\nMore.\n";
    let tool = "+++\ntitle = \"Story Mapping\"\npurpose = \"Lay out the journey\"\ntags = [\"flow & focus\"]\n+++\n\nBody.\n";
    let p = built(&[
        ("content/prompts/remove.md", prompt),
        ("content/tools/story-mapping.md", tool),
    ]);
    let page = p.read("public/prompts/remove/index.html");
    // The header links each kind that has pages, and no other.
    assert!(
        page.contains(
            "<li><a href=\"/playbook/prompts/\">Prompts</a></li><li><a href=\"/playbook/tools/\">Tools</a></li>"
        ),
        "{page}"
    );
    assert!(!page.contains(">Stories</a>"), "{page}");
    // The table of contents: second- and third-level headings, text escaped.
    assert!(
        page.contains(
            "<ol><li class=\"toc-h2\"><a href=\"#why-it-works\">Why it works</a></li><li class=\"toc-h3\"><a href=\"#q--a\">Q &amp; A</a></li></ol>"
        ),
        "{page}"
    );
    // The chips of the page's role, event and tag.
    for chip in [
        "<dt>For</dt><dd><ul class=\"chips\"><li><a class=\"chip\" href=\"/playbook/roles/product-owner/\">product-owner</a></li></ul></dd>",
        "<dt>When</dt><dd><ul class=\"chips\"><li><a class=\"chip\" href=\"/playbook/events/refinement/\">refinement</a></li></ul></dd>",
        "<dt>Tags</dt><dd><ul class=\"chips\"><li><a class=\"chip\" href=\"/playbook/tags/flow-focus/\">#flow &amp; focus</a></li></ul></dd>",
    ] {
        assert!(page.contains(chip), "{chip} in {page}");
    }
    // A page without terms has no empty list of them.
    let tool_page = p.read("public/tools/story-mapping/index.html");
    assert!(!tool_page.contains("<dt>For</dt>"), "{tool_page}");
    // The built-in card: no kind badge on a kind index, one on a tag page, which
    // mixes kinds.
    let index = p.read("public/prompts/index.html");
    assert!(index.contains("What would you remove?"), "{index}");
    assert!(!index.contains("kind-badge"), "{index}");
    let tag = p.read("public/tags/flow-focus/index.html");
    for badge in [
        "<span class=\"kind-badge\">prompt</span>",
        "<span class=\"kind-badge\">tool</span>",
    ] {
        assert!(tag.contains(badge), "{badge} in {tag}");
    }
}

#[test]
fn a_list_template_gets_its_cards_joined_and_each_card_with_its_fields() {
    let page = |title: &str| {
        format!("+++\ntitle = \"{title}\"\npurpose = \"Why\"\ntags = [\"focus\"]\n+++\n\nBody.\n")
    };
    let p = built(&[
        ("content/prompts/a.md", &page("Alpha?")),
        ("content/prompts/b.md", &page("Beta?")),
        ("content/tools/c.md", &page("Gamma")),
        (
            "themes/default/templates/card.html",
            "<li>{{ card.title }}{% if with_kind %} [{{ card.kind }}]{% endif %}</li>",
        ),
        (
            "themes/default/templates/list.html",
            "<ul id=\"joined\">{{ list.cards }}</ul>\n<ul id=\"looped\">{% for p in list.pages %}<li>{{ p.title }}|{{ p.html | safe }}</li>{% endfor %}</ul>",
        ),
    ]);
    // A kind index: its cards without the kind badge, in the list's order.
    let index = p.read("public/prompts/index.html");
    assert!(
        index.contains("<ul id=\"joined\"><li>Alpha?</li><li>Beta?</li></ul>"),
        "{index}"
    );
    assert!(
        index.contains("<li>Alpha?|<li>Alpha?</li></li><li>Beta?|<li>Beta?</li></li>"),
        "{index}"
    );
    // A tag page mixes kinds: each card with its badge.
    let tag = p.read("public/tags/focus/index.html");
    let joined = tag.split("<ul id=\"looped\">").next().unwrap();
    for card in [
        "<li>Alpha? [prompt]</li>",
        "<li>Beta? [prompt]</li>",
        "<li>Gamma [tool]</li>",
    ] {
        assert!(joined.contains(card), "{card} in {tag}");
    }
}

#[test]
fn a_template_that_includes_a_missing_one_is_an_error_at_its_own_line() {
    // The missing name holds a built-in one (`terms.html`): the error must still point
    // at the playbook's own template, where the include is.
    let p = with_files(&[
        ("content/prompts/remove.md", PROMPT),
        (
            "themes/default/templates/page.html",
            "{% extends \"base.html\" %}\n{% block main %}{% block fields %}{% endblock fields %}{% include \"my_terms.html\" %}{% endblock main %}",
        ),
    ]);
    let run = p.run(&["build"]);
    run.fails()
        .no_panic()
        .error_count(1)
        .stderr_has("Unknown template `my_terms.html`")
        .stderr_has("--> themes/default/templates/page.html:2:");
    assert!(
        !run.stderr().contains("(built-in theme)"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_card_template_that_fails_is_one_error_naming_it() {
    let p = with_files(&[
        ("content/prompts/remove.md", PROMPT),
        (
            "content/prompts/other.md",
            &PROMPT.replace("remove?", "add?"),
        ),
        (
            "themes/default/templates/card.html",
            "<li>{{ card.title | int }}</li>",
        ),
    ]);
    p.run(&["build"])
        .fails()
        .no_panic()
        .error_count(1)
        .stderr_has("template `card.html` failed to render")
        .stderr_has("cannot be converted to an int");
    assert!(!p.path().join("public").exists());
}

#[test]
fn a_page_where_playbook_writes_its_own_page_is_an_error_naming_the_file() {
    let page = "+++\ntitle = \"Mine\"\n+++\n\nText.\n";
    let p = with_files(&[
        ("content/prompts/remove.md", PROMPT),
        ("content/search.md", page),
        ("content/tags.md", page),
        ("content/prompts.md", page),
    ]);
    p.run(&["build"])
        .fails()
        .no_panic()
        .error_count(3)
        .stderr_has("`content/search.md` would be published at `/playbook/search/`, where playbook writes a page of its own")
        .stderr_has("`content/tags.md` would be published at `/playbook/tags/`")
        .stderr_has("`content/prompts.md` would be published at `/playbook/prompts/`")
        .stderr_has("give it another address with `slug = \"…\"`");
    // The same pages under other names build.
    std::fs::remove_file(p.path().join("content/search.md")).unwrap();
    std::fs::remove_file(p.path().join("content/tags.md")).unwrap();
    std::fs::remove_file(p.path().join("content/prompts.md")).unwrap();
    p.write("content/my-search.md", page.as_bytes());
    p.run(&["build"]).succeeds();
}

#[test]
fn verbose_build_reports_each_phase_with_its_time_and_the_cores_it_kept_busy() {
    // Enough pages for a phase to last the 20 ms a core count needs.
    let p = Project::example();
    for i in 0..400 {
        p.write(
            &format!("content/prompts/generated-{i}.md"),
            format!("+++\ntitle = \"Question {i}?\"\npurpose = \"Purpose {i}\"\ntags = [\"t{}\"]\n+++\n\n## Why\n\nBody of page {i}, with *emphasis* and a [link](../tools/one-on-one-coaching-check-ins.md).\n", i % 7).as_bytes(),
        );
    }
    let run = p.run(&["build", "--verbose"]);
    run.succeeds().no_panic().stdout_has("Built ");
    let err = run.stderr();
    let phases: Vec<(&str, &str)> = err
        .lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(name, rest)| (name.trim(), rest.trim()))
        .filter(|(_, rest)| rest.contains(" ms"))
        .collect();
    let names: Vec<&str> = phases.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "scan and parse",
            "assemble",
            "pages",
            "lists",
            "search index",
            "feeds and files",
            "write"
        ],
        "stderr:\n{err}"
    );
    let mut with_cores = 0;
    for (name, rest) in phases {
        let ms: f64 = rest
            .split(" ms")
            .next()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("`{name}` has no time in milliseconds: {rest}"));
        // The processor clock of the process is read on Linux (and other Unix systems);
        // a phase under 20 ms is too short for the ratio to mean anything.
        if cfg!(target_os = "linux") && ms >= 20.0 && rest.contains("cores") {
            let cores: f64 = rest
                .split("ms")
                .nth(1)
                .and_then(|r| r.trim().strip_suffix("cores"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or_else(|| panic!("`{name}` does not say how many cores: {rest}"));
            // Never negative, never more than the machine has.
            let there = std::thread::available_parallelism().map_or(1, usize::from) as f64;
            assert!(
                (0.0..=there + 0.05).contains(&cores),
                "{name}: {cores} cores of {there} in {rest}"
            );
            with_cores += 1;
        } else if ms < 20.0 {
            assert!(!rest.contains("cores"), "{name}: {rest}");
        }
    }
    if cfg!(target_os = "linux") {
        assert!(
            with_cores > 0,
            "no phase of 20 ms or more had a core count:\n{err}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Where commands find the playbook

#[test]
fn commands_run_in_a_folder_of_the_playbook_find_its_book_toml_above() {
    // A coach's terminal is often in `content/prompts/`.
    let p = Project::example();
    p.run_from("content/prompts", &["build"])
        .succeeds()
        .stdout_has("into ../../public");
    assert!(p.path().join("public/index.html").is_file());
    assert!(!p.path().join("content/prompts/public").exists());
    p.run_from("content/prompts", &["check"]).succeeds();
    p.run_from("content", &["new", "prompt", "Who decides?"])
        .succeeds()
        .stdout_has("../content/prompts/who-decides.md");
    assert!(p.path().join("content/prompts/who-decides.md").is_file());
}

#[test]
fn a_book_toml_above_without_content_is_not_taken_for_a_playbook() {
    // mdBook's `book.toml` sits beside `src/`, not `content/`.
    let p = Project::empty()
        .file("book.toml", "[book]\ntitle = \"An mdBook\"\n")
        .file("notes/readme.txt", "x");
    p.run_from("notes", &["build"])
        .fails()
        .stderr_has("error: no `book.toml` in `.`")
        .stderr_has("error: build failed with 1 error\n");
    assert!(!p.path().join("public").exists() && !p.path().join("notes/public").exists());
}

#[test]
fn serve_in_a_folder_without_book_toml_says_so_and_does_not_start() {
    let p = Project::empty();
    let mut child = p
        .command(&["serve", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start playbook serve");
    // A server that started anyway would run until stopped: wait a bounded while.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().expect("poll serve").is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            panic!("serve in a folder without book.toml is still running after 20 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("serve's output");
    let run = crate::support::Run::new(output, &["serve", "--port", "0"]);
    run.fails()
        .stderr_has("error: no `book.toml` in `.`")
        .stderr_has("help: run `playbook init` to create a playbook here");
    assert!(!run.stdout().contains("Serving"), "{}", run.stdout());
}
