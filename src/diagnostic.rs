//! Diagnostics: one type for every problem a run finds, with its place in a file,
//! what was expected and how to fix it, gathered from every step and printed once.
//!
//! ```
//! use playbook::diagnostic::{Diagnostic, did_you_mean};
//! let d = Diagnostic::error("unknown front matter key `purpse`")
//!     .with_help(did_you_mean("purpse", ["purpose", "title"]).unwrap());
//! assert_eq!(d.help.as_deref(), Some("did you mean `purpose`?"));
//! ```

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How serious a diagnostic is: errors fail the run, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The run fails (exit status 1) and nothing is written.
    Error,
    /// The run goes on; the author should still look.
    Warning,
}

/// A file's text kept with a diagnostic so it can show the offending line.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as the user should read it (relative to the playbook root).
    pub path: PathBuf,
    /// The whole file's text; `None` when the file could not be read as UTF-8.
    pub text: Option<Arc<str>>,
}

/// A place in a source file: a byte range of the whole file, resolved to line and column.
#[derive(Debug, Clone)]
pub struct Location {
    /// The file, relative to the playbook root.
    pub path: PathBuf,
    /// One-based line number in the whole file.
    pub line: usize,
    /// One-based column, counted in characters.
    pub column: usize,
    /// Byte range in the whole file, when the text is known.
    pub span: Option<Range<usize>>,
    /// The file's text, for showing the line.
    pub text: Option<Arc<str>>,
}

/// One problem found in a run.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, lower-case, names in backticks, no final period.
    pub message: String,
    /// Where it is, when it is in a file.
    pub location: Option<Box<Location>>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// Creates an error with a message and no location yet.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            location: None,
            help: None,
        }
    }

    /// Creates a warning with a message and no location yet.
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// Places the diagnostic at a byte range of a file's whole text.
    pub fn at(mut self, source: &Source, span: Range<usize>) -> Self {
        let (line, column) = match &source.text {
            Some(text) => cached_line_column(text, span.start),
            None => (1, 1),
        };
        self.location = Some(Box::new(Location {
            path: source.path.clone(),
            line,
            column,
            span: source.text.as_ref().map(|_| span),
            text: source.text.clone(),
        }));
        self
    }

    /// Places the diagnostic at a file without a precise position (line 1, column 1).
    pub fn in_file(mut self, path: &Path) -> Self {
        self.location = Some(Box::new(Location {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            span: None,
            text: None,
        }));
        self
    }

    /// Adds a hint on how to fix the problem.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a hint only when there is one.
    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Returns true if and only if this diagnostic fails the run.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the diagnostic as the terminal shows it: header, `--> file:line:column`,
    /// the offending line with a caret, and the help. `color` adds ANSI styles.
    pub fn render(&self, color: bool) -> String {
        use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let title = level.primary_title(self.message.as_str());
        let mut groups = Vec::new();
        let path_label;
        let mut column_fix = None;
        match &self.location {
            Some(loc) => {
                path_label = format!("{}", DisplayPath(&loc.path));
                match (&loc.text, &loc.span) {
                    (Some(text), Some(span)) => {
                        // Only the annotated line goes to the renderer, cut to a window
                        // around the span when it is long: it splits what it is given
                        // into lines, which for the whole file made each message cost
                        // the file's size (100,000 broken links on a 3 MB page: hours).
                        let span = clamp_span(text, span.clone());
                        let (window, local) = excerpt(text, span);
                        // The renderer counts the column from the window's start; the
                        // true one replaces it in the `-->` line below.
                        let shown_column = window[..local.start].chars().count() + 1;
                        if shown_column != loc.column {
                            column_fix = Some((
                                format!("{path_label}:{}:{shown_column}", loc.line),
                                format!("{path_label}:{}:{}", loc.line, loc.column),
                            ));
                        }
                        groups.push(
                            title.element(
                                Snippet::source(window)
                                    .path(path_label.as_str())
                                    .line_start(loc.line)
                                    .fold(true)
                                    .annotation(AnnotationKind::Primary.span(local)),
                            ),
                        );
                    }
                    _ => {
                        groups.push(
                            title.element(
                                annotate_snippets::Origin::path(path_label.as_str())
                                    .line(loc.line)
                                    .char_column(loc.column),
                            ),
                        );
                    }
                }
            }
            None => groups.push(Group::with_title(title)),
        }
        let mut out = renderer.render(&groups);
        if let Some((shown, truth)) = column_fix {
            out = out.replacen(&shown, &truth, 1);
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("\n  = help: {help}"));
        }
        out
    }

    /// A one-line form: `file:line:column: error: message`, for logs and tests.
    pub fn short(&self) -> String {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match &self.location {
            Some(l) => format!(
                "{}:{}:{}: {sev}: {}",
                DisplayPath(&l.path),
                l.line,
                l.column,
                self.message
            ),
            None => format!("{sev}: {}", self.message),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// What a TOML document is, for messages: "front matter key" or "key in `book.toml`".
#[derive(Debug, Clone, Copy)]
pub struct TomlContext<'a> {
    /// How an unknown key is called in messages, e.g. "front matter key".
    pub key_noun: &'a str,
    /// The keys allowed here, for "did you mean"; empty to use the parser's own list.
    pub known_keys: &'a [&'a str],
}

