//! Markdown to HTML: CommonMark with GitHub's tables, task lists, strikethrough,
//! footnotes and bare-URL autolinks; GitHub-style heading ids; links and images relative
//! to the Markdown file rewritten to published URLs, and a missing target an error.

use crate::diagnostic::{Diagnostic, Source, closest, closest_path};
use pulldown_cmark::{
    CowStr, Event, HeadingLevel, LinkType, OffsetIter, Options, Parser, Tag, TagEnd,
};
use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Range;

/// A heading of a page, for the table of contents, anchors and search.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The heading's text.
    pub text: String,
    /// The anchor id, unique within the page.
    pub id: String,
}

/// A link to another page's anchor, checked once every page's headings are known.
#[derive(Debug, Clone)]
pub struct AnchorCheck {
    /// The page the anchor must exist in, by its path under `content/`.
    pub target: String,
    /// The anchor.
    pub anchor: String,
    /// Where the link is in the linking file.
    pub span: Range<usize>,
}

/// A page's body, rendered.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The HTML.
    pub html: String,
    /// Its headings, in order.
    pub headings: Vec<Heading>,
    /// Ids the page's raw HTML declares (`<a name="…">`, `id="…"`): link targets too.
    pub html_ids: Vec<String>,
    /// Links to other pages' anchors, to check later.
    pub anchor_checks: Vec<AnchorCheck>,
    /// The text without markup, for the search index; empty unless asked for.
    pub plain: String,
}

/// Where links may point: the site's pages, files and folders.
pub struct LinkTargets<'a> {
    /// Page URL (relative to the base path) by path under `content/`.
    pub pages: &'a HashMap<String, String>,
    /// Files copied as they are, by path under `content/`.
    pub assets: &'a HashSet<String>,
    /// Folder URLs (relative to the base path) by folder path under `content/`.
    pub folders: &'a HashMap<String, String>,
    /// Paths of drafts left out, for a better message.
    pub drafts: &'a HashSet<String>,
    /// Paths of Markdown files left out for errors of their own: links to them are not
    /// reported, the file's own error says what to fix.
    pub unreadable: &'a HashSet<String>,
    /// The base path, `/playbook/`.
    pub base_path: &'a str,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// The id GitHub gives a heading: lower-case, letters, digits, `-` and `_` kept, spaces
/// to `-`, everything else dropped. So `page.md#anchor` works on GitHub and on the site.
pub fn heading_id(text: &str) -> String {
    let text = text.trim();
    if text.is_ascii() {
        // Most headings: no case mapping tables needed.
        let mut bytes = Vec::with_capacity(text.len());
        for &b in text.as_bytes() {
            if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
                bytes.push(b.to_ascii_lowercase());
            } else if b == b' ' {
                bytes.push(b'-');
            }
        }
        // Only ASCII bytes went in.
        return String::from_utf8(bytes).unwrap_or_default();
    }
    let mut id = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            id.extend(c.to_lowercase());
        } else if c == ' ' {
            id.push('-');
        }
    }
    id
}

/// Renders a page's Markdown `body`, which starts at byte `offset` of `source`'s text,
/// for the page whose path under `content/` is `content_path`.
///
/// One pass: the parser's events stream through our own pass into the HTML writer.
/// Only a heading's own events are held back, until its text (which makes its id) is
/// read; links to anchors of the page itself are checked at the end, when every id is
/// known. The text without markup is kept only when `plain` asks for it (the search
/// index reads it; without search it was 1 % of a build's instructions, for nothing).
pub fn render(
    body: &str,
    offset: usize,
    source: &Source,
    content_path: &str,
    targets: &LinkTargets<'_>,
    plain: bool,
    diags: &mut Vec<Diagnostic>,
) -> Rendered {
    let mut pass = Pass {
        offset,
        source,
        dir: content_path.rsplit_once('/').map_or("", |(d, _)| d),
        targets,
        diags,
        headings: Vec::new(),
        html_ids: Vec::new(),
        anchor_checks: Vec::new(),
        own_anchors: Vec::new(),
        // The text without markup is shorter than its Markdown: room for it all at
        // once, where growing by doubling copied each page's text about twice.
        plain: plain.then(|| String::with_capacity(body.len())),
        taken: HashSet::default(),
        used: HashMap::default(),
        in_link: 0,
        in_code: false,
        web_addresses: memchr::memmem::find(body.as_bytes(), b"://").is_some(),
    };
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(
        &mut html,
        Stream {
            parser: Parser::new_ext(body, options()).into_offset_iter(),
            held: VecDeque::new(),
            ready: VecDeque::new(),
            pass: &mut pass,
        },
    );
    pass.check_own_anchors();
    Rendered {
        html,
        headings: pass.headings,
        html_ids: pass.html_ids,
        anchor_checks: pass.anchor_checks,
        plain: pass.plain.unwrap_or_default(),
    }
}

