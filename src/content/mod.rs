//! Content: the files under `content/`, scanned, read and parsed into pages with typed
//! front matter, plus the other files that are copied as they are.

pub mod front_matter;
pub mod kind;

pub use front_matter::{Difficulty, Format, Measure, Outcome, RawFrontMatter, Step};
pub use kind::Kind;

use crate::diagnostic::{Diagnostic, DisplayPath, Location, Source};
use rayon::prelude::*;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a Markdown file is for, besides being a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A page of its own.
    Regular,
    /// `content/_index.md`: the home page's text.
    Home,
    /// `content/<kind folder>/_index.md`: the text above a kind's index.
    KindIndex(Kind),
}

/// One Markdown file, read and parsed.
#[derive(Debug)]
pub struct Page {
    /// The kind, from the folder.
    pub kind: Kind,
    /// What the file is for.
    pub role: Role,
    /// The file's path (relative to the playbook root) and text.
    pub source: Source,
    /// The path relative to `content/`, with `/`: `prompts/remove-one.md`.
    pub content_path: String,
    /// The last URL segment.
    pub slug: String,
    /// The reference other pages use: `prompts/remove-one`; for free pages their path
    /// without `.md`: `about`, `guides/intro`.
    pub key: String,
    /// The URL relative to the base path: `prompts/remove-one/`; `""` for the home page.
    pub url: String,
    /// The title: from front matter, or the first heading of a free page.
    pub title: String,
    /// The front matter as read.
    pub fm: RawFrontMatter,
    /// Where the front matter's TOML starts in the file.
    pub fm_offset: usize,
    /// Byte range of the Markdown body in the file.
    pub body: Range<usize>,
    /// Story outcomes, checked.
    pub outcomes: Vec<Outcome>,
    /// Playbook steps, checked.
    pub steps: Vec<Step>,
}

impl Page {
    /// The Markdown body.
    pub fn body_text(&self) -> &str {
        self.source
            .text
            .as_deref()
            .map_or("", |t| &t[self.body.clone()])
    }

    /// The file's whole text.
    pub fn text(&self) -> &str {
        self.source.text.as_deref().unwrap_or("")
    }
}

/// A file under `content/` that is not Markdown: copied to the same relative path.
#[derive(Debug, Clone)]
pub struct Asset {
    /// The path relative to `content/`, with `/`.
    pub rel: String,
    /// The file on disk.
    pub path: PathBuf,
}

/// Everything read from `content/`.
#[derive(Debug, Default)]
pub struct Content {
    /// Every page, home and index texts included, drafts left out unless asked for.
    pub pages: Vec<Page>,
    /// Files copied as they are.
    pub assets: Vec<Asset>,
    /// Keys of drafts left out, so a reference to one can say so.
    pub skipped_drafts: Vec<String>,
}

/// Reads `content/` under `root`. Every problem is returned; pages that could not be
/// read are left out.
pub fn load(root: &Path, include_drafts: bool) -> (Content, Vec<Diagnostic>) {
    let content_dir = root.join("content");
    let mut diags = Vec::new();
    let mut markdown = Vec::new();
    let mut assets = Vec::new();
    if !content_dir.is_dir() {
        diags.push(
            Diagnostic::error(format!("no `content` folder in `{}`", root.display())).with_help(
                "create `content/` with your pages, or run `playbook init` to start a playbook",
            ),
        );
        return (Content::default(), diags);
    }
    let walker = walkdir::WalkDir::new(&content_dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map(|p| relative(root, p)).unwrap_or_default();
                diags.push(
                    Diagnostic::error(format!("cannot read `{}`: {e}", DisplayPath(&path)))
                        .with_help("check the file's permissions, or remove it"),
                );
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = rel_string(
            entry
                .path()
                .strip_prefix(&content_dir)
                .unwrap_or(entry.path()),
        );
        if entry.path().extension().is_some_and(|e| e == "md") {
            markdown.push((rel, entry.into_path()));
        } else {
            assets.push(Asset {
                rel,
                path: entry.into_path(),
            });
        }
    }

    let results: Vec<(Option<Page>, Vec<Diagnostic>, Option<String>)> = markdown
        .par_iter()
        .map(|(rel, path)| read_page(root, rel, path, include_drafts))
        .collect();
    let mut pages = Vec::with_capacity(results.len());
    let mut skipped_drafts = Vec::new();
    for (page, d, draft) in results {
        diags.extend(d);
        pages.extend(page);
        skipped_drafts.extend(draft);
    }
    check_unique_urls(&pages, &assets, &mut diags);
    (
        Content {
            pages,
            assets,
            skipped_drafts,
        },
        diags,
    )
}