impl Diagnostic {
    /// Turns a TOML or serde error into a diagnostic that names the key, what was
    /// expected and how to fix it. `offset` is where the TOML starts in the whole file,
    /// so lines and columns count from the top of the file, not of the snippet.
    pub fn from_toml(
        err: &toml::de::Error,
        source: &Source,
        offset: usize,
        ctx: TomlContext<'_>,
    ) -> Diagnostic {
        let raw = err.message().trim();
        let span = err
            .span()
            .map(|s| s.start + offset..s.end + offset)
            .unwrap_or(offset..offset);
        let text = source.text.as_deref().unwrap_or("");
        let spanned = text.get(span.clone()).unwrap_or("").trim();
        let key = key_of_line(text, span.start);

        // A list left open is reported where the parser gave up: the next line.
        if raw.contains("array")
            && let Some((line, k, end)) = unclosed_list_above(text, offset, span.start)
        {
            return Diagnostic::error(format!(
                "unclosed list: `{k}` on line {line} has no closing `]`"
            ))
            .with_help("add `]` after the list's last item")
            .at(source, end..end);
        }
        // YAML's `key: value` habit: pointed at the colon, where the parser points past it.
        if raw.contains("expected `=`")
            && let Some(k) = key_before(text, span.start)
            && let Some(k) = k.strip_suffix(':')
            && let Some(colon) = text.get(..span.start).and_then(|t| t.rfind(':'))
        {
            return Diagnostic::error(format!("expected `=` after `{k}`, found `:`"))
                .with_help(format!("TOML sets a key with `=`: write `{k} = …`"))
                .at(source, colon..colon + 1);
        }
        let d = if let Some(rest) = raw.strip_prefix("unknown field `") {
            let name = rest.split('`').next().unwrap_or("");
            let expected = backticked(rest.split_once("expected").map_or("", |x| x.1));
            let known: Vec<&str> = if ctx.known_keys.is_empty() {
                expected.iter().map(String::as_str).collect()
            } else {
                ctx.known_keys.to_vec()
            };
            let help = did_you_mean(name, known.iter().copied()).unwrap_or_else(|| {
                format!(
                    "remove it, or put free data under `[extra]`; known keys are {}",
                    list_backticked(&known)
                )
            });
            Diagnostic::error(format!("unknown {} `{name}`", ctx.key_noun)).with_help(help)
        } else if let Some(rest) = raw.strip_prefix("missing field `") {
            let name = rest.split('`').next().unwrap_or("");
            Diagnostic::error(format!("missing required key `{name}`"))
                .with_help(format!("add `{name} = …` to this table"))
        } else if let Some(rest) = raw.strip_prefix("unknown variant `") {
            let name = rest.split('`').next().unwrap_or("");
            let expected = backticked(rest.split_once("expected").map_or("", |x| x.1));
            let known: Vec<&str> = expected.iter().map(String::as_str).collect();
            let help = did_you_mean(name, known.iter().copied())
                .unwrap_or_else(|| format!("use one of {}", list_backticked(&known)));
            let what = key.map_or(String::new(), |k| format!(" for `{k}`"));
            Diagnostic::error(format!("`{name}` is not an allowed value{what}")).with_help(help)
        } else if let Some(rest) = raw.strip_prefix("invalid type: ") {
            let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "?"));
            let what = key.map_or(String::new(), |k| format!(" for `{k}`"));
            Diagnostic::error(format!(
                "wrong type{what}: expected {}, found {}",
                plain_type(expected),
                plain_type(found)
            ))
            .with_help(type_hint(expected, key.unwrap_or("key")))
        } else if (raw.contains("basic string") || raw.contains("literal string"))
            && matches!(
                text.get(span.start..).and_then(|t| t.chars().next()),
                Some('\n' | '\r')
            )
        {
            // The line ended inside quotes: the parser points at the line's end.
            let quote = if raw.contains("literal") { "'" } else { "\"" };
            let what = key.map_or("text".to_string(), |k| format!("`{k}`"));
            Diagnostic::error(format!(
                "unclosed quote: {what} runs to the end of the line"
            ))
            .with_help(format!(
                "add the closing `{quote}` at the end of the text; text over several lines goes in triple quotes (`{quote}{quote}{quote}…{quote}{quote}{quote}`)"
            ))
        } else if raw.contains("missing comma between array elements") {
            Diagnostic::error("missing comma between the list's items").with_help(
                "separate the items with commas: `tags = [\"outcomes\", \"refinement\"]`",
            )
        } else if raw.contains("duplicate key")
            && let Some(k) = key
            && let Some(first) = first_set_on(text, offset, span.start, k)
        {
            Diagnostic::error(format!("`{k}` is set twice")).with_help(format!(
                "it is first set on line {first}: keep one of the two"
            ))
        } else if raw.contains("duplicate key")
            && let Some(table) = table_of_line(text, span.start)
            && let Some(first) = first_table_on(text, offset, span.start, table)
        {
            Diagnostic::error(format!("table `[{table}]` appears twice")).with_help(format!(
                "it first appears on line {first}: move these keys under it and delete this heading"
            ))
        } else {
            // A syntax error: the parser's own words, on one line, and the usual fixes.
            let msg = raw.replace('\n', "; ");
            let help = if msg.contains("invalid date") || msg.contains("invalid time") {
                "write a date as year-month-day with two-digit months and days, without quotes: `date = 2026-01-05`".to_string()
            } else if msg.contains("duplicate") {
                "a key or table may appear only once: merge the two, or delete one".to_string()
            } else if spanned.is_empty() && span.start >= text.len() {
                "the TOML ends too early: close every string, array and table".to_string()
            } else {
                "check the quotes and brackets on this line: text goes in quotes (`title = \"…\"`), \
                 lists in brackets (`tags = [\"a\", \"b\"]`)"
                    .to_string()
            };
            Diagnostic::error(format!("invalid TOML: {msg}")).with_help(help)
        };
        d.at(source, span)
    }
}