/// The parser's events on their way to the HTML writer, through [`Pass`].
struct Stream<'a, 'p, 'r> {
    parser: OffsetIter<'a>,
    /// A heading's events, from its start to its end, once its id is set.
    held: VecDeque<(Event<'a>, Range<usize>)>,
    /// Events ready for the writer (a text with a web address in it gives several).
    ready: VecDeque<Event<'a>>,
    pass: &'p mut Pass<'r>,
}

impl<'a> Iterator for Stream<'a, '_, '_> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if let Some(e) = self.ready.pop_front() {
                return Some(e);
            }
            let (event, range) = match self.held.pop_front() {
                Some(held) => held,
                None => match self.parser.next()? {
                    (start @ Event::Start(Tag::Heading { .. }), range) => {
                        self.hold_heading(start, range);
                        continue;
                    }
                    other => other,
                },
            };
            if let Some(e) = self.pass.event(event, range, &mut self.ready) {
                return Some(e);
            }
        }
    }
}

impl<'a> Stream<'a, '_, '_> {
    /// Reads a heading to its end, and gives it its id: the written one (`{#id}`) or
    /// one made from its text, unique in the page.
    fn hold_heading(&mut self, start: Event<'a>, range: Range<usize>) {
        // Nothing is held when the parser is read: the heading's events go straight
        // into `held`, its start first, whose id is set once the text is known.
        debug_assert!(self.held.is_empty());
        self.held.push_back((start, range));
        let mut text = String::new();
        for (e, r) in self.parser.by_ref() {
            let end = matches!(e, Event::End(TagEnd::Heading(_)));
            if let Event::Text(t) | Event::Code(t) = &e {
                text.push_str(t);
            }
            self.held.push_back((e, r));
            if end {
                break;
            }
        }
        if let Some((Event::Start(Tag::Heading { level, id, .. }), _)) = self.held.front_mut() {
            let written = id.as_ref().map(|s| s.to_string());
            let new_id = self
                .pass
                .unique_id(written.unwrap_or_else(|| heading_id(&text)));
            *id = Some(CowStr::from(new_id.clone()));
            self.pass.headings.push(Heading {
                level: heading_level(*level),
                text: text.trim().to_string(),
                id: new_id,
            });
        }
    }
}

/// A fast hash for a page's few heading ids, where SipHash's flooding resistance buys
/// nothing.
type FastHash = foldhash::fast::FixedState;

/// What one page's pass gathers on the way: headings, ids, links to check, plain text.
struct Pass<'r> {
    offset: usize,
    source: &'r Source,
    /// The page's folder under `content/`, which relative links start from.
    dir: &'r str,
    targets: &'r LinkTargets<'r>,
    diags: &'r mut Vec<Diagnostic>,
    headings: Vec<Heading>,
    html_ids: Vec<String>,
    anchor_checks: Vec<AnchorCheck>,
    /// Links to `#anchor`s of this page, checked at the end (an anchor may come later).
    own_anchors: Vec<(String, Range<usize>, usize)>,
    /// The text without markup, when it is kept.
    plain: Option<String>,
    /// Heading ids given so far.
    taken: HashSet<String, FastHash>,
    /// The last suffix tried for each id.
    used: HashMap<String, usize, FastHash>,
    in_link: usize,
    in_code: bool,
    /// Whether the body holds `://` at all: most pages hold no bare web address, and
    /// one search of the whole body spares a search of each of its texts.
    web_addresses: bool,
}

