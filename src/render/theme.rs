//! The theme: the built-in default theme embedded in the binary, overridden file by file
//! by `themes/<name>/` in the playbook.

use crate::diagnostic::{Diagnostic, Source};
use include_dir::{Dir, include_dir};
use std::path::{Path, PathBuf};
use std::sync::Arc;

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// A static file of the theme.
#[derive(Debug, Clone)]
pub enum StaticFile {
    /// From the built-in theme.
    Embedded(&'static [u8]),
    /// From the playbook's `themes/<name>/static/`.
    OnDisk(PathBuf),
}

/// Templates ready to render, and the static files to copy.
pub struct Theme {
    /// The compiled templates.
    pub tera: tera::Tera,
    /// Static files by output path.
    pub statics: Vec<(String, StaticFile)>,
    /// A fingerprint of every template's name and text: when it changes, every page is
    /// rendered again.
    pub fingerprint: u64,
    /// Whether `card.html` is the built-in one (or a copy of it left unchanged): then
    /// cards are made in Rust by `render::fragments::card`, byte for byte what it
    /// prints, where Tera took a twentieth of the build's instructions to render it
    /// twice a page.
    pub builtin_card: bool,
}

/// The built-in `card.html`, which `render::fragments::card` prints in Rust.
pub const BUILTIN_CARD: &str = include_str!("../../themes/default/templates/card.html");

impl std::fmt::Debug for Theme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Theme")
            .field("statics", &self.statics.len())
            .finish()
    }
}

/// Names of the templates a theme must provide (the built-in one has them all).
pub const TEMPLATES: &[&str] = &[
    "base.html",
    "page.html",
    "prompt.html",
    "tool.html",
    "story.html",
    "takeaway.html",
    "playbook.html",
    "list.html",
    "card.html",
    "terms.html",
    "home.html",
    "search.html",
    "404.html",
];

impl Theme {
    /// Loads the built-in theme and the playbook's overrides from `themes/<name>/`.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let mut templates: Vec<(String, String, PathBuf)> = Vec::new();
        let mut statics: Vec<(String, StaticFile)> = Vec::new();
        if let Some(dir) = DEFAULT_THEME.get_dir("templates") {
            for f in dir.files() {
                let file = f
                    .path()
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                let text = String::from_utf8_lossy(f.contents()).into_owned();
                templates.push((
                    file.clone(),
                    text,
                    Path::new("(built-in theme)/templates").join(&file),
                ));
            }
        }
        collect_embedded(&DEFAULT_THEME, "static", &mut statics);

        let theme_dir = root.join("themes").join(name);
        if theme_dir.is_dir() {
            let tdir = theme_dir.join("templates");
            if tdir.is_dir() {
                for (rel, path) in files_under(&tdir) {
                    let shown = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                    match std::fs::read_to_string(&path) {
                        Ok(text) => {
                            templates.retain(|(n, _, _)| *n != rel);
                            templates.push((rel, text, shown));
                        }
                        Err(e) => diags.push(
                            Diagnostic::error(format!(
                                "cannot read template `{}`: {e}",
                                shown.display()
                            ))
                            .in_file(&shown)
                            .with_help("templates must be UTF-8 text files"),
                        ),
                    }
                }
            }
            let sdir = theme_dir.join("static");
            if sdir.is_dir() {
                for (rel, path) in files_under(&sdir) {
                    statics.retain(|(n, _)| *n != rel);
                    statics.push((rel, StaticFile::OnDisk(path)));
                }
            }
        } else if name != "default" {
            diags.push(
                Diagnostic::error(format!("theme `{name}` not found: no folder `themes/{name}/`"))
                    .in_file(Path::new("book.toml"))
                    .with_help("create `themes/{name}/templates/` with your overrides, or set `theme = \"default\"`"),
            );
            return Err(diags);
        }

