//! Content: the files under `content/`, scanned, read and parsed into pages with typed
//! front matter, plus the other files that are copied as they are.

pub mod front_matter;
pub mod kind;

pub use front_matter::{Difficulty, Format, Measure, Outcome, RawFrontMatter, Step};
pub use kind::Kind;

use crate::diagnostic::{Diagnostic, DisplayPath, Location, Source};
use rayon::prelude::*;
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
    /// The front matter as read. Boxed: at 880 bytes it made a page 1,120 bytes, and the
    /// pages of a 10,000-page site were copied on one core as they were gathered.
    pub fm: Box<RawFrontMatter>,
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
    /// Markdown files left out for errors of their own (see [`Unreadable`]).
    pub unreadable: Vec<Unreadable>,
}

/// A Markdown file that exists but could not be made into a page: unreadable, or its
/// front matter broken. Its own error says why; references and links to it are not
/// reported again as pointing nowhere, so the cause is the one message a coach sees.
#[derive(Debug, Clone)]
pub struct Unreadable {
    /// Its path under `content/` (`prompts/remove-one.md`).
    pub content_path: String,
    /// The key references would use, from its file name (its `slug` is unknown).
    pub key: String,
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
    // Links are followed, so a linked file or folder is read where the link is, but only
    // when it stays inside the playbook: a link out of it is skipped with a warning, so a
    // build never publishes (or reads forever from) somewhere the author did not mean.
    let fence = Fence::new(root, &content_dir);
    let mut skipped = Vec::new();
    // Not sorted by the walk: walkdir's sort takes each name from its path again at
    // every comparison, which cost more than the rest of the walk (callgrind); the
    // paths are sorted once at the end instead, in the same order.
    let walker = walkdir::WalkDir::new(&content_dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            if is_ignored(e.file_name()) {
                return false;
            }
            if !e.path_is_symlink() {
                return true;
            }
            match fence.check_link(root, e.path(), e.file_type().is_dir()) {
                Some(d) => {
                    skipped.push(d);
                    false
                }
                None => true,
            }
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(walk_error(root, &e));
                continue;
            }
        };
        let rel = rel_string(
            entry
                .path()
                .strip_prefix(&content_dir)
                .unwrap_or(entry.path()),
        );
        let is_md = entry.path().extension().is_some_and(|e| e == "md");
        let file_type = entry.file_type();
        if file_type.is_dir() {
            if is_md && entry.depth() > 0 {
                let display = relative(root, entry.path());
                diags.push(
                    Diagnostic::warning(format!(
                        "`{}` is a folder, not a Markdown file: no page is made from it",
                        DisplayPath(&display)
                    ))
                    .with_help(
                        "rename the folder so its name does not end in `.md`; the files inside it are still read",
                    ),
                );
            }
            continue;
        }
        if !file_type.is_file() {
            let display = relative(root, entry.path());
            diags.push(
                Diagnostic::error(format!(
                    "`{}` is {}, not a regular file",
                    DisplayPath(&display),
                    special_kind(&file_type)
                ))
                .in_file(&display)
                .with_help("remove it from `content/`, or replace it with a regular file"),
            );
            continue;
        }
        if is_md {
            markdown.push((rel, entry.into_path()));
        } else {
            // Assets are only copied when the site is written; opening each now makes
            // `check` report an unreadable one as `build` would.
            if let Err(e) = std::fs::File::open(entry.path()) {
                diags.push(cannot_read(&relative(root, entry.path()), &e, false));
                continue;
            }
            assets.push(Asset {
                rel,
                path: entry.into_path(),
            });
        }
    }
    diags.extend(skipped);
    markdown.sort_by_cached_key(|(rel, _)| walk_order(rel));
    assets.sort_by_cached_key(|a| walk_order(&a.rel));

    let results: Vec<(Option<Page>, Vec<Diagnostic>, Option<String>)> = markdown
        .par_iter()
        .with_max_len(crate::PAGES_PER_TASK)
        .map(|(rel, path)| read_page(root, rel, path, include_drafts))
        .collect();
    let mut pages = Vec::with_capacity(results.len());
    let mut skipped_drafts = Vec::new();
    let mut unreadable = Vec::new();
    for ((rel, _), (page, d, draft)) in markdown.iter().zip(results) {
        if page.is_none() && draft.is_none() && d.iter().any(Diagnostic::is_error) {
            unreadable.push(Unreadable {
                content_path: rel.clone(),
                key: key_from_path(rel),
            });
        }
        diags.extend(d);
        pages.extend(page);
        skipped_drafts.extend(draft);
    }
    check_unique_urls(&pages, &mut diags);
    (
        Content {
            pages,
            assets,
            skipped_drafts,
            unreadable,
        },
        diags,
    )
}

