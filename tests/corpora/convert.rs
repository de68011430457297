//! The converter: the corpora's YAML front matter and site machinery to playbook pages
//! (see `main.rs` for what it changes and why).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use toml::Value;
use yaml_serde::Value as Yaml;

use super::BASE_URL;

// Reading the corpora

/// One source file: its path under the corpus folder, its YAML front matter, its body.
pub(crate) struct Source {
    pub(crate) rel: String,
    pub(crate) stem: String,
    pub(crate) yaml: yaml_serde::Mapping,
    pub(crate) body: String,
}

/// Every file under `dir` (recursively, any extension: 18F's
/// `stakeholder-influence-mapping` has none), sorted by path.
pub(crate) fn read_corpus(dir: &Path) -> Vec<Source> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if !e.file_type().is_file() {
            continue;
        }
        let rel = e
            .path()
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(e.path()).unwrap();
        let (yaml, body) = split_yaml(&text)
            .unwrap_or_else(|| panic!("{rel}: no YAML front matter between `---` lines"));
        let yaml: yaml_serde::Mapping = yaml_serde::from_str(yaml)
            .unwrap_or_else(|err| panic!("{rel}: YAML front matter does not parse: {err}"));
        let name = e.file_name().to_string_lossy();
        let stem = name.strip_suffix(".md").unwrap_or(&name).to_string();
        out.push(Source {
            rel,
            stem,
            yaml,
            body: body.to_string(),
        });
    }
    out
}

/// Cuts `---` YAML front matter off a Markdown file.
pub(crate) fn split_yaml(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("---\n")?;
    let mut pos = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some((&rest[..pos], &rest[pos + line.len()..]));
        }
        pos += line.len();
    }
    None
}

