//! `book.toml`: the playbook's configuration, read into typed values with every unknown
//! key and wrong type reported at `book.toml:line:column`.
//!
//! ```
//! use playbook::config::Config;
//! let config = Config::parse("[book]\ntitle = \"Coaching\"\nbase-url = \"https://org.github.io/playbook/\"\n").unwrap();
//! assert_eq!(config.base_path(), "/playbook/");
//! ```

use crate::diagnostic::{Diagnostic, Diagnostics, Source, TomlContext};
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;

/// The default roles vocabulary (SPEC: book.toml).
pub const DEFAULT_ROLES: &[&str] = &[
    "product-owner",
    "scrum-master",
    "team",
    "developers",
    "stakeholders",
    "manager",
    "coach",
];

/// The default events vocabulary (SPEC: book.toml).
pub const DEFAULT_EVENTS: &[&str] = &[
    "refinement",
    "sprint-planning",
    "daily-scrum",
    "sprint-review",
    "retrospective",
    "one-on-one",
    "workshop",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    book: Option<RawBook>,
    #[serde(default)]
    vocabulary: Vocabulary,
    #[serde(default)]
    build: BuildConfig,
    #[serde(default)]
    search: SearchConfig,
    #[serde(default)]
    serve: ServeConfig,
    #[serde(default)]
    extra: toml::Table,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBook {
    title: Option<toml::Spanned<String>>,
    description: Option<String>,
    language: Option<String>,
    base_url: Option<toml::Spanned<String>>,
    edit_url_template: Option<String>,
}

/// The `[vocabulary]` table: the allowed roles and events.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    /// Allowed `roles` values; the SPEC's list by default.
    #[serde(default = "default_roles")]
    pub roles: Vec<String>,
    /// Allowed `events` values; the SPEC's list by default.
    #[serde(default = "default_events")]
    pub events: Vec<String>,
}

impl Default for Vocabulary {
    fn default() -> Self {
        Vocabulary {
            roles: default_roles(),
            events: default_events(),
        }
    }
}

fn default_roles() -> Vec<String> {
    DEFAULT_ROLES.iter().map(|s| s.to_string()).collect()
}

fn default_events() -> Vec<String> {
    DEFAULT_EVENTS.iter().map(|s| s.to_string()).collect()
}

/// The `[build]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BuildConfig {
    /// Where the site is written, relative to the playbook root; `public` by default.
    #[serde(default = "default_output_dir")]
    pub output_dir: String,
    /// The theme: `default` (built in) by default; `themes/<name>/` overrides it file by file.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Whether drafts are built; `false` by default.
    #[serde(default)]
    pub drafts: bool,
}

impl Default for BuildConfig {
    fn default() -> Self {
        BuildConfig {
            output_dir: default_output_dir(),
            theme: default_theme(),
            drafts: false,
        }
    }
}

fn default_output_dir() -> String {
    "public".into()
}
fn default_theme() -> String {
    "default".into()
}

/// The `[search]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// Whether the search index is written; `true` by default.
    #[serde(default = "yes")]
    pub enabled: bool,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig { enabled: true }
    }
}

fn yes() -> bool {
    true
}

/// The `[serve]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// The address `serve` binds; `127.0.0.1` by default.
    #[serde(default = "default_host")]
    pub host: String,
    /// The port `serve` binds; 3000 by default.
    #[serde(default = "default_port")]
    pub port: u16,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            host: default_host(),
            port: default_port(),
        }
    }
}

fn default_host() -> String {
    "127.0.0.1".into()
}
fn default_port() -> u16 {
    3000
}

/// The whole configuration, checked.
#[derive(Debug, Clone)]
pub struct Config {
    /// The playbook's title (required).
    pub title: String,
    /// One or two sentences about the playbook.
    pub description: String,
    /// The content language, as a BCP 47 tag; `en` by default.
    pub language: String,
    /// The absolute URL the site is published at, always ending in `/`; `/` by default.
    pub base_url: String,
    /// A URL with `{path}` replaced by the page's source path, for "Edit this page".
    pub edit_url_template: Option<String>,
    /// Roles and events allowed in front matter.
    pub vocabulary: Vocabulary,
    /// Build settings.
    pub build: BuildConfig,
    /// Search settings.
    pub search: SearchConfig,
    /// Preview server settings.
    pub serve: ServeConfig,
    /// Free data for themes.
    pub extra: toml::Table,
}

const BOOK_KEYS: &[&str] = &[
    "title",
    "description",
    "language",
    "base-url",
    "edit-url-template",
];