impl<'r> Pass<'r> {
    /// `base`, or `base-1`, `base-2`… whichever is free: unique in the page even when a
    /// written id or a heading text looks like a suffixed one (`## A`, `## A`, `## A-1`).
    fn unique_id(&mut self, base: String) -> String {
        let base = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        if self.taken.insert(base.clone()) {
            return base;
        }
        let n = self.used.entry(base.clone()).or_insert(0);
        loop {
            *n += 1;
            let candidate = format!("{base}-{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
    }

    /// Adds `text` to the plain text, when it is kept.
    fn push_plain(&mut self, text: &str) {
        if let Some(plain) = &mut self.plain {
            plain.push_str(text);
        }
    }

    /// Takes one event of the page (a heading's id already set): rewrites links and
    /// images, notes raw HTML's ids, links web addresses, names task boxes, and keeps
    /// the plain text. Returns what the writer gets, or puts it onto `out` when it is
    /// more than one event.
    fn event<'a>(
        &mut self,
        event: Event<'a>,
        range: Range<usize>,
        out: &mut VecDeque<Event<'a>>,
    ) -> Option<Event<'a>> {
        let span = range.start + self.offset..range.end + self.offset;
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.in_link += 1;
                let dest = if matches!(link_type, LinkType::Email) {
                    dest_url
                } else {
                    self.rewrite(&dest_url, false, span)
                        .map_or(dest_url, CowStr::from)
                };
                Some(Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                }))
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = self
                    .rewrite(&dest_url, true, span)
                    .map_or(dest_url, CowStr::from);
                Some(Event::Start(Tag::Image {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                }))
            }
            Event::End(TagEnd::Link) => {
                self.in_link = self.in_link.saturating_sub(1);
                Some(Event::End(TagEnd::Link))
            }
            Event::Start(Tag::CodeBlock(k)) => {
                self.in_code = true;
                Some(Event::Start(Tag::CodeBlock(k)))
            }
            Event::End(TagEnd::CodeBlock) => {
                self.in_code = false;
                self.push_plain(" ");
                Some(Event::End(TagEnd::CodeBlock))
            }
            Event::Text(t) => {
                self.push_plain(&t);
                if self.web_addresses
                    && self.in_link == 0
                    && !self.in_code
                    && find_url_start(&t).is_some()
                {
                    autolink(t, out);
                    None
                } else {
                    Some(Event::Text(t))
                }
            }
            Event::Code(t) => {
                self.push_plain(&t);
                Some(Event::Code(t))
            }
            // Authors mark footnotes and other targets with raw HTML anchors, as GitHub
            // allows (`<a name="footnote-1"></a>`): links to them are not broken.
            e @ (Event::Html(_) | Event::InlineHtml(_)) => {
                if let Event::Html(t) | Event::InlineHtml(t) = &e {
                    self.raw_html(t, span.start);
                }
                Some(e)
            }
            // A task-list box gets a name, so a screen reader says "done" or "to do"
            // (pulldown-cmark's own box has none, which axe reports).
            Event::TaskListMarker(done) => {
                let (checked, label) = if done {
                    (" checked", "Done")
                } else {
                    ("", "To do")
                };
                Some(Event::InlineHtml(CowStr::from(format!(
                    "<input type=\"checkbox\" class=\"task\" disabled{checked} aria-label=\"{label}\"> "
                ))))
            }
            e @ (Event::End(TagEnd::Paragraph)
            | Event::End(TagEnd::Heading(_))
            | Event::End(TagEnd::Item)
            | Event::End(TagEnd::TableCell)
            | Event::SoftBreak
            | Event::HardBreak) => {
                self.push_plain(" ");
                Some(e)
            }
            e => Some(e),
        }
    }

    /// Notes the ids a piece of raw HTML declares, and warns of its links that leave
    /// the base path. `event_start` is where the event starts in the file.
    fn raw_html(&mut self, html: &str, event_start: usize) {
        let base_path = self.targets.base_path;
        for (link, at) in scan_raw_html(html, base_path, &mut self.html_ids) {
            // The event's text is the source's, except where a container's prefix
            // (`> `, list indentation) was taken out: then point at the tag.
            let start = event_start + at;
            let span = match &self.source.text {
                Some(text) if text.get(start..start + link.len()) == Some(link) => {
                    start..start + link.len()
                }
                _ => event_start..event_start + 1,
            };
            self.diags.push(
                Diagnostic::warning(format!(
                    "the raw HTML link `{link}` starts at the domain root, outside the base path `{base_path}`"
                ))
                .at(self.source, span)
                .with_help(format!(
                    "playbook rewrites Markdown links, not raw HTML: write a Markdown link to the page's file (e.g. `[text](../tools/canvas.md)`), or `{}{}` in full",
                    base_path.trim_end_matches('/'),
                    link
                )),
            );
        }
    }

    fn rewrite(&mut self, dest: &str, is_image: bool, span: Range<usize>) -> Option<String> {
        rewrite(
            dest,
            is_image,
            self.dir,
            self.targets,
            self.source,
            span,
            &mut self.own_anchors,
            &mut self.anchor_checks,
            self.diags,
        )
    }

    /// Checks the links to anchors of this page, now that every heading and raw HTML id
    /// is known. Each error goes where the link's other problems would have gone.
    fn check_own_anchors(&mut self) {
        if self.own_anchors.is_empty() {
            return;
        }
        let own_ids: HashSet<&str> = self
            .headings
            .iter()
            .map(|h| h.id.as_str())
            .chain(self.html_ids.iter().map(String::as_str))
            .collect();
        // From the last, so each index still points where it was taken.
        for (anchor, span, at) in self.own_anchors.drain(..).rev() {
            if own_ids.contains(anchor.as_str()) {
                continue;
            }
            let d = Diagnostic::error(format!(
                "link to a missing anchor `#{}` in this page",
                elide(&anchor)
            ))
            .at(self.source, span)
            .with_help(
                closest(&anchor, own_ids.iter().copied())
                    .map(|c| format!("did you mean `#{c}`?"))
                    .unwrap_or_else(|| {
                        "anchors are the headings' ids: lower-case, spaces as `-`".into()
                    }),
            );
            self.diags.insert(at, d);
        }
    }
}