/// The line (one-based, in the whole file) where `key` is first set in the TOML that
/// starts at `from`, before the line holding `at`, in the same table.
fn first_set_on(text: &str, from: usize, at: usize, key: &str) -> Option<usize> {
    let before = text.get(from..at.min(text.len()))?;
    let before = &before[..before.rfind('\n').map_or(0, |i| i + 1)];
    let first_line = line_column(text, from).0;
    let mut first = None;
    for (i, line) in before.lines().enumerate() {
        let line = line.trim_start();
        if line.starts_with('[') {
            // A new table: keys above it are other keys.
            first = None;
        } else if first.is_none()
            && line
                .split_once('=')
                .is_some_and(|(k, _)| k.trim().trim_matches('"') == key)
        {
            first = Some(first_line + i);
        }
    }
    first
}

/// The word before `offset` on its line (`purpose:` in `purpose: "…"` at the quote).
fn key_before(text: &str, offset: usize) -> Option<&str> {
    let offset = offset.min(text.len());
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let k = text[start..offset].trim().trim_matches('"');
    (!k.is_empty() && !k.contains(char::is_whitespace)).then_some(k)
}

/// When `at` starts a line of the TOML that starts at `from` and the line above it
/// opens a list it never closes (`tags = ["a", "b"`): that line's number (one-based, in
/// the whole file), its key, and the offset of its end.
fn unclosed_list_above(text: &str, from: usize, at: usize) -> Option<(usize, &str, usize)> {
    let before = text.get(from..at)?;
    let before = before.strip_suffix('\n')?.trim_end_matches('\r');
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = &before[line_start..];
    let mut open = Vec::new();
    let mut quote = None;
    let mut code_end = line.len();
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') => {
                code_end = i;
                break;
            }
            (None, '[') => open.push(i),
            (None, ']') => {
                open.pop();
            }
            _ => {}
        }
    }
    // A list that goes on below (`tags = [` alone, items on the next lines) is fine.
    let last_open = *open.last()?;
    if quote.is_some() || line[last_open + 1..code_end].trim().is_empty() {
        return None;
    }
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    let end = from + line_start + line.trim_end().len();
    Some((line_column(text, end).0, key, end))
}