impl Config {
    /// Reads `book.toml` in `root`, reporting every problem with its place in the file.
    pub fn from_dir(root: &Path) -> Result<Config, Diagnostics> {
        let path = root.join("book.toml");
        let display = Path::new("book.toml");
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut ds = Diagnostics::new();
                ds.push(no_book_toml(root));
                return Err(ds);
            }
            Err(e) => {
                let mut ds = Diagnostics::new();
                ds.push(
                    Diagnostic::error(format!("cannot read `book.toml`: {e}"))
                        .in_file(display)
                        .with_help("check the file's permissions"),
                );
                return Err(ds);
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let mut ds = Diagnostics::new();
                ds.push(crate::content::invalid_utf8(
                    display,
                    e.as_bytes(),
                    e.utf8_error(),
                ));
                return Err(ds);
            }
        };
        Self::parse_source(Source {
            path: display.to_path_buf(),
            text: Some(Arc::from(text)),
        })
    }

    /// Parses `book.toml` text (for tests and tools).
    pub fn parse(text: &str) -> Result<Config, Diagnostics> {
        Self::parse_source(Source {
            path: "book.toml".into(),
            text: Some(Arc::from(text)),
        })
    }

    fn parse_source(source: Source) -> Result<Config, Diagnostics> {
        let text = source.text.clone().unwrap_or_else(|| Arc::from(""));
        let mut ds = Diagnostics::new();
        let raw: RawConfig = match toml::from_str(&text) {
            Ok(raw) => raw,
            Err(e) => {
                let known: &[&str] = if e.message().contains("expected one of `title`") {
                    BOOK_KEYS
                } else {
                    &[]
                };
                ds.push(Diagnostic::from_toml(
                    &e,
                    &source,
                    0,
                    TomlContext {
                        key_noun: "key",
                        known_keys: known,
                    },
                ));
                return Err(ds);
            }
        };
        let Some(book) = raw.book else {
            ds.push(
                Diagnostic::error("missing `[book]` table")
                    .at(&source, 0..0)
                    .with_help("add `[book]` with `title = \"…\"` at the top of `book.toml`"),
            );
            return Err(ds);
        };
        let title = match book.title {
            Some(t) if !t.get_ref().trim().is_empty() => t.into_inner(),
            Some(t) => {
                ds.push(
                    Diagnostic::error("`title` in `[book]` is empty")
                        .at(&source, t.span())
                        .with_help(
                            "give the playbook a title: `title = \"Coaching the Product Owner\"`",
                        ),
                );
                String::new()
            }
            None => {
                let at = text.find("[book]").unwrap_or(0);
                ds.push(
                    Diagnostic::error("missing required key `title` in `[book]`")
                        .at(&source, at..at + 6)
                        .with_help("add `title = \"…\"` under `[book]`"),
                );
                String::new()
            }
        };
        let base_url = match book.base_url {
            Some(u) => match normalize_base_url(u.get_ref()) {
                Ok(u) => u,
                Err(msg) => {
                    ds.push(
                        Diagnostic::error(msg)
                            .at(&source, u.span())
                            .with_help("write a full URL such as `https://org.github.io/playbook/`, or `/` for a domain root"),
                    );
                    "/".into()
                }
            },
            None => "/".into(),
        };
        check_vocabulary(&raw.vocabulary, &source, &text, &mut ds);
        if ds.has_errors() {
            return Err(ds);
        }
        Ok(Config {
            title,
            description: book.description.unwrap_or_default(),
            language: book.language.unwrap_or_else(|| "en".into()),
            base_url,
            edit_url_template: book.edit_url_template,
            vocabulary: raw.vocabulary,
            build: raw.build,
            search: raw.search,
            serve: raw.serve,
            extra: raw.extra,
        })
    }

    /// Replaces the base URL (from `--base-url`), checking it as book.toml's would be.
    /// A path alone (`/` or `/docs/`) keeps the scheme and host of `book.toml`'s
    /// base URL, so the sitemap and feed stay absolute.
    pub fn set_base_url(&mut self, url: &str) -> Result<(), String> {
        let url = normalize_base_url(url)?;
        self.base_url = match (url.starts_with('/'), self.base_url.find("://")) {
            (true, Some(i)) => {
                let host_end = self.base_url[i + 3..]
                    .find('/')
                    .map_or(self.base_url.len(), |j| i + 3 + j);
                format!("{}{url}", &self.base_url[..host_end])
            }
            _ => url,
        };
        Ok(())
    }

    /// The path part of the base URL, starting and ending with `/`: `/playbook/`.
    pub fn base_path(&self) -> &str {
        base_path_of(&self.base_url)
    }
}

/// The path part of a normalized base URL.
fn base_path_of(url: &str) -> &str {
    match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            match rest.find('/') {
                Some(j) => &rest[j..],
                None => "/",
            }
        }
        None => url,
    }
}