/// A YAML value as text, if it is a non-empty scalar.
pub(crate) fn text(yaml: &yaml_serde::Mapping, key: &str) -> Option<String> {
    let s = match yaml.get(key)? {
        Yaml::String(s) => s.trim().to_string(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// A YAML list of strings (nulls, empty strings and non-strings left out).
pub(crate) fn list(yaml: &yaml_serde::Mapping, key: &str) -> Vec<String> {
    match yaml.get(key) {
        Some(Yaml::Sequence(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::trim).filter(|s| !s.is_empty()))
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// A YAML value as TOML, for `[extra]`: TOML has no null, so nulls are left out.
pub(crate) fn to_toml(v: &Yaml) -> Option<Value> {
    Some(match v {
        Yaml::Null => return None,
        Yaml::Bool(b) => Value::Boolean(*b),
        Yaml::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Float(n.as_f64()?),
        },
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Sequence(items) => Value::Array(items.iter().filter_map(to_toml).collect()),
        Yaml::Mapping(m) => Value::Table(
            m.iter()
                .filter_map(|(k, v)| Some((key_text(k), to_toml(v)?)))
                .collect(),
        ),
        Yaml::Tagged(t) => return to_toml(&t.value),
    })
}

pub(crate) fn key_text(k: &Yaml) -> String {
    match k {
        Yaml::String(s) => s.clone(),
        other => yaml_serde::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// The keys of `yaml` the converter did not map, as an `[extra]` table: free data for
/// themes is the one place a playbook allows keys of its own.
pub(crate) fn extra(yaml: &yaml_serde::Mapping, mapped: &[&str]) -> toml::Table {
    yaml.iter()
        .filter(|(k, _)| !mapped.contains(&key_text(k).as_str()))
        .filter_map(|(k, v)| Some((key_text(k), to_toml(v)?)))
        .collect()
}

/// A YAML timestamp (`2017-04-20T05:00:00.000Z`) as a TOML date-time, kept whole.
pub(crate) fn date(yaml: &yaml_serde::Mapping) -> Option<Value> {
    text(yaml, "date")?.parse().ok().map(Value::Datetime)
}

// ---------------------------------------------------------------------------------------
// Writing a playbook

/// A converted page: its path under `content/`, front matter and Markdown body.
pub(crate) struct Page {
    pub(crate) path: String,
    pub(crate) front: toml::Table,
    pub(crate) body: String,
}

impl Page {
    pub(crate) fn write(&self, content: &Path) {
        let file = content.join(&self.path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        let front = toml::to_string(&self.front).unwrap();
        std::fs::write(file, format!("+++\n{front}+++\n{}", self.body)).unwrap();
    }
}

pub(crate) fn strings(items: impl IntoIterator<Item = String>) -> Value {
    Value::Array(items.into_iter().map(Value::String).collect())
}

/// Writes `book.toml` and the pages into `root`.
pub(crate) fn write_playbook(root: &Path, title: &str, language: &str, pages: &[Page]) {
    let mut book = toml::Table::new();
    book.insert("title".into(), title.into());
    book.insert("language".into(), language.into());
    book.insert("base-url".into(), BASE_URL.into());
    let mut config = toml::Table::new();
    config.insert("book".into(), Value::Table(book));
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::write(root.join("book.toml"), toml::to_string(&config).unwrap()).unwrap();
    for p in pages {
        p.write(&root.join("content"));
    }
}

/// What `playbook build` did.
pub(crate) struct Built {
    pub(crate) ok: bool,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) site: PathBuf,
    pub(crate) elapsed: Duration,
}

impl Built {
    /// The diagnostics printed at `severity` (the closing "build failed" line aside).
    pub(crate) fn count(&self, severity: &str) -> usize {
        self.stderr
            .lines()
            .filter(|l| l.starts_with(&format!("{severity}:")))
            .filter(|l| !l.starts_with("error: build failed"))
            .count()
    }
    pub(crate) fn errors(&self) -> usize {
        self.count("error")
    }
    pub(crate) fn warnings(&self) -> usize {
        self.count("warning")
    }
    /// The summary line and the figures, for the test's output (never asserted on).
    pub(crate) fn report(&self, corpus: &str) {
        println!(
            "{corpus}: {} ({} errors, {} warnings, {:.2} s wall clock)",
            self.stdout.trim(),
            self.errors(),
            self.warnings(),
            self.elapsed.as_secs_f64()
        );
    }
    /// Asserts the build succeeded with no error, printing every diagnostic if not.
    pub(crate) fn assert_clean(&self) {
        assert!(
            self.ok && self.errors() == 0,
            "the build reported {} errors:\n{}",
            self.errors(),
            self.stderr
        );
        assert!(self.stdout.starts_with("Built "), "{}", self.stdout);
    }
    pub(crate) fn html(&self, url: &str) -> String {
        let path = self.site.join(url).join("index.html");
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.site.join("playbook.json")).unwrap()).unwrap()
    }
}

pub(crate) fn build(root: &Path) -> Built {
    let site = root.join("site");
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_playbook"))
        .arg("build")
        .arg(root)
        .arg("--out")
        .arg(&site)
        .output()
        .expect("runs playbook");
    Built {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        site,
        elapsed: start.elapsed(),
    }
}

/// The pages `playbook.json` lists, by URL.
pub(crate) fn pages_by_url(built: &Built) -> BTreeMap<String, serde_json::Value> {
    let json = built.json();
    let pages = json["pages"]
        .as_array()
        .unwrap_or_else(|| panic!("playbook.json has no `pages` array: {json}"));
    pages
        .iter()
        .map(|p| (p["url"].as_str().unwrap().to_string(), p.clone()))
        .collect()
}

/// The number of pages of `kind` in `playbook.json`.
pub(crate) fn count_kind(built: &Built, kind: &str) -> usize {
    pages_by_url(built)
        .values()
        .filter(|p| p["kind"] == kind)
        .count()
}

// ---------------------------------------------------------------------------------------
// Links: the corpora's site machinery

/// Rewrites every root-relative link destination (`](/x)`, `]: /x`, `href="/x"`,
/// `src="/x"`) with `resolve`, which gets the path as written (with its `#fragment`)
/// and whether it sits in raw HTML (where playbook rewrites nothing).
pub(crate) fn rewrite_root_links(text: &str, resolve: impl Fn(&str, bool) -> String) -> String {
    const OPENERS: [(&str, bool); 5] = [
        ("](", false),
        ("]: ", false),
        ("href=\"", true),
        ("src=\"", true),
        ("href='", true),
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = OPENERS
            .iter()
            .filter_map(|(o, html)| {
                let at = rest.find(o)?;
                Some((at, o.len(), *html))
            })
            .min();
        let Some((at, len, html)) = next else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..at + len]);
        rest = &rest[at + len..];
        if rest.starts_with('/') && !rest.starts_with("//") {
            let end = rest
                .find(|c: char| c == ')' || c == '"' || c == '\'' || c.is_whitespace())
                .unwrap_or(rest.len());
            out.push_str(&resolve(&rest[..end], html));
            rest = &rest[end..];
        }
    }
}

/// Splits `path#fragment`.
pub(crate) fn fragment(dest: &str) -> (&str, Option<&str>) {
    match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    }
}

/// A link to tool `slug`: its source file in Markdown (playbook checks it and rewrites it
/// to the published URL), a URL relative to the page in raw HTML (which playbook passes
/// through as written, so a root-relative `/tools/…` would escape the base path).
pub(crate) fn tool_link(slug: &str, frag: Option<&str>, html: bool) -> String {
    let f = frag.map(|f| format!("#{f}")).unwrap_or_default();
    if html {
        format!("../{slug}/{f}")
    } else {
        format!("/tools/{slug}.md{f}")
    }
}

// ---------------------------------------------------------------------------------------
// Open Practice Library → tools

pub(crate) const OPL_SITE: &str = "https://openpracticelibrary.com";
pub(crate) const OPL_SOURCE: &str = "https://github.com/openpracticelibrary/openpracticelibrary/raw/27e589223dc3e3cf70c26b51dfc34358de11a48d/src/pages/practice/";

/// The roles vocabulary value a participant names, where one fits; every participant
/// is kept as written in `participants` too.
pub(crate) fn role_of(participant: &str) -> Option<&'static str> {
    let p = participant.trim().to_lowercase();
    let p = p.strip_prefix("the ").unwrap_or(&p).replace("(s)", "");
    let p = p.trim().trim_end_matches('s');
    Some(match p {
        "product owner" | "productowner" | "product owner/manager" | "product manager/owner" => {
            "product-owner"
        }
        "team" | "theteam" | "team member" | "development team" | "delivery team"
        | "scrum team" | "all team member" => "team",
        "developer" => "developers",
        "stakeholder" | "business stakeholder" => "stakeholders",
        "scrum master" | "scrummaster" => "scrum-master",
        "agile coach" | "coach" => "coach",
        "manager" => "manager",
        _ => return None,
    })
}