/// Reads a piece of raw HTML once: pushes the anchors it declares onto `ids` (every
/// `id` attribute, and `name` on `<a>`, the old way still common in Markdown written
/// for GitHub), and returns its links (`href` and `src`) that start at the domain root
/// outside `base_path`, with their byte offsets. playbook rewrites Markdown links, not
/// raw HTML: `<a href="/tools/x/">` works in the preview at a domain root and leaves
/// the site under GitHub Pages' `/<repository>/`.
fn scan_raw_html<'h>(
    html: &'h str,
    base_path: &str,
    ids: &mut Vec<String>,
) -> Vec<(&'h str, usize)> {
    let mut links = Vec::new();
    let site_root = base_path.trim_end_matches('/');
    html_attributes(html, |tag, key, value, at| {
        if (key == "id" || (tag.eq_ignore_ascii_case("a") && key == "name")) && !value.is_empty() {
            ids.push(value.to_string());
        }
        if base_path != "/"
            && (key == "href" || key == "src")
            && value.starts_with('/')
            && !value.starts_with("//")
            && !value.starts_with(base_path)
            && value != site_root
        {
            links.push((value, at));
        }
    });
    links
}

/// Calls `f(tag, attribute, value, value's byte offset)` for every attribute with a
/// value in the tags of a piece of raw HTML (attribute names lower-cased).
fn html_attributes<'h>(html: &'h str, mut f: impl FnMut(&'h str, &str, &'h str, usize)) {
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        rest = &rest[end..];
        let name_end = tag
            .find(|c: char| c.is_ascii_whitespace() || c == '/')
            .unwrap_or(tag.len());
        let name = &tag[..name_end];
        let mut attrs = &tag[name_end..];
        while let Some(eq) = attrs.find('=') {
            let key = attrs[..eq]
                .rsplit(|c: char| c.is_ascii_whitespace())
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            let after = attrs[eq + 1..].trim_start();
            let (value, next) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => match after[1..].find(q) {
                    Some(close) => (&after[1..1 + close], &after[2 + close..]),
                    None => (&after[1..], ""),
                },
                _ => {
                    let stop = after
                        .find(|c: char| c.is_ascii_whitespace())
                        .unwrap_or(after.len());
                    (&after[..stop], &after[stop..])
                }
            };
            f(
                name,
                &key,
                value,
                value.as_ptr() as usize - html.as_ptr() as usize,
            );
            attrs = next;
        }
    }
}