/// Checks a base URL and makes it end with `/`: `https://org.github.io/playbook`
/// becomes `https://org.github.io/playbook/`.
fn normalize_base_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    if url.is_empty() {
        return Err("`base-url` is empty".into());
    }
    let ok = url.starts_with('/')
        || ((url.starts_with("https://") || url.starts_with("http://"))
            && url.split("://").nth(1).is_some_and(|r| !r.is_empty()));
    if !ok || url.contains(char::is_whitespace) || url.contains(['?', '#']) {
        return Err(format!(
            "`base-url` must be an absolute http(s) URL or a path starting with `/`, found `{url}`"
        ));
    }
    let mut url = url.to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(url)
}

fn check_vocabulary(v: &Vocabulary, source: &Source, text: &str, ds: &mut Diagnostics) {
    for (name, list) in [("roles", &v.roles), ("events", &v.events)] {
        for item in list {
            if item.is_empty() || item.contains(['/', '\\', '?', '#']) || item.trim() != item {
                let at = text.find(&format!("\"{item}\"")).unwrap_or(0);
                ds.push(
                    Diagnostic::error(format!(
                        "`{item}` cannot be used in `[vocabulary] {name}`: it becomes part of a URL"
                    ))
                    .at(source, at..at + item.len() + 2)
                    .with_help("use lower-case words joined by hyphens, e.g. `product-owner`"),
                );
            }
        }
    }
}

/// The error of a command run where there is no playbook: `root` has no `book.toml`.
pub fn no_book_toml(root: &Path) -> Diagnostic {
    Diagnostic::error(format!("no `book.toml` in `{}`", root.display())).with_help(
        "run `playbook init` to create a playbook here, or pass the folder that holds `book.toml`",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_error(text: &str) -> String {
        Config::parse(text)
            .unwrap_err()
            .sorted()
            .first()
            .unwrap()
            .render(false)
    }

    #[test]
    fn can_parse_minimal_config_with_defaults() {
        let c = Config::parse("[book]\ntitle = \"T\"\n").unwrap();
        assert_eq!(c.base_url, "/");
        assert_eq!(c.build.output_dir, "public");
        assert!(c.search.enabled);
        assert_eq!(c.serve.port, 3000);
        assert!(c.vocabulary.roles.contains(&"product-owner".to_string()));
    }

    #[test]
    fn base_path_is_the_path_of_the_base_url() {
        let c = Config::parse("[book]\ntitle = \"T\"\nbase-url = \"https://o.github.io/pb\"\n")
            .unwrap();
        assert_eq!(c.base_url, "https://o.github.io/pb/");
        assert_eq!(c.base_path(), "/pb/");
        let c = Config::parse("[book]\ntitle = \"T\"\nbase-url = \"https://o.org\"\n").unwrap();
        assert_eq!(c.base_path(), "/");
    }

    #[test]
    fn errors_on_unknown_key_with_suggestion() {
        let e = first_error("[book]\ntitle = \"T\"\ndescripton = \"x\"\n");
        assert!(e.contains("unknown key `descripton`"), "{e}");
        assert!(e.contains("book.toml:3:1"), "{e}");
        assert!(e.contains("did you mean `description`?"), "{e}");
    }

    #[test]
    fn errors_on_wrong_type() {
        let e = first_error("[book]\ntitle = \"T\"\n[serve]\nport = \"eighty\"\n");
        assert!(e.contains("wrong type for `port`"), "{e}");
        assert!(e.contains("book.toml:4:8"), "{e}");
    }

    #[test]
    fn a_path_alone_keeps_the_host_of_book_toml() {
        let mut c =
            Config::parse("[book]\ntitle = \"T\"\nbase-url = \"https://o.github.io/pb/\"\n")
                .unwrap();
        c.set_base_url("/").unwrap();
        assert_eq!(c.base_url, "https://o.github.io/");
        assert_eq!(c.base_path(), "/");
        c.set_base_url("https://x.org/sub").unwrap();
        assert_eq!(c.base_url, "https://x.org/sub/");
    }

    #[test]
    fn duplicate_table_says_to_merge() {
        let e = first_error(
            "[book]\ntitle = \"T\"\n[search]\nenabled = true\n[search]\nenabled = false\n",
        );
        assert!(e.contains("book.toml:5:"), "{e}");
        assert!(e.contains("table `[search]` appears twice"), "{e}");
        assert!(
            e.contains("first appears on line 3: move these keys under it"),
            "{e}"
        );
    }

    #[test]
    fn errors_on_missing_title() {
        let e = first_error("[book]\ndescription = \"x\"\n");
        assert!(e.contains("missing required key `title`"), "{e}");
    }

    #[test]
    fn errors_on_bad_base_url() {
        let e = first_error("[book]\ntitle = \"T\"\nbase-url = \"org.github.io\"\n");
        assert!(e.contains("`base-url` must be an absolute"), "{e}");
    }
}