/// Section headings for the practice text that OPL keeps in front matter.
pub(crate) struct OplLabels {
    pub(crate) what: &'static str,
    pub(crate) why: &'static str,
    pub(crate) how: &'static str,
    pub(crate) resources: &'static str,
    pub(crate) source: &'static str,
}

pub(crate) const OPL_EN: OplLabels = OplLabels {
    what: "What is it?",
    why: "Why do it?",
    how: "How to do it?",
    resources: "Resources",
    source: "Open Practice Library (openpracticelibrary.com), CC BY-SA 4.0; converted to TOML front matter",
};

pub(crate) const OPL_JA: OplLabels = OplLabels {
    what: "概要",
    why: "なぜ行うのか",
    how: "進め方",
    resources: "リソース",
    source: "Open Practice Library 日本語版 (openpracticelibrary-ja), CC BY-SA 4.0; converted to TOML front matter",
};

/// The OPL front matter keys the converter maps; the rest goes to `[extra]`.
pub(crate) const OPL_MAPPED: &[&str] = &[
    "title",
    "subtitle",
    "date",
    "authors",
    "tags",
    "mobiusTag",
    "area",
    "whatIs",
    "whyDo",
    "howTo",
    "participants",
    "difficulty",
    "people",
    "time",
    "resources",
    "aliases",
];