fn heading_level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Splits text around bare `http(s)://` URLs and links them, as GitHub does.
fn autolink<'a>(text: CowStr<'a>, out: &mut VecDeque<Event<'a>>) {
    let s: &str = &text;
    let mut rest = s;
    let mut pieces: Vec<Event<'a>> = Vec::new();
    while let Some(start) = find_url_start(rest) {
        let url_len = rest[start..]
            .find(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == '"')
            .unwrap_or(rest.len() - start);
        let mut url = &rest[start..start + url_len];
        // Trailing punctuation belongs to the sentence, not the URL.
        while let Some(last) = url.chars().last() {
            if ".,;:!?)'*_".contains(last) && !(last == ')' && url.contains('(')) {
                url = &url[..url.len() - last.len_utf8()];
            } else {
                break;
            }
        }
        if url.len() <= "https://".len() {
            pieces.push(Event::Text(CowStr::from(
                rest[..start + url_len].to_string(),
            )));
            rest = &rest[start + url_len..];
            continue;
        }
        if start > 0 {
            pieces.push(Event::Text(CowStr::from(rest[..start].to_string())));
        }
        pieces.push(Event::Start(Tag::Link {
            link_type: LinkType::Autolink,
            dest_url: CowStr::from(url.to_string()),
            title: CowStr::from(""),
            id: CowStr::from(""),
        }));
        pieces.push(Event::Text(CowStr::from(url.to_string())));
        pieces.push(Event::End(TagEnd::Link));
        rest = &rest[start + url.len()..];
    }
    if pieces.is_empty() {
        out.push_back(Event::Text(text));
        return;
    }
    if !rest.is_empty() {
        pieces.push(Event::Text(CowStr::from(rest.to_string())));
    }
    out.extend(pieces);
}

/// Where the first `http://` or `https://` starts. Found by its colon with one
/// vectorised scan: this runs on every text event of every page, where two substring
/// searches cost 8 % of Markdown's time (perf, 10,000 pages).
fn find_url_start(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    memchr::memchr_iter(b':', b).find_map(|i| {
        if !b[i + 1..].starts_with(b"//") {
            None
        } else if b[..i].ends_with(b"https") {
            Some(i - 5)
        } else if b[..i].ends_with(b"http") {
            Some(i - 4)
        } else {
            None
        }
    })
}