/// Returns true if and only if a file or folder is skipped: hidden files, editor backups.
fn is_ignored(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
}

fn relative(root: &Path, p: &Path) -> PathBuf {
    p.strip_prefix(root).unwrap_or(p).to_path_buf()
}

/// A relative path as a `/`-separated string, the same on every platform.
fn rel_string(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// A diagnostic for a file that is not UTF-8, pointing at the first bad byte.
pub fn invalid_utf8(path: &Path, bytes: &[u8], err: std::str::Utf8Error) -> Diagnostic {
    let valid = &bytes[..err.valid_up_to()];
    // The prefix is valid UTF-8 by definition of `valid_up_to`.
    let prefix = std::str::from_utf8(valid).unwrap_or("");
    let (line, column) = crate::diagnostic::line_column(prefix, prefix.len());
    let byte = bytes.get(err.valid_up_to()).copied().unwrap_or(0);
    let mut d = Diagnostic::error(format!(
        "`{}` is not valid UTF-8 text (byte 0x{byte:02X})",
        DisplayPath(path)
    ))
    .with_help(
        "save the file as UTF-8 in your editor; if it is not text, give it another extension than `.md`",
    );
    d.location = Some(Box::new(Location {
        path: path.to_path_buf(),
        line,
        column,
        span: None,
        text: None,
    }));
    d
}

/// Reads and parses one Markdown file. Returns the page (unless it is a skipped draft or
/// unreadable), its diagnostics, and its key when it is a skipped draft.
fn read_page(
    root: &Path,
    rel: &str,
    path: &Path,
    include_drafts: bool,
) -> (Option<Page>, Vec<Diagnostic>, Option<String>) {
    let display = relative(root, path);
    let mut diags = Vec::new();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("cannot read `{}`: {e}", DisplayPath(&display)))
                    .in_file(&display)
                    .with_help("check the file's permissions"),
            );
            return (None, diags, None);
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            diags.push(invalid_utf8(&display, e.as_bytes(), e.utf8_error()));
            return (None, diags, None);
        }
    };
    let source = Source {
        path: display,
        text: Some(Arc::from(text)),
    };
    let text = source.text.clone().unwrap_or_else(|| Arc::from(""));

    let (folder, file) = match rel.rsplit_once('/') {
        Some((dir, file)) => (Some(dir), file),
        None => (None, rel),
    };
    let stem = file.strip_suffix(".md").unwrap_or(file);
    let top = rel.split('/').next().unwrap_or("");
    let folder_kind = if folder.is_some() {
        Kind::from_folder(top)
    } else {
        None
    };
    let kind = folder_kind.unwrap_or(Kind::Page);
    let role = match (stem, folder, folder_kind) {
        ("_index", None, _) => Role::Home,
        ("_index", Some(f), Some(k)) if f == top => Role::KindIndex(k),
        _ => Role::Regular,
    };
    let is_index = role != Role::Regular;

    let split = match front_matter::split(&text) {
        Ok(s) => s,
        Err(front_matter::SplitError::Unclosed) => {
            let at = if text.starts_with('\u{feff}') { 3 } else { 0 };
            diags.push(
                Diagnostic::error("front matter is never closed")
                    .at(&source, at..at + 3)
                    .with_help("add a line with `+++` alone after the last front matter key"),
            );
            return (None, diags, None);
        }
        Err(front_matter::SplitError::Yaml) => {
            diags.push(
                Diagnostic::error(
                    "front matter must be TOML between `+++` lines, not YAML between `---`",
                )
                .at(&source, 0..3)
                .with_help(
                    "replace both `---` lines with `+++` and write each key as `key = \"value\"`",
                ),
            );
            return (None, diags, None);
        }
    };
    let (fm, fm_offset) = match split.toml.clone() {
        Some(range) => {
            let (fm, d) = front_matter::parse(&source, range.clone(), kind, is_index);
            diags.extend(d);
            match fm {
                Some(fm) => (fm, range.start),
                None => return (None, diags, None),
            }
        }
        None if kind != Kind::Page && !is_index => {
            let required: Vec<String> = std::iter::once("title")
                .chain(kind.required_keys().iter().copied())
                .map(|k| format!("{k} = \"…\""))
                .collect();
            diags.push(
                Diagnostic::error(format!(
                    "no front matter: a {kind} in `content/{top}/` must start with `+++`"
                ))
                .at(&source, 0..0)
                .with_help(format!(
                    "start the file with:\n    +++\n    {}\n    +++",
                    required.join("\n    ")
                )),
            );
            return (None, diags, None);
        }
        None => (RawFrontMatter::default(), 0),
    };

    // `kind` may be written out; it must agree with the folder.
    if let Some(k) = &fm.kind {
        let span = k.span().start + fm_offset..k.span().end + fm_offset;
        match Kind::from_name(k.get_ref()) {
            Some(named) if named == kind => {}
            Some(named) => {
                let place = match named.folder() {
                    Some(f) => format!("`content/{f}/`"),
                    None => "a folder that is not a kind's folder".into(),
                };
                diags.push(
                    Diagnostic::error(format!(
                        "`kind = \"{named}\"` contradicts the folder: files in `{}` are {}s",
                        folder.map_or("content/".to_string(), |f| format!("content/{f}/")),
                        kind
                    ))
                    .at(&source, span)
                    .with_help(format!(
                        "move the file to {place}, or remove the `kind` line"
                    )),
                );
            }
            None => {
                let names = ["prompt", "tool", "takeaway", "story", "playbook", "page"];
                diags.push(
                    Diagnostic::error(format!("unknown kind `{}`", k.get_ref()))
                        .at(&source, span)
                        .with_help(
                            crate::diagnostic::did_you_mean(k.get_ref(), names).unwrap_or_else(
                                || "a kind is one of `prompt`, `tool`, `takeaway`, `story`, `playbook`, `page`".into(),
                            ),
                        ),
                );
            }
        }
    }

    let slug = match &fm.slug {
        Some(s) => {
            let v = s.get_ref();
            let clean = slugify(v);
            if clean.is_empty() || clean != *v {
                let span = s.span().start + fm_offset..s.span().end + fm_offset;
                diags.push(
                    Diagnostic::error(format!(
                        "`slug = \"{v}\"` cannot be used in a URL as written"
                    ))
                    .at(&source, span)
                    .with_help(if clean.is_empty() {
                        "use lower-case words joined by hyphens, e.g. `slug = \"remove-one-item\"`"
                            .to_string()
                    } else {
                        format!("write `slug = \"{clean}\"`")
                    }),
                );
            }
            if clean.is_empty() {
                slugify(stem)
            } else {
                clean
            }
        }
        None => slugify(stem),
    };
    let dir_url =
        |f: Option<&str>| f.map(|f| f.split('/').map(slugify).collect::<Vec<_>>().join("/"));
    let (key, url) = match role {
        Role::Home => (String::new(), String::new()),
        Role::KindIndex(k) => {
            let f = k.folder().unwrap_or_default();
            (f.to_string(), format!("{f}/"))
        }
        Role::Regular => match (kind.folder(), stem) {
            (Some(f), _) => (format!("{f}/{slug}"), format!("{f}/{slug}/")),
            (None, "_index") => {
                let d = dir_url(folder).unwrap_or_default();
                (d.clone(), format!("{d}/"))
            }
            (None, _) => {
                let key = match dir_url(folder) {
                    Some(d) => format!("{d}/{slug}"),
                    None => slug.clone(),
                };
                (key.clone(), format!("{key}/"))
            }
        },
    };

    let title = match &fm.title {
        Some(t) => t.get_ref().clone(),
        None => first_heading(&text[split.body.clone()]).unwrap_or_else(|| humanize(stem)),
    };
    if let Some(t) = &fm.title
        && t.get_ref().trim().is_empty()
    {
        let span = t.span().start + fm_offset..t.span().end + fm_offset;
        diags.push(
            Diagnostic::error("`title` is empty")
                .at(&source, span)
                .with_help("write the page's title between the quotes"),
        );
    }
    let outcomes = front_matter::outcomes(&fm.outcomes, &source, fm_offset, &mut diags);
    let steps = match &fm.steps {
        Some(s) => front_matter::steps(s, &source, fm_offset, &mut diags),
        None => Vec::new(),
    };
    if fm.draft && !include_drafts {
        return (None, diags, Some(key));
    }
    let page = Page {
        kind,
        role,
        source,
        content_path: rel.to_string(),
        slug,
        key,
        url,
        title,
        fm,
        fm_offset,
        body: split.body,
        outcomes,
        steps,
    };
    (Some(page), diags, None)
}