/// The sort key of a path under `content/` that puts paths in the order of a walk that
/// visits each folder's entries by name: with `/` as the lowest byte (no name holds a
/// NUL), byte order is that order.
fn walk_order(rel: &str) -> String {
    rel.replace('/', "\0")
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

/// Where links under `content/` may lead: inside the playbook root, or inside `content/`
/// itself (which may be a link to elsewhere).
struct Fence {
    root: Option<PathBuf>,
    content: Option<PathBuf>,
}

impl Fence {
    fn new(root: &Path, content_dir: &Path) -> Fence {
        Fence {
            root: root.canonicalize().ok(),
            content: content_dir.canonicalize().ok(),
        }
    }

    /// A warning when the link at `path` (already followed by the walk, so its target
    /// exists) leads out of the playbook or to a folder that contains it; `None` when it
    /// may be followed.
    fn check_link(&self, root: &Path, path: &Path, is_dir: bool) -> Option<Diagnostic> {
        let display = relative(root, path);
        let written = std::fs::read_link(path).unwrap_or_default();
        let target = path.canonicalize().ok()?;
        let inside = |base: &Option<PathBuf>| base.as_ref().is_some_and(|b| target.starts_with(b));
        if !inside(&self.root) && !inside(&self.content) {
            let resolved = if written == target {
                String::new()
            } else {
                format!(" (`{}`)", target.display())
            };
            return Some(
                Diagnostic::warning(format!(
                    "`{}` is a symbolic link to `{}`{resolved}, outside the playbook; it is skipped",
                    DisplayPath(&display),
                    written.display()
                ))
                .with_help(
                    "links are followed only inside the playbook: copy the file or folder into it, or remove the link",
                ),
            );
        }
        let parent = path.parent().and_then(|p| p.canonicalize().ok());
        if is_dir && parent.is_some_and(|p| p.starts_with(&target)) {
            return Some(link_loop(&display, &written));
        }
        None
    }
}

/// A link to a folder that contains it: following it would read the same files forever.
fn link_loop(display: &Path, written: &Path) -> Diagnostic {
    Diagnostic::warning(format!(
        "`{}` is a symbolic link to `{}`, a folder that contains it; it is skipped",
        DisplayPath(display),
        written.display()
    ))
    .with_help("following it would read the same files again and again: remove the link")
}

/// The diagnostic for a file or folder the walk of `content/` could not enter.
fn walk_error(root: &Path, e: &walkdir::Error) -> Diagnostic {
    let path = e.path().unwrap_or(Path::new("content"));
    let display = relative(root, path);
    if e.loop_ancestor().is_some() {
        let written = std::fs::read_link(path).unwrap_or_default();
        return link_loop(&display, &written);
    }
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let io = e.io_error();
    if is_link {
        let written = std::fs::read_link(path).unwrap_or_default();
        let why = match io {
            Some(io) if io.kind() == std::io::ErrorKind::NotFound => {
                "which does not exist".to_string()
            }
            Some(io) if is_link_loop(io) => "which leads back to itself".to_string(),
            Some(io) => format!("which cannot be followed: {}", io_reason(io)),
            None => format!("which cannot be followed: {e}"),
        };
        return Diagnostic::error(format!(
            "`{}` is a symbolic link to `{}`, {why}",
            DisplayPath(&display),
            written.display()
        ))
        .in_file(&display)
        .with_help("point the link at an existing file, or remove it");
    }
    match io {
        Some(io) => cannot_read(&display, io, path.is_dir()),
        None => Diagnostic::error(format!("cannot read `{}`: {e}", DisplayPath(&display)))
            .with_help("check its permissions, or move it out of `content/`"),
    }
}

/// Returns true if and only if `e` says a chain of links loops (`ELOOP`).
fn is_link_loop(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

/// "cannot read `content/a.md`: permission denied", with how to fix it.
fn cannot_read(display: &Path, e: &std::io::Error, folder: bool) -> Diagnostic {
    let (what, mode) = if folder {
        ("the folder ", "a+rx")
    } else {
        ("", "a+r")
    };
    let d = Diagnostic::error(format!(
        "cannot read {what}`{}`: {}",
        DisplayPath(display),
        io_reason(e)
    ));
    let d = if folder { d } else { d.in_file(display) };
    d.with_help(if e.kind() == std::io::ErrorKind::PermissionDenied {
        format!(
            "make it readable (e.g. `chmod {mode} {}`), or move it out of `content/`",
            DisplayPath(display)
        )
    } else {
        "check the file system, or move it out of `content/`".to_string()
    })
}

/// An I/O error as a phrase: "permission denied" rather than "Permission denied (os
/// error 13)".
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotFound => "it does not exist".into(),
        _ => e.to_string(),
    }
}