/// Decodes `%20` and friends in a link path, so `My%20Page.md` finds `My Page.md`.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// Joins a relative path to a folder under `content/`, resolving `.` and `..`.
/// Returns `None` when the path climbs out of `content/`.
fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Rewrites one link or image destination. Returns the new URL, or `None` to keep it
/// (external links) — a missing target adds a diagnostic and keeps the link as written.
#[allow(clippy::too_many_arguments)]
fn rewrite(
    dest: &str,
    is_image: bool,
    dir: &str,
    t: &LinkTargets<'_>,
    source: &Source,
    span: Range<usize>,
    own_anchors: &mut Vec<(String, Range<usize>, usize)>,
    anchor_checks: &mut Vec<AnchorCheck>,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let dest = dest.trim();
    if dest.is_empty() {
        return None;
    }
    // External: a scheme (`https:`, `mailto:`) or a protocol-relative URL.
    let scheme_end = dest.find(':');
    let first_sep = dest.find(['/', '?', '#']);
    if dest.starts_with("//") || scheme_end.is_some_and(|c| first_sep.is_none_or(|s| c < s)) {
        return None;
    }
    let (path_q, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    let (path, query) = match path_q.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_q, None),
    };
    if path.is_empty() {
        // `#anchor` in the same page: checked once the whole page is read.
        if let Some(f) = fragment {
            let f = percent_decode(f);
            if !f.is_empty() && !f.starts_with("fn") {
                own_anchors.push((f, span, diags.len()));
            }
        }
        return None;
    }
    let decoded = percent_decode(path);
    let resolved = if let Some(abs) = decoded.strip_prefix('/') {
        // Root-relative: taken from the site's root (without the base path, which is
        // added here), so the link keeps working under any base path.
        let abs = abs
            .strip_prefix(t.base_path.trim_start_matches('/'))
            .filter(|_| t.base_path != "/")
            .unwrap_or(abs);
        Some(abs.to_string())
    } else {
        join(dir, &decoded)
    };
    let Some(target) = resolved else {
        diags.push(
            Diagnostic::error(format!(
                "link `{}` leaves the `content` folder",
                elide(dest)
            ))
            .at(source, span)
            .with_help("link to a page or file inside `content/`, or use a full `https://` URL"),
        );
        return None;
    };
    let suffix = |url: String| {
        let mut s = format!("{}{url}", t.base_path);
        if let Some(q) = query {
            s.push('?');
            s.push_str(q);
        }
        if let Some(f) = fragment {
            s.push('#');
            s.push_str(f);
        }
        s
    };
    let target = target.trim_end_matches('/').to_string();
    if !is_image {
        if let Some(url) = t.pages.get(&target) {
            if let Some(f) = fragment {
                anchor_checks.push(AnchorCheck {
                    target: target.clone(),
                    anchor: percent_decode(f),
                    span: span.clone(),
                });
            }
            return Some(suffix(url.clone()));
        }
        // A page linked by its URL-ish path (`../tools/canvas/`), or a folder.
        let as_md = format!("{target}.md");
        if let Some(url) = t.pages.get(&as_md) {
            if let Some(f) = fragment {
                anchor_checks.push(AnchorCheck {
                    target: as_md,
                    anchor: percent_decode(f),
                    span: span.clone(),
                });
            }
            return Some(suffix(url.clone()));
        }
        if let Some(url) = t.folders.get(&target) {
            return Some(suffix(url.clone()));
        }
    }
    if t.assets.contains(&target) {
        return Some(suffix(target));
    }
    if !is_image
        && (t.unreadable.contains(&target) || t.unreadable.contains(&format!("{target}.md")))
    {
        // The page is there, with errors of its own that stop the build.
        return None;
    }
    if is_image && t.pages.contains_key(&target) {
        diags.push(
            Diagnostic::error(format!(
                "image `{}` is a Markdown page, not an image",
                elide(dest)
            ))
            .at(source, span)
            .with_help("point the image at a picture file under `content/`"),
        );
        return None;
    }
    let what = if is_image {
        "image"
    } else if target.ends_with(".md") {
        "page"
    } else {
        "file"
    };
    let help = if t.drafts.contains(&target) {
        "that page is a draft: build with `--drafts`, or remove `draft = true` from it".to_string()
    } else if looks_like_host(dest) {
        // `[Luma](www.luma-institute.com)`: a web address without its scheme reads as a
        // path inside the site; a similar file name would be the wrong hint.
        format!("a link without `https://` is a path inside the site: write `https://{dest}`")
    } else {
        let pool: Vec<&str> = if is_image {
            t.assets.iter().map(String::as_str).collect()
        } else {
            t.pages.keys().map(String::as_str).collect()
        };
        match closest_path(&target, pool) {
            Some(c) => format!(
                "did you mean `{}`? paths are relative to this file's folder",
                relative_path(dir, c)
            ),
            None => format!(
                "no `content/{}` exists; paths are relative to this file's folder (`content/{dir}`)",
                elide(&target)
            ),
        }
    };
    diags.push(
        Diagnostic::error(format!("link to a missing {what} `{}`", elide(dest)))
            .at(source, span)
            .with_help(help),
    );
    None
}

/// Returns true if and only if `dest` starts like a web address written without its
/// scheme: `www.…`, or a first segment ending in a common top-level domain.
fn looks_like_host(dest: &str) -> bool {
    let host = dest.split(['/', '?', '#']).next().unwrap_or("");
    let tld = host.rsplit_once('.').map_or("", |(_, t)| t);
    host.starts_with("www.")
        || (host.contains('.')
            && [
                "com", "org", "net", "io", "gov", "edu", "co", "dev", "info", "app",
            ]
            .contains(&tld.to_ascii_lowercase().as_str()))
}