/// Every key of OPL's own schema (Netlify CMS `static/admin/config.yml`); a key outside
/// it is an author's slip (`howto` for `howTo`, `参加者` for `participants`) that OPL's
/// site silently ignored.
pub(crate) const OPL_SCHEMA: &[&str] = &[
    "templateKey",
    "title",
    "subtitle",
    "date",
    "authors",
    "tags",
    "mobiusTag",
    "icon",
    "whatIs",
    "whyDo",
    "howTo",
    "mediaGallery",
    "resources",
    "participants",
    "area",
    "people",
    "time",
    "difficulty",
    "perspectives",
    "jumbotron",
    "jumbotronAlt",
    "aliases",
];

/// How faithfully the converter carries the authors' own slips over.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Every value as the author wrote it, keys outside the corpus's schema included:
    /// playbook must report each slip clearly.
    AsWritten,
    /// Slips outside the schema go to `[extra]`, scheme-less web links get `https://`,
    /// and [`ERRATA`] are applied: the build must be clean.
    Repaired,
}

/// Converts one OPL practice into a tool page.
pub(crate) fn opl_page(
    src: &Source,
    slugs: &BTreeSet<String>,
    labels: &OplLabels,
    mode: Mode,
) -> Page {
    let y = &src.yaml;
    let mut fm = toml::Table::new();
    let title = text(y, "title").unwrap_or_else(|| panic!("{}: no title", src.rel));
    fm.insert("title".into(), title.into());
    // The subtitle says what the practice achieves: a tool's purpose.
    let subtitle = text(y, "subtitle").unwrap_or_else(|| panic!("{}: no subtitle", src.rel));
    fm.insert("purpose".into(), subtitle.into());
    // Tags: the site's own tags plus its Möbius loop stage and area, all free topics.
    let mut tags = list(y, "tags");
    tags.extend(text(y, "mobiusTag"));
    tags.extend(text(y, "area"));
    tags.dedup();
    if !tags.is_empty() {
        fm.insert("tags".into(), strings(tags));
    }
    let participants = list(y, "participants");
    let roles: BTreeSet<&str> = participants.iter().filter_map(|p| role_of(p)).collect();
    if !roles.is_empty() {
        fm.insert("roles".into(), strings(roles.into_iter().map(String::from)));
    }
    if !participants.is_empty() {
        fm.insert("participants".into(), strings(participants));
    }
    let authors = list(y, "authors");
    if !authors.is_empty() {
        fm.insert("authors".into(), strings(authors));
    }
    fm.insert("source".into(), labels.source.into());
    if let Some(d) = date(y) {
        fm.insert("date".into(), d);
    }
    // OPL's difficulty uses playbook's very words; anything else would be an error.
    if let Some(d) = text(y, "difficulty") {
        fm.insert("difficulty".into(), d.into());
    }
    if let Some(t) = text(y, "time") {
        fm.insert("duration".into(), t.into());
    }
    if let Some(p) = text(y, "people") {
        fm.insert("group_size".into(), p.into());
    }
    let aliases = list(y, "aliases");
    if !aliases.is_empty() {
        fm.insert("aliases".into(), strings(aliases));
    }
    let mut extra = extra(y, OPL_MAPPED);
    if mode == Mode::AsWritten {
        extra.retain(|k, v| {
            let slip = !OPL_SCHEMA.contains(&k);
            if slip {
                fm.insert(k.to_string(), v.clone());
            }
            !slip
        });
    }
    if !extra.is_empty() {
        fm.insert("extra".into(), Value::Table(extra));
    }

    // The practice's text lives in front matter on the OPL site: it becomes the body,
    // followed by the legacy body where there is one.
    let mut body = String::new();
    for (label, key) in [
        (labels.what, "whatIs"),
        (labels.why, "whyDo"),
        (labels.how, "howTo"),
    ] {
        if let Some(t) = text(y, key) {
            body.push_str(&format!("## {label}\n\n{t}\n\n"));
        }
    }
    if let Some(Yaml::Sequence(items)) = y.get("resources") {
        let lines: Vec<String> = items
            .iter()
            .filter_map(|r| {
                let link = r.get("link")?.as_str()?.trim();
                // A web resource written without its scheme (`www.luma-institute.com`)
                // is an address, not a path inside the site.
                let web = mode == Mode::Repaired && link.starts_with("www.");
                let link = if web {
                    format!("https://{link}")
                } else {
                    link.to_string()
                };
                let link = link.as_str();
                let what = r
                    .get("description")
                    .and_then(Yaml::as_str)
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                    .unwrap_or(link);
                (!link.is_empty())
                    .then(|| format!("- [{}](<{link}>)", what.replace(['[', ']'], "")))
            })
            .collect();
        if !lines.is_empty() {
            body.push_str(&format!(
                "## {}\n\n{}\n\n",
                labels.resources,
                lines.join("\n")
            ));
        }
    }
    body.push_str(&src.body);
    let body = opl_links(&body, slugs);
    Page {
        path: format!("tools/{}.md", src.stem),
        front: fm,
        body,
    }
}