/// "a named pipe (FIFO)" and the like, for a file that is neither a folder nor a file.
fn special_kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    let _ = t;
    "a special file"
}

/// A diagnostic for a file that is not UTF-8, pointing at the first bad byte.
pub fn invalid_utf8(path: &Path, bytes: &[u8], err: std::str::Utf8Error) -> Diagnostic {
    let valid = &bytes[..err.valid_up_to()];
    // The prefix is valid UTF-8 by definition of `valid_up_to`.
    let prefix = std::str::from_utf8(valid).unwrap_or("");
    let (line, column) = crate::diagnostic::line_column(prefix, prefix.len());
    let byte = bytes.get(err.valid_up_to()).copied().unwrap_or(0);
    let d = Diagnostic::error(format!(
        "`{}` is not valid UTF-8 text (byte 0x{byte:02X})",
        DisplayPath(path)
    ))
    .with_help(binary_help(bytes).unwrap_or_else(|| {
        "save the file as UTF-8 in your editor; if it is not text, give it another extension than `.md`"
            .into()
    }));
    at_line_column(d, path, line, column)
}

/// Places `d` at a line and column of a file whose text could not be read as text, so
/// no snippet can be shown.
fn at_line_column(mut d: Diagnostic, path: &Path, line: usize, column: usize) -> Diagnostic {
    d.location = Some(Box::new(Location {
        path: path.to_path_buf(),
        line,
        column,
        span: None,
        text: None,
    }));
    d
}

/// A diagnostic for a text that holds a NUL byte at `at`: a binary file, whatever its
/// extension (NUL is valid UTF-8, but no text file holds one, and Markdown drops it).
pub fn nul_byte(path: &Path, bytes: &[u8], at: usize) -> Diagnostic {
    let prefix = std::str::from_utf8(&bytes[..at]).unwrap_or("");
    let (line, column) = crate::diagnostic::line_column(prefix, prefix.len());
    let d = Diagnostic::error(format!(
        "`{}` is not text: it holds a NUL byte (0x00)",
        DisplayPath(path)
    ))
    .with_help(binary_help(bytes).unwrap_or_else(|| {
        "a `.md` file must be UTF-8 text: remove the NUL bytes, or give the file another extension than `.md` if it is not text".into()
    }));
    at_line_column(d, path, line, column)
}