/// A link as messages quote it: cut after 100 characters, so a megabyte-long link gives
/// a message of one line, not a megabyte.
fn elide(s: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 100;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &s[..cut]).into(),
        None => s.into(),
    }
}

/// The path from folder `from` to `to`, both under `content/`: `../tools/canvas.md`.
fn relative_path(from: &str, to: &str) -> String {
    let a: Vec<&str> = from.split('/').filter(|s| !s.is_empty()).collect();
    let b: Vec<&str> = to.split('/').filter(|s| !s.is_empty()).collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<&str> = vec![".."; a.len() - common];
    parts.extend(&b[common..]);
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    struct Fixture {
        pages: HashMap<String, String>,
        assets: HashSet<String>,
        folders: HashMap<String, String>,
        drafts: HashSet<String>,
        unreadable: HashSet<String>,
    }

    fn fixture() -> Fixture {
        let mut pages = HashMap::new();
        pages.insert("tools/canvas.md".into(), "tools/canvas/".into());
        pages.insert("prompts/why.md".into(), "prompts/why/".into());
        let mut folders = HashMap::new();
        folders.insert("tools".into(), "tools/".into());
        let assets = ["images/a.svg".to_string()].into_iter().collect();
        Fixture {
            pages,
            assets,
            folders,
            drafts: HashSet::new(),
            unreadable: ["prompts/broken.md".to_string()].into_iter().collect(),
        }
    }

    fn md(body: &str) -> (Rendered, Vec<Diagnostic>) {
        let f = fixture();
        let targets = LinkTargets {
            pages: &f.pages,
            assets: &f.assets,
            folders: &f.folders,
            drafts: &f.drafts,
            unreadable: &f.unreadable,
            base_path: "/pb/",
        };
        let source = Source {
            path: "content/prompts/why.md".into(),
            text: Some(Arc::from(body)),
        };
        let mut d = Vec::new();
        let r = render(body, 0, &source, "prompts/why.md", &targets, true, &mut d);
        (r, d)
    }

    #[test]
    fn finds_where_a_bare_web_address_starts() {
        assert_eq!(find_url_start("see https://x.org"), Some(4));
        assert_eq!(find_url_start("see http://x.org and https://y"), Some(4));
        assert_eq!(find_url_start("ftp://x and http://y"), Some(12));
        assert_eq!(find_url_start("ratio 1:2 // and http: no"), None);
        assert_eq!(find_url_start("ends with http:"), None);
        assert_eq!(find_url_start("://"), None);
    }

    #[test]
    fn raw_html_anchors_are_link_targets() {
        let (r, d) = md(
            "See[<sup>1</sup>](#footnote-1) and [two](#two).\n\n1. <a name=\"footnote-1\"></a>One\n\n<div id='two' class=\"x\">Two</div>\n\n<input name=\"not-an-anchor\">\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(r.html_ids, ["footnote-1", "two"]);
        let (_, d) = md("[x](#not-an-anchor)\n\n<input name=\"not-an-anchor\">\n");
        assert_eq!(d.len(), 1, "`name` marks an anchor only on `<a>`: {d:?}");
    }

    #[test]
    fn a_web_address_without_scheme_gets_a_https_hint() {
        let (_, d) = md("- [Luma Institute](<www.luma-institute.com>)\n- [x](example.org/a)\n");
        let helps: Vec<&str> = d.iter().map(|d| d.help.as_deref().unwrap()).collect();
        assert_eq!(
            helps,
            [
                "a link without `https://` is a path inside the site: write `https://www.luma-institute.com`",
                "a link without `https://` is a path inside the site: write `https://example.org/a`",
            ]
        );
        let (_, d) = md("[c](canvs.md)\n");
        assert!(
            d[0].help.as_deref().unwrap().starts_with("did you mean"),
            "{d:?}"
        );
    }

    #[test]
    fn heading_ids_follow_github() {
        assert_eq!(heading_id("What we tried"), "what-we-tried");
        assert_eq!(heading_id("1:1 check-ins — why?"), "11-check-ins--why");
        let (r, _) = md("## Intro\n\n## Intro\n\n## Custom {#mine}\n");
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["intro", "intro-1", "mine"]);
        assert!(r.html.contains("<h2 id=\"intro-1\">"), "{}", r.html);
    }

    #[test]
    fn heading_ids_stay_unique_when_a_text_looks_suffixed() {
        // Found by the markdown fuzz target: `a-1` was given twice.
        let (r, _) = md("## A\n\n## a-1\n\n## A\n\n## X {#a}\n");
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["a", "a-1", "a-2", "a-3"]);
    }

    #[test]
    fn rewrites_relative_links_to_published_urls() {
        let (r, d) = md(
            "[c](../tools/canvas.md#how) [t](../tools/) ![a](../images/a.svg) [x](https://x.org/a.md)",
        );
        assert!(d.is_empty(), "{d:?}");
        assert!(
            r.html.contains("href=\"/pb/tools/canvas/#how\""),
            "{}",
            r.html
        );
        assert!(r.html.contains("href=\"/pb/tools/\""), "{}", r.html);
        assert!(r.html.contains("src=\"/pb/images/a.svg\""), "{}", r.html);
        assert!(r.html.contains("href=\"https://x.org/a.md\""), "{}", r.html);
        assert_eq!(r.anchor_checks.len(), 1);
        assert_eq!(r.anchor_checks[0].anchor, "how");
    }

    #[test]
    fn errors_on_missing_page_with_suggestion_and_position() {
        let (_, d) = md("Intro\n\nSee [c](../tools/canvass.md).\n");
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].short(),
            "content/prompts/why.md:3:5: error: link to a missing page `../tools/canvass.md`"
        );
        assert!(d[0].help.as_deref().unwrap().contains("../tools/canvas.md"));
    }

    #[test]
    fn a_link_to_a_page_left_out_for_its_own_errors_is_not_reported_again() {
        // `prompts/broken.md` exists but its front matter is broken: that error is the
        // one to fix; the link is fine once it is fixed.
        let (_, d) = md("[b](broken.md) [c](broken/) [m](missing.md)\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("`missing.md`"), "{}", d[0].message);
    }

    #[test]
    fn errors_on_missing_own_anchor() {
        let (_, d) = md("## Start\n\n[x](#strat)\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].help.as_deref(), Some("did you mean `#start`?"));
    }

    #[test]
    fn links_to_anchors_further_down_the_page_are_not_broken() {
        // The page streams through once: an anchor below the link must still count.
        let (r, d) =
            md("[a](#later) [b](#note-1) [c](#nowhere)\n\n## Later\n\n<a name=\"note-1\"></a>\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("`#nowhere`"), "{}", d[0].message);
        assert!(r.html.contains("href=\"#later\""), "{}", r.html);
    }

    #[test]
    fn heading_ids_of_ascii_text_match_the_unicode_rule() {
        // ASCII headings take a shorter path; it must give what the general rule gives.
        let general = |text: &str| -> String {
            let mut id = String::new();
            for c in text.trim().chars() {
                if c.is_alphanumeric() || c == '_' || c == '-' {
                    id.extend(c.to_lowercase());
                } else if c == ' ' {
                    id.push('-');
                }
            }
            id
        };
        let all_ascii: String = (0x20u8..0x7f).map(char::from).collect();
        for text in [
            "What We Tried",
            "  1:1 check-ins -- why?  ",
            "A_b-C d",
            "Tabs\tand\nnew lines",
            all_ascii.as_str(),
        ] {
            assert_eq!(heading_id(text), general(text), "{text:?}");
        }
    }

    #[test]
    fn supports_gfm_extensions_and_autolinks() {
        let (r, _) = md(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ see https://example.org/x.\n\nNote[^1]\n\n[^1]: The note.\n",
        );
        assert!(r.html.contains("<table>"));
        assert!(
            r.html.contains(
                "<input type=\"checkbox\" class=\"task\" disabled checked aria-label=\"Done\">"
            ),
            "{}",
            r.html
        );
        assert!(r.html.contains("<del>old</del>"));
        assert!(
            r.html
                .contains("<a href=\"https://example.org/x\">https://example.org/x</a>."),
            "{}",
            r.html
        );
        assert!(r.html.contains("footnote"));
    }

    #[test]
    fn errors_on_link_out_of_content() {
        let (_, d) = md("[x](../../secret.md)");
        assert!(d[0].message.contains("leaves the `content` folder"));
    }
}