/// The text of the first `# ` heading, for free pages without a title.
fn first_heading(body: &str) -> Option<String> {
    body.lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// "working-agreements" → "Working agreements".
fn humanize(stem: &str) -> String {
    let s = stem.replace(['-', '_'], " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s,
    }
}

/// Makes a URL segment: lower-case letters and digits (any script), words joined by `-`.
/// "Product Vision Canvas!" → "product-vision-canvas"; "Übermorgen" → "übermorgen".
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else if c != '\'' && c != '’' {
            dash = true;
        }
    }
    out
}

/// Two files that would be written to the same URL are an error naming both.
fn check_unique_urls(pages: &[Page], assets: &[Asset], diags: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<String, &Path> = HashMap::new();
    for p in pages {
        if let Some(first) = seen.insert(format!("{}index.html", p.url), &p.source.path) {
            diags.push(
                Diagnostic::error(format!(
                    "`{}` and `{}` would both be published at `/{}`",
                    DisplayPath(first),
                    DisplayPath(&p.source.path),
                    p.url
                ))
                .in_file(&p.source.path)
                .with_help("rename one of the files, or give one a different `slug`"),
            );
        }
    }
    for a in assets {
        if let Some(first) = seen.get(&a.rel) {
            diags.push(
                Diagnostic::error(format!(
                    "`{}` and `content/{}` would both be published at `/{}`",
                    DisplayPath(first),
                    a.rel,
                    a.rel
                ))
                .in_file(Path::new("content").join(&a.rel).as_path())
                .with_help("rename one of the files"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_makes_url_segments() {
        assert_eq!(slugify("Product Vision Canvas!"), "product-vision-canvas");
        assert_eq!(slugify("1:1 Coaching Check-ins"), "1-1-coaching-check-ins");
        assert_eq!(slugify("It's not about control"), "its-not-about-control");
        assert_eq!(slugify("Übermorgen"), "übermorgen");
        assert_eq!(slugify("  --  "), "");
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let bytes: Vec<u8> = b"+++\ntitle = \"caf\xe9\"\n".to_vec();
        let err = std::str::from_utf8(&bytes).unwrap_err();
        let d = invalid_utf8(Path::new("content/a.md"), &bytes, err);
        assert_eq!(
            d.short(),
            "content/a.md:2:13: error: `content/a.md` is not valid UTF-8 text (byte 0xE9)"
        );
    }
}