/// A hint naming the kind of file `bytes` look like, from their first bytes, for a file
/// saved with the wrong extension.
fn binary_help(bytes: &[u8]) -> Option<String> {
    const MAGIC: &[(&[u8], &str, &str)] = &[
        (b"\x89PNG", "a PNG image", "the `.png`"),
        (b"\xFF\xD8\xFF", "a JPEG image", "the `.jpg`"),
        (b"GIF8", "a GIF image", "the `.gif`"),
        (b"%PDF", "a PDF document", "the `.pdf`"),
        (
            b"PK\x03\x04",
            "a ZIP archive (or a Word, Excel or PowerPoint file)",
            "its own",
        ),
    ];
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Some("it looks like UTF-16 text: save it as UTF-8 in your editor".into());
    }
    MAGIC
        .iter()
        .find(|(m, ..)| bytes.starts_with(m))
        .map(|(_, what, ext)| {
            format!("it looks like {what}: give it {ext} extension instead of `.md`, or remove it")
        })
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
            diags.push(cannot_read(&display, &e, false));
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
    if let Some(at) = text.find('\0') {
        diags.push(nul_byte(&display, text.as_bytes(), at));
        return (None, diags, None);
    }
    let source = Source {
        path: display,
        text: Some(Arc::from(text)),
    };
    let text = source.text.clone().unwrap_or_else(|| Arc::from(""));

    let PathParts {
        folder,
        stem,
        top,
        folder_kind,
    } = PathParts::of(rel);
    let kind = folder_kind.unwrap_or(Kind::Page);
    let role = match (stem, folder, folder_kind) {
        ("_index", None, _) => Role::Home,
        ("_index", Some(f), Some(k)) if f == top => Role::KindIndex(k),
        _ => Role::Regular,
    };
    let is_index = role != Role::Regular;
    // An empty file is most likely a page not written yet: say so plainly rather than
    // "no front matter", and let a free page through with a warning.
    let empty = text.trim_start_matches('\u{feff}').trim().is_empty();
    if empty && kind != Kind::Page && !is_index {
        diags.push(
            Diagnostic::error(format!(
                "`{}` is empty: a {kind} in `content/{top}/` must start with front matter",
                DisplayPath(&source.path)
            ))
            .in_file(&source.path)
            .with_help(format!(
                "start the file with:\n    +++\n    {}\n    +++",
                std::iter::once("title")
                    .chain(kind.required_keys().iter().copied())
                    .map(|k| format!("{k} = \"…\""))
                    .collect::<Vec<_>>()
                    .join("\n    ")
            )),
        );
        return (None, diags, None);
    }
    if empty && !is_index {
        diags.push(
            Diagnostic::warning(format!(
                "`{}` is empty: it is published as a page with a title and no text",
                DisplayPath(&source.path)
            ))
            .in_file(&source.path)
            .with_help("write the page, or remove the file"),
        );
    }

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
                        "`kind = \"{named}\"` contradicts the folder: files in `{}` are {}",
                        folder.map_or("content/".to_string(), |f| format!("content/{f}/")),
                        kind.plural()
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
    let (key, url) = match role {
        Role::Home => (String::new(), String::new()),
        Role::KindIndex(k) => {
            let f = k.folder().unwrap_or_default();
            (f.to_string(), format!("{f}/"))
        }
        Role::Regular => {
            let key = regular_key(kind, folder, stem, &slug);
            let url = format!("{key}/");
            (key, url)
        }
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
        fm: Box::new(fm),
        fm_offset,
        body: split.body,
        outcomes,
        steps,
    };
    (Some(page), diags, None)
}

/// The key of a regular page: `<kind folder>/<slug>` for a kind, the folders (as
/// slugs) and the slug for a free page; a free `_index.md` is its folder's page.
fn regular_key(kind: Kind, folder: Option<&str>, stem: &str, slug: &str) -> String {
    let dir_url = || folder.map(|f| f.split('/').map(slugify).collect::<Vec<_>>().join("/"));
    match (kind.folder(), stem) {
        (Some(f), _) => format!("{f}/{slug}"),
        (None, "_index") => dir_url().unwrap_or_default(),
        (None, _) => match dir_url() {
            Some(d) => format!("{d}/{slug}"),
            None => slug.to_string(),
        },
    }
}

/// The key of the Markdown file at `rel` (under `content/`) as if its front matter set
/// no `slug`: what references to it most likely say.
fn key_from_path(rel: &str) -> String {
    let parts = PathParts::of(rel);
    let kind = parts.folder_kind.unwrap_or(Kind::Page);
    regular_key(kind, parts.folder, parts.stem, &slugify(parts.stem))
}