/// OPL's own URLs: `/practice/<slug>/` is another practice (a tool here when the corpus
/// has it); `/images/…` and other site paths are files the corpus does not ship, so they
/// point to the published site; `./x.pdf` sat beside the page in the source repository.
pub(crate) fn opl_links(body: &str, slugs: &BTreeSet<String>) -> String {
    let body = rewrite_root_links(body, |dest, html| {
        let (path, frag) = fragment(dest);
        if let Some(slug) = path.strip_prefix("/practice/") {
            let slug = slug.trim_end_matches('/');
            if slugs.contains(slug) {
                return tool_link(slug, frag, html);
            }
        }
        format!("{OPL_SITE}{dest}")
    });
    body.replace("](./", &format!("]({OPL_SOURCE}"))
}

pub(crate) fn opl_pages(dir: &Path, labels: &OplLabels, mode: Mode) -> Vec<Page> {
    let sources = read_corpus(dir);
    let slugs: BTreeSet<String> = sources.iter().map(|s| s.stem.clone()).collect();
    sources
        .iter()
        .map(|s| opl_page(s, &slugs, labels, mode))
        .collect()
}

// ---------------------------------------------------------------------------------------
// 18F Methods → tools

pub(crate) const METHODS_SITE: &str = "https://methods.18f.gov";
pub(crate) const METHODS_SOURCE: &str = "18F Methods (methods.18f.gov), 18F / U.S. General Services Administration, CC0 1.0; converted to TOML front matter";
pub(crate) const METHODS_MAPPED: &[&str] = &[
    "title",
    "permalink",
    "redirect_from",
    "description",
    "category",
    "what",
    "why",
    "timeRequired",
];

/// Converts one 18F method card into a tool page.
pub(crate) fn method_page(src: &Source, slugs: &BTreeSet<String>) -> Page {
    let y = &src.yaml;
    let mut fm = toml::Table::new();
    let title = text(y, "title").unwrap_or_else(|| panic!("{}: no title", src.rel));
    fm.insert("title".into(), title.into());
    let what = text(y, "what");
    if let Some(d) = text(y, "description").or_else(|| what.clone()) {
        fm.insert("summary".into(), d.into());
    }
    // "Why" says what the method is for: a tool's purpose.
    let why = text(y, "why").unwrap_or_else(|| panic!("{}: no `why`", src.rel));
    fm.insert("purpose".into(), why.into());
    if let Some(c) = text(y, "category") {
        fm.insert("tags".into(), strings([c.to_lowercase()]));
    }
    if let Some(t) = text(y, "timeRequired") {
        fm.insert("duration".into(), t.into());
    }
    fm.insert("source".into(), METHODS_SOURCE.into());
    // The old URLs (permalink and redirects) keep working as aliases.
    let mut aliases: Vec<String> = text(y, "permalink").into_iter().collect();
    aliases.extend(list(y, "redirect_from"));
    if !aliases.is_empty() {
        fm.insert("aliases".into(), strings(aliases));
    }
    let extra = extra(y, METHODS_MAPPED);
    if !extra.is_empty() {
        fm.insert("extra".into(), Value::Table(extra));
    }
    let mut body = String::new();
    if let Some(w) = what {
        body.push_str(&format!("{w}\n\n"));
    }
    body.push_str(&methods_links(&src.body, slugs));
    Page {
        path: format!(
            "tools/{}.md",
            src.rel.strip_suffix(".md").unwrap_or(&src.rel)
        ),
        front: fm,
        body,
    }
}