        let mut tera = tera::Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.register_filter("safe", safe);
        // All at once, so `extends` and `include` resolve between them.
        if let Err(e) =
            tera.add_raw_templates(templates.iter().map(|(n, t, _)| (n.as_str(), t.as_str())))
        {
            let msg = e.to_string();
            // The template Tera's `-->` line names; else the longest name the message
            // holds (`terms.html` is inside `macros_terms.html`, and the first name found
            // put the error in a file it was not in).
            let named = location_of_message(&msg).map(|(name, _, _)| name);
            let (_, text, shown) = templates
                .iter()
                .find(|(n, _, _)| Some(n.as_str()) == named)
                .or_else(|| {
                    templates
                        .iter()
                        .filter(|(n, _, _)| msg.contains(n.as_str()))
                        .max_by_key(|(n, _, _)| n.len())
                })
                .unwrap_or(&templates[0]);
            diags.push(template_error(&e, shown, text));
        }
        if diags.is_empty() {
            for t in TEMPLATES {
                if !tera.contains_template(t) {
                    diags.push(Diagnostic::error(format!(
                        "the theme has no template `{t}`"
                    )));
                }
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let fingerprint = super::cache::combine(
            &templates
                .iter()
                .map(|(n, t, _)| (n.as_str(), t.as_str()))
                .collect::<Vec<_>>(),
        );
        let builtin_card = templates
            .iter()
            .any(|(n, t, _)| n == "card.html" && t == BUILTIN_CARD);
        Ok(Theme {
            tera,
            statics,
            fingerprint,
            builtin_card,
        })
    }
}

/// Every file under `dir`, sorted, with its path relative to `dir` (with `/`).
fn files_under(dir: &Path) -> Vec<(String, PathBuf)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap_or(e.path())
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            (rel, e.into_path())
        })
        .collect()
}

fn collect_embedded(dir: &'static Dir<'static>, prefix: &str, out: &mut Vec<(String, StaticFile)>) {
    let Some(d) = dir.get_dir(prefix) else { return };
    fn walk(d: &'static Dir<'static>, strip: &Path, out: &mut Vec<(String, StaticFile)>) {
        for f in d.files() {
            let rel = f.path().strip_prefix(strip).unwrap_or(f.path());
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, StaticFile::Embedded(f.contents())));
        }
        for sub in d.dirs() {
            walk(sub, strip, out);
        }
    }
    walk(d, Path::new(prefix), out);
}

/// A template error with the template's file and, where Tera gives one, its line.
pub fn template_error(e: &tera::Error, path: &Path, text: &str) -> Diagnostic {
    let msg = e.to_string();
    let d = Diagnostic::error(format!("template error: {}", first_line(&msg)));
    let src = Source {
        path: path.to_path_buf(),
        text: Some(Arc::from(text)),
    };
    let d = match location_of_message(&msg) {
        Some((_, line, col)) => {
            let offset = text
                .split_inclusive('\n')
                .take(line.saturating_sub(1))
                .map(str::len)
                .sum::<usize>()
                + col.saturating_sub(1);
            d.at(&src, offset..offset + 1)
        }
        None => d.in_file(path),
    };
    d.with_help(format!(
        "fix the template; Tera says:\n{}",
        msg.lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    ))
}

fn first_line(s: &str) -> &str {
    s.lines().find(|l| !l.trim().is_empty()).unwrap_or(s).trim()
}

/// The template, line and column of the first ` --> name:line:col` of a Tera message.
fn location_of_message(msg: &str) -> Option<(&str, usize, usize)> {
    let l = msg.lines().find(|l| l.contains("-->"))?;
    let rest = l[l.find("-->")? + 3..].trim();
    let mut parts = rest.rsplitn(3, ':');
    let col = parts.next()?.trim().parse().ok()?;
    let line = parts.next()?.trim().parse().ok()?;
    Some((parts.next()?.trim(), line, col))
}

/// Tera's `safe` filter, without copying the string it marks. Tera's own reads the value
/// as text and makes a new string of it: every page's body (`{{ content | safe }}`) and
/// every card in every list (`{{ p.html | safe }}`, as the default `list.html` printed
/// them before `list.cards`), 120 MB on a 10,000-page playbook, was copied once more on
/// its way out. A string is marked as it is; anything else becomes its text, as with
/// Tera's own.
fn safe(value: tera::Value, _: tera::Kwargs, _: &tera::State) -> tera::Value {
    if value.is_string() {
        value.mark_safe()
    } else {
        tera::Value::safe_string(&value.to_string())
    }
}