/// The table a `[name]` heading on the line holding `offset` opens, if it is one.
fn table_of_line(text: &str, offset: usize) -> Option<&str> {
    let offset = offset.min(text.len());
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?.trim();
    let name = line.strip_prefix('[')?.split(']').next()?.trim();
    (!name.is_empty() && !name.starts_with('[')).then_some(name)
}

/// The line (one-based, in the whole file) of the first `[table]` heading in the TOML
/// that starts at `from`, before the line holding `at`.
fn first_table_on(text: &str, from: usize, at: usize, table: &str) -> Option<usize> {
    let before = text.get(from..at.min(text.len()))?;
    let before = &before[..before.rfind('\n').map_or(0, |i| i + 1)];
    let first_line = line_column(text, from).0;
    before
        .lines()
        .position(|l| table_of_line(l, 0) == Some(table))
        .map(|i| first_line + i)
}

/// The key assigned on the line holding `offset` (`title` for `title = 3`), if any.
fn key_of_line(text: &str, offset: usize) -> Option<&str> {
    let offset = offset.min(text.len());
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.contains(char::is_whitespace)).then_some(key)
}

/// Every `backticked` word of a serde message.
fn backticked(s: &str) -> Vec<String> {
    s.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn list_backticked(items: &[&str]) -> String {
    items
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Serde's names for types, in a coach's words: `i64` → "a whole number".
fn plain_type(t: &str) -> String {
    let t = t.trim();
    if let Some(rest) = t.strip_prefix("floating point") {
        return format!("a decimal number{rest}");
    }
    let (head, rest) = match t.split_once(' ') {
        Some((h, r)) => (h, Some(r)),
        None => (t, None),
    };
    let word = match head {
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "integer" => "a whole number",
        "f32" | "f64" | "float" | "floating" => "a number",
        "string" => "text",
        "boolean" | "bool" => "true or false",
        "sequence" | "array" => "a list",
        "map" | "table" => "a table",
        _ => {
            return t
                .replace("a string", "text in quotes")
                .replace("a sequence", "a list")
                .replace("a boolean", "true or false")
                .replace("TOML datetime", "date");
        }
    };
    match rest {
        Some(r) => format!("{word} {r}"),
        None => word.to_string(),
    }
}

/// How to write a value of the type serde expected.
fn type_hint(expected: &str, key: &str) -> String {
    if expected.contains("string") {
        format!("put the text in quotes: `{key} = \"…\"`")
    } else if expected.contains("sequence") {
        format!("write a list in brackets: `{key} = [\"…\", \"…\"]`")
    } else if expected.contains("bool") {
        format!("write `{key} = true` or `{key} = false`, without quotes")
    } else if expected.contains("integer") || expected.contains("i64") || expected.contains("u16") {
        format!("write a whole number without quotes: `{key} = 10`")
    } else if expected.contains("date") {
        format!("write a date without quotes: `{key} = 2026-11-23`")
    } else if expected.contains("map") || expected.contains("struct") {
        format!("write a table: `[{key}]` with keys below it")
    } else {
        format!("expected {expected}")
    }
}

/// Shows a path with `/` separators on every platform, so messages read the same.
pub struct DisplayPath<'a>(pub &'a Path);

impl fmt::Display for DisplayPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for c in self.0.components() {
            if !first {
                f.write_str("/")?;
            }
            first = false;
            f.write_str(&c.as_os_str().to_string_lossy())?;
        }
        Ok(())
    }
}

/// A span that starts and ends on character boundaries and covers at least one
/// character where the text allows, so the caret always shows.
fn clamp_span(text: &str, span: Range<usize>) -> Range<usize> {
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    if end == start && start < text.len() {
        end = start + text[start..].chars().next().map_or(0, char::len_utf8);
    }
    // One line is enough to point at: a span over many lines draws a wall of bars. A
    // span at a line's end (a string never closed) points just after its last character.
    if let Some(nl) = text[start..end].find('\n') {
        end = start + nl;
        if text[start..end].trim_end_matches('\r').is_empty() {
            end = start;
        }
    }
    start..end
}

/// How much of a long line is shown on each side of the span, in bytes.
const EXCERPT_CONTEXT: usize = 80;