/// 18F's Jekyll machinery: `{{site.baseurl}}`, `{% link … %}` and kramdown's
/// `markdown="1"` go; a link to another method (`/<category>/<slug>/`, or the short
/// `/<slug>/` redirect) becomes a link to that tool, its `#<slug>` fragment (the card's
/// id on 18F's site, not a heading) dropped; other site pages point to 18F's site.
pub(crate) fn methods_links(body: &str, slugs: &BTreeSet<String>) -> String {
    let mut body = body
        .replace("{{site.baseurl}}", "")
        .replace("{{ site.baseurl }}", "")
        .replace(" markdown=\"1\"", "");
    while let Some(at) = body.find("{% link ") {
        let end = at + body[at..].find("%}").expect("closed {% link %}") + 2;
        let target = body[at + 8..end - 2].trim();
        let name = target.rsplit('/').next().unwrap().trim_end_matches(".md");
        body.replace_range(at..end, &format!("/{name}/"));
    }
    rewrite_root_links(&body, |dest, html| {
        let (path, frag) = fragment(dest);
        let slug = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        if slugs.contains(slug) {
            tool_link(slug, frag.filter(|f| *f != slug), html)
        } else {
            format!("{METHODS_SITE}{dest}")
        }
    })
}

pub(crate) fn method_pages(dir: &Path) -> Vec<Page> {
    let sources = read_corpus(dir);
    let slugs: BTreeSet<String> = sources.iter().map(|s| s.stem.clone()).collect();
    sources.iter().map(|s| method_page(s, &slugs)).collect()
}

// ---------------------------------------------------------------------------------------
// USDS Digital Services Playbook → takeaways and one playbook

pub(crate) const PLAYS_SOURCE: &str =
    "U.S. Digital Services Playbook (playbook.cio.gov), U.S. Digital Service, CC0 1.0";

/// Each play is a lesson (a takeaway) in play order; the playbook page walks them.
pub(crate) fn play_pages(dir: &Path) -> Vec<Page> {
    let mut sources = read_corpus(dir);
    sources.sort_by_key(|s| s.yaml.get("play_number").and_then(Yaml::as_i64));
    let mut pages: Vec<Page> = sources
        .iter()
        .map(|s| {
            let mut fm = toml::Table::new();
            let title = text(&s.yaml, "title").expect("a play has a title");
            fm.insert("title".into(), title.into());
            let n = s
                .yaml
                .get("play_number")
                .and_then(Yaml::as_i64)
                .expect("play_number");
            fm.insert("weight".into(), Value::Integer(n));
            fm.insert("source".into(), PLAYS_SOURCE.into());
            Page {
                path: format!("takeaways/{}.md", s.stem),
                front: fm,
                body: s.body.clone(),
            }
        })
        .collect();
    let steps: Vec<Value> = sources
        .iter()
        .map(|s| {
            let mut step = toml::Table::new();
            step.insert("ref".into(), format!("takeaways/{}", s.stem).into());
            step.insert(
                "note".into(),
                format!(
                    "Play {}",
                    s.yaml.get("play_number").and_then(Yaml::as_i64).unwrap()
                )
                .into(),
            );
            Value::Table(step)
        })
        .collect();
    let mut fm = toml::Table::new();
    fm.insert("title".into(), "Digital Services Playbook".into());
    fm.insert(
        "summary".into(),
        "Thirteen key plays drawn from successful practices in the private sector and government"
            .into(),
    );
    fm.insert("steps".into(), Value::Array(steps));
    fm.insert("source".into(), PLAYS_SOURCE.into());
    pages.push(Page {
        path: "playbooks/digital-services-playbook.md".into(),
        front: fm,
        body: "The plays of the U.S. Digital Service, in order.\n".into(),
    });
    pages
}