/// What a Markdown file's path under `content/` says about its page.
struct PathParts<'a> {
    /// Its folder under `content/`, if any (`prompts`, `guides/facilitation`).
    folder: Option<&'a str>,
    /// Its file name without `.md`.
    stem: &'a str,
    /// The first segment of the path.
    top: &'a str,
    /// The kind whose folder holds it, if any.
    folder_kind: Option<Kind>,
}

impl<'a> PathParts<'a> {
    fn of(rel: &'a str) -> Self {
        let (folder, file) = match rel.rsplit_once('/') {
            Some((dir, file)) => (Some(dir), file),
            None => (None, rel),
        };
        let top = rel.split('/').next().unwrap_or("");
        PathParts {
            folder,
            stem: file.strip_suffix(".md").unwrap_or(file),
            top,
            folder_kind: folder.and_then(|_| Kind::from_folder(top)),
        }
    }
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
/// Text is put in Unicode's composed form (NFC) first, so "Übung" typed on Linux and the
/// decomposed "Übung" a Mac file name holds give the same segment.
pub fn slugify(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    if s.is_ascii() {
        ascii_slug(s)
    } else {
        slug_of(s.nfc(), s.len())
    }
}

/// [`slugify`] of ASCII text, byte by byte: most names and titles are ASCII, and the
/// character tables of the general rule cost a thousand instructions a name (callgrind:
/// 3 % of a build, from tag links).
fn ascii_slug(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut dash = false;
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push(b'-');
            }
            dash = false;
            out.push(b.to_ascii_lowercase());
        } else if b != b'\'' {
            dash = true;
        }
    }
    // Only ASCII bytes went in.
    String::from_utf8(out).unwrap_or_default()
}

fn slug_of(chars: impl Iterator<Item = char>, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut dash = false;
    for c in chars {
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

/// Two pages that would be written to the same URL are an error naming both. (A content
/// file at a page's address is found when the site is rendered, with every other file
/// that would overwrite a generated one.)
fn check_unique_urls(pages: &[Page], diags: &mut Vec<Diagnostic>) {
    let mut seen: crate::FastMap<&str, &Path> =
        crate::FastMap::with_capacity_and_hasher(pages.len(), Default::default());
    for p in pages {
        if let Some(first) = seen.insert(&p.url, &p.source.path) {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_sort_in_the_order_of_a_walk_sorted_by_name() {
        let mut paths = vec![
            "a/yy.md", "a-b/x.md", "a.md", "a/y/z.md", "b.md", "a/x.md", "A/x.md", "a/y.md",
        ];
        let mut by_components = paths.clone();
        by_components.sort_by(|a, b| a.split('/').cmp(b.split('/')));
        paths.sort_by_cached_key(|p| walk_order(p));
        assert_eq!(paths, by_components);
        assert_eq!(
            paths,
            [
                "A/x.md", "a/x.md", "a/y/z.md", "a/y.md", "a/yy.md", "a-b/x.md", "a.md", "b.md"
            ]
        );
    }

    #[test]
    fn ascii_slugs_match_the_general_rule() {
        let all_ascii: String = (0u8..0x80).map(char::from).collect();
        for s in [
            "Product Vision Canvas!",
            "  It's 1:1 -- A_B  ",
            all_ascii.as_str(),
            "",
        ] {
            assert_eq!(ascii_slug(s), slug_of(s.chars(), s.len()), "{s:?}");
        }
    }

    #[test]
    fn slugify_makes_url_segments() {
        assert_eq!(slugify("Product Vision Canvas!"), "product-vision-canvas");
        assert_eq!(slugify("1:1 Coaching Check-ins"), "1-1-coaching-check-ins");
        assert_eq!(slugify("It's not about control"), "its-not-about-control");
        assert_eq!(slugify("Übermorgen"), "übermorgen");
        assert_eq!(slugify("  --  "), "");
        assert_eq!(
            slugify("U\u{308}bung"),
            "übung",
            "decomposed (a Mac file name)"
        );
        assert_eq!(slugify("Übung ä"), "übung-ä");
        assert_eq!(slugify("ふりかえり"), "ふりかえり");
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