/// The part of `text` a message shows for `span` (one line, from [`clamp_span`]): its
/// line, or a window of [`EXCERPT_CONTEXT`] bytes around the span when the line is long,
/// and the span relative to that part. Bounded, so a message costs the same on a 1 MB
/// line as on a short one.
fn excerpt(text: &str, span: Range<usize>) -> (&str, Range<usize>) {
    let floor = |mut i: usize| {
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let ceil = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i += 1;
        }
        i
    };
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[span.end..]
        .find('\n')
        .map_or(text.len(), |i| span.end + i);
    // A line of up to two contexts' length is shown whole.
    let lo = if line_end - line_start <= 2 * EXCERPT_CONTEXT {
        line_start
    } else {
        floor(span.start.saturating_sub(EXCERPT_CONTEXT).max(line_start))
    };
    let end = ceil(span.end.min(span.start + EXCERPT_CONTEXT));
    let hi = ceil((end + EXCERPT_CONTEXT).min(line_end));
    (&text[lo..hi], span.start - lo..end - lo)
}

/// Converts a byte offset in `text` to a one-based (line, column in characters).
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

/// Where the last [`cached_line_column`] lookup of this thread was: the text (kept alive,
/// so its address cannot be reused by another text), where its lines start, and the last
/// offset with its line and column.
struct LineCache {
    text: Arc<str>,
    line_starts: Vec<usize>,
    last: (usize, usize, usize),
}

thread_local! {
    static LINE_CACHE: std::cell::RefCell<Option<LineCache>> = const { std::cell::RefCell::new(None) };
}

/// [`line_column`] for the many diagnostics of one file: the file's line starts are
/// found once, and a lookup on the same line as the previous one counts on from it.
/// Without this, each diagnostic counted from the top of the file: 100,000 broken links
/// in a 3 MB page took minutes, and on one long line as long again.
fn cached_line_column(text: &Arc<str>, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    LINE_CACHE.with_borrow_mut(|cache| {
        let c = match cache {
            Some(c) if Arc::ptr_eq(&c.text, text) => c,
            _ => cache.insert(LineCache {
                text: Arc::clone(text),
                line_starts: std::iter::once(0)
                    .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                    .collect(),
                last: (0, 1, 1),
            }),
        };
        let line = c.line_starts.partition_point(|&s| s <= offset);
        let line_start = c.line_starts[line - 1];
        let (last_offset, last_line, last_column) = c.last;
        let column = if last_line == line && last_offset <= offset {
            last_column + text[last_offset..offset].chars().count()
        } else {
            text[line_start..offset].chars().count() + 1
        };
        c.last = (offset, line, column);
        (line, column)
    })
}

/// Suggests the closest of `candidates` to `word`, as "did you mean `x`?", when one is
/// close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The path among `paths` a missing `path` most likely meant: one with the same file name
/// (a moved file, a renamed folder) when there is one, else the closest by spelling.
/// Looking for the file name first is a comparison per path, where a similarity score
/// per path is not: a renamed folder of a 10,000-page playbook breaks thousands of
/// links, and scoring every path for each took seconds.
pub fn closest_path<'a>(path: &str, paths: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // Each path with its file name, found once.
    let paths: Vec<(&str, &str)> = paths.into_iter().map(|p| (p, file_stem(p))).collect();
    let name = file_stem(path);
    let same_name: Vec<&str> = paths
        .iter()
        .filter(|(_, stem)| *stem == name)
        .map(|(p, _)| *p)
        .collect();
    if same_name.is_empty() {
        // By file name first: the folders and `.md` that most paths share made unrelated
        // names look close (`tools/social-contract.md` → `tools/virtual-office.md`).
        let stem = closest(name, paths.iter().map(|(_, stem)| *stem))?;
        let with_stem = paths.iter().filter(|(_, s)| *s == stem).map(|(p, _)| *p);
        closest(path, with_stem.clone()).or_else(|| with_stem.min())
    } else {
        closest(path, same_name.iter().copied()).or_else(|| same_name.iter().min().copied())
    }
}

/// A path's file name without `.md`: `tools/canvas.md` → `canvas`.
pub fn file_stem(path: &str) -> &str {
    // memrchr: `rsplit` searches characters one by one from the end, and this runs on
    // every path for every broken link.
    let name = memchr::memrchr(b'/', path.as_bytes()).map_or(path, |i| &path[i + 1..]);
    name.strip_suffix(".md").unwrap_or(name)
}

/// The candidate closest to `word` by Jaro-Winkler similarity, when it is close enough.
///
/// A candidate that cannot score as high as the best so far (nor reach the bar) is not
/// scored: `SimilarityBound` says so from the letters the two share, far faster than
/// a score, and a restructured playbook can break thousands of links, each compared
/// with every page of the site.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    const BAR: f64 = 0.8;
    const CONTAINS: f64 = 0.85;
    let word_l = word.to_lowercase();
    let mut bound = SimilarityBound::new(&word_l);
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        // Most candidates (paths, keys) are lower case already: no copy.
        let c_l: std::borrow::Cow<'_, str> =
            if c.bytes().any(|b| !b.is_ascii() || b.is_ascii_uppercase()) {
                c.to_lowercase().into()
            } else {
                c.into()
            };
        // A candidate that contains the word (or the reverse) is a strong hint even when
        // the edit distance is large: "canvas" for "tools/product-vision-canvas".
        let contains =
            || c.len() > 2 && word_l.len() > 2 && (c.contains(&word_l) || word_l.contains(c));
        // Below the best, a candidate can neither win nor tie (with room for rounding).
        // Containing the word lifts a score to 0.85 at most, so that costly search is
        // left out once the best is above it.
        let floor = best.map_or(BAR, |(b, _)| b.max(BAR)) - 1e-9;
        let at_most = bound.jaro_winkler_at_most(&c_l, floor);
        let contains = if at_most < floor {
            if floor > CONTAINS || !contains() {
                continue;
            }
            true
        } else {
            contains()
        };
        let mut score = strsim::jaro_winkler(&word_l, &c_l);
        if contains {
            score = score.max(CONTAINS);
        }
        // Ties go to the first in sorted order, so a suggestion drawn from a hash set
        // is the same on every run.
        if best.is_none_or(|(b, bc)| score > b || (score == b && c < bc)) {
            best = Some((score, c));
        }
    }
    best.filter(|(s, _)| *s >= BAR).map(|(_, c)| c)
}

/// An upper bound of the Jaro-Winkler similarity of one word to any other, from their
/// lengths and the characters the two have in common.
///
/// Jaro is (m/|a| + m/|b| + (m − t)/m) / 3 for m matching characters and t half
/// transpositions; each match pairs two equal characters, so m is at most the shorter
/// length and at most the characters the words share, counted with repeats, and
/// (m − t)/m at most 1. Winkler adds 0.1 × (common prefix of up to 4) × (1 − Jaro)
/// above 0.7, which grows with Jaro.
struct SimilarityBound {
    /// How often each [`bucket`](Self::bucket) of characters occurs in the word.
    counts: [u32; 256],
    /// The word's characters.
    chars: Vec<char>,
    /// Buckets counted in the other word so far: zero between calls.
    used: [u32; 256],
}

impl SimilarityBound {
    fn new(word: &str) -> Self {
        let mut counts = [0u32; 256];
        for c in word.chars() {
            counts[Self::bucket(c)] += 1;
        }
        SimilarityBound {
            counts,
            chars: word.chars().collect(),
            used: [0; 256],
        }
    }

    /// ASCII characters each in a bucket of their own, others shared by many: sharing
    /// a bucket can only count more in common, which keeps the bound a bound.
    fn bucket(c: char) -> usize {
        if c.is_ascii() {
            c as usize
        } else {
            128 + (c as usize & 127)
        }
    }

    /// At least `strsim::jaro_winkler(word, other)`, or any figure below `floor` when
    /// that score is below `floor`: the lengths and the common prefix alone often say
    /// so, before the characters are counted.
    fn jaro_winkler_at_most(&mut self, other: &str, floor: f64) -> f64 {
        let la = self.chars.len();
        // Paths and keys are ASCII: their length in characters is their length.
        let ascii = other.is_ascii();
        let lb = if ascii {
            other.len()
        } else {
            other.chars().count()
        };
        if la == 0 || lb == 0 {
            return 1.0;
        }
        let prefix = self
            .chars
            .iter()
            .take(4)
            .zip(other.chars())
            .take_while(|(a, b)| *a == b)
            .count();
        let at_most = |m: usize| {
            if m == 0 {
                return 0.0;
            }
            let m = m as f64;
            let jaro = (m / la as f64 + m / lb as f64 + 1.0) / 3.0;
            if jaro > 0.7 {
                jaro + 0.1 * prefix as f64 * (1.0 - jaro)
            } else {
                jaro
            }
        };
        // At most every character of the shorter word matches.
        let by_length = at_most(la.min(lb));
        if by_length < floor {
            return by_length;
        }
        let mut shared = 0;
        let mut count = |k: usize| {
            if self.used[k] < self.counts[k] {
                self.used[k] += 1;
                shared += 1;
            }
        };
        if ascii {
            other.bytes().for_each(|b| count(usize::from(b)));
        } else {
            other.chars().map(Self::bucket).for_each(count);
        }
        // Cleared where the other word touched it: fewer writes than the whole array.
        for c in other.chars() {
            self.used[Self::bucket(c)] = 0;
        }
        at_most(shared.min(la).min(lb))
    }
}

/// All diagnostics of a run, in the order they were found.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Adds all diagnostics of another collection.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    /// Returns true if and only if at least one diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// The number of errors.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// The diagnostics, sorted by file, line and column so output is stable across runs.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                d.location
                    .as_ref()
                    .map(|l| (l.path.clone(), l.line, l.column))
            };
            key(a).cmp(&key(b))
        });
        self.items
    }

    /// The diagnostics in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Returns true if and only if there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_path_is_matched_to_the_same_file_name_before_the_closest_spelling() {
        let paths = ["methods/canvas.md", "tools/canvass.md", "z/canvas.md"];
        // Moved into another folder: the same name wins over a near spelling, and the
        // first in sorted order among several.
        assert_eq!(
            closest_path("tools/canvas.md", paths),
            Some("methods/canvas.md")
        );
        // No path of that name: the closest spelling, if close enough.
        assert_eq!(
            closest_path("tools/canvasss.md", paths),
            Some("tools/canvass.md")
        );
        assert_eq!(closest_path("retrospective/questions.md", paths), None);
        // The folder and `.md` the paths share do not make unrelated names close.
        let tools = ["tools/virtual-office.md", "tools/story-mapping.md"];
        assert_eq!(closest_path("tools/social-contract.md", tools), None);
        assert_eq!(closest_path("images/diagram.png", ["images/a.svg"]), None);
        assert_eq!(
            closest_path("tool/story-maping.md", tools),
            Some("tools/story-mapping.md")
        );
        assert_eq!(file_stem("a/b/story-mapping.md"), "story-mapping");
        assert_eq!(file_stem("story-mapping"), "story-mapping");
    }

    #[test]
    fn line_column_counts_characters_not_bytes() {
        let text = "a\nÜb = 1\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 2), (2, 1));
        // 'b' is after the two-byte Ü: column 2.
        assert_eq!(line_column(text, 4), (2, 2));
    }

    #[test]
    fn cached_line_column_agrees_with_counting_from_the_top() {
        let text: Arc<str> = Arc::from("a\nÜb = 1\n\nxyz é z\n");
        let offsets: Vec<usize> = (0..=text.len() + 2).chain([9, 3, 0, 17, 11, 4]).collect();
        for &o in &offsets {
            assert_eq!(
                cached_line_column(&text, o),
                line_column(&text, o),
                "offset {o}"
            );
        }
        let other: Arc<str> = Arc::from("\n\nq");
        assert_eq!(cached_line_column(&other, 2), (3, 1));
        assert_eq!(cached_line_column(&text, 4), (2, 2));
    }

    #[test]
    fn suggests_close_keys_only() {
        assert_eq!(
            did_you_mean("purpse", ["purpose", "title", "tags"]).as_deref(),
            Some("did you mean `purpose`?")
        );
        assert_eq!(did_you_mean("zzzzzz", ["purpose", "title"]), None);
    }

    /// `closest` as it was before candidates were skipped by [`SimilarityBound`]: every
    /// candidate scored.
    fn closest_scoring_all<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
        let word_l = word.to_lowercase();
        let mut best: Option<(f64, &str)> = None;
        for &c in candidates {
            let mut score = strsim::jaro_winkler(&word_l, &c.to_lowercase());
            if c.len() > 2 && word_l.len() > 2 && (c.contains(&word_l) || word_l.contains(c)) {
                score = score.max(0.85);
            }
            if best.is_none_or(|(b, bc)| score > b || (score == b && c < bc)) {
                best = Some((score, c));
            }
        }
        best.filter(|(s, _)| *s >= 0.8).map(|(_, c)| c)
    }

    #[test]
    fn skipping_hopeless_candidates_changes_no_suggestion() {
        // Pseudo-random words (a fixed seed) from a small alphabet, so that
        // many are close, with upper case, non-ASCII letters and repeats; each word
        // against candidates made from it by a few edits, and against unrelated ones.
        let alphabet: Vec<char> = "aabcdeeo-/.mdTÜüßé日".chars().collect();
        let mut rng = crate::xorshift(0x9e37_79b9_7f4a_7c15);
        let mut next = move || rng() as usize;
        let word = |next: &mut dyn FnMut() -> usize, len: usize| -> String {
            (0..len)
                .map(|_| alphabet[next() % alphabet.len()])
                .collect()
        };
        let mut suggested = 0;
        for round in 0..400 {
            let w = word(&mut next, 1 + round % 30);
            let mut candidates: Vec<String> = (0..20)
                .map(|i| {
                    let mut c: Vec<char> = w.chars().collect();
                    for _ in 0..=(i % 5) {
                        let at = next() % (c.len() + 1);
                        match next() % 3 {
                            0 if at < c.len() => drop(c.remove(at)),
                            1 => c.insert(at, alphabet[next() % alphabet.len()]),
                            _ if at < c.len() => c[at] = alphabet[next() % alphabet.len()],
                            _ => {}
                        }
                    }
                    c.into_iter().collect()
                })
                .collect();
            candidates.extend((0..20).map(|i| word(&mut next, 1 + i)));
            candidates.push(String::new());
            let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
            let want = closest_scoring_all(&w, &refs);
            suggested += usize::from(want.is_some());
            assert_eq!(
                closest(&w, refs.iter().copied()),
                want,
                "{w:?} among {refs:?}"
            );
        }
        // The table is not trivially "no suggestion".
        assert!(suggested > 200, "{suggested} suggestions");
    }

    #[test]
    fn a_tie_is_broken_by_sorted_order_not_by_candidate_order() {
        assert_eq!(
            closest("footnote-1", ["footnote-3", "footnote-2"]),
            Some("footnote-2")
        );
        assert_eq!(
            closest("footnote-1", ["footnote-2", "footnote-3"]),
            Some("footnote-2")
        );
    }

    #[test]
    fn renders_a_window_of_a_long_line_with_the_true_column() {
        let mut line = "a".repeat(1_000_000);
        line.replace_range(500_000..500_003, "BAD");
        let src = Source {
            path: PathBuf::from("content/a.md"),
            text: Some(Arc::from(format!("first\n{line}\nlast\n"))),
        };
        let d = Diagnostic::error("bad").at(&src, 6 + 500_000..6 + 500_003);
        let text = d.render(false);
        assert!(text.contains("content/a.md:2:500001"), "{text}");
        assert!(text.contains("BAD"), "{text}");
        assert!(text.len() < 1_000, "{} bytes: {text}", text.len());
    }

    #[test]
    fn an_unclosed_list_is_the_line_above_with_an_item_after_its_open_bracket() {
        fn at(t: &str) -> Option<(usize, &str, usize)> {
            unclosed_list_above(t, 0, t.rfind('\n').map_or(0, |i| i + 1))
        }
        let t = "tags = [\"a]\", \"b\"\nweight = 1";
        assert_eq!(at(t), Some((1, "tags", 17)), "a bracket in quotes is text");
        assert_eq!(at("tags = [\n\"a\""), None, "items go on below");
        assert_eq!(
            at("tags = [ # the tags\n\"a\""),
            None,
            "a comment is no item"
        );
        assert_eq!(at("tags = [\"a\"]\nx"), None, "closed");
        assert_eq!(at("tags = [[\"a\"], [\"b\"\nx"), Some((1, "tags", 19)));
    }

    #[test]
    fn renders_file_line_column_and_help() {
        let src = Source {
            path: PathBuf::from("content/prompts/a.md"),
            text: Some(Arc::from("+++\npurpse = \"x\"\n+++\n")),
        };
        let d = Diagnostic::error("unknown front matter key `purpse`")
            .at(&src, 4..10)
            .with_help("did you mean `purpose`?");
        let text = d.render(false);
        assert!(text.contains("content/prompts/a.md:2:1"), "{text}");
        assert!(text.contains("purpse = \"x\""), "{text}");
        assert!(text.contains("help: did you mean `purpose`?"), "{text}");
        assert_eq!(
            d.short(),
            "content/prompts/a.md:2:1: error: unknown front matter key `purpse`"
        );
    }
}
