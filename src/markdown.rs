//! Markdown to HTML: CommonMark with GitHub's tables, task lists, strikethrough,
//! footnotes and bare-URL autolinks; GitHub-style heading ids; links and images relative
//! to the Markdown file rewritten to published URLs, and a missing target an error.

use crate::diagnostic::{Diagnostic, Source, closest};
use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::{HashMap, HashSet};
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
    /// The text without markup, for summaries and search.
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
    let mut id = String::with_capacity(text.len());
    for c in text.trim().chars() {
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
pub fn render(
    body: &str,
    offset: usize,
    source: &Source,
    content_path: &str,
    targets: &LinkTargets<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Rendered {
    let parser = Parser::new_ext(body, options()).into_offset_iter();
    let mut events: Vec<(Event<'_>, Range<usize>)> = parser.collect();

    // Headings: their text decides their ids, so gather it first.
    let mut headings = Vec::new();
    let mut html_ids = Vec::new();
    let mut used: HashMap<String, usize> = HashMap::new();
    let mut taken: HashSet<String> = HashSet::new();
    let mut i = 0;
    while i < events.len() {
        // Authors mark footnotes and other targets with raw HTML anchors, as GitHub
        // allows (`<a name="footnote-1"></a>`): links to them are not broken.
        if let Event::Html(t) | Event::InlineHtml(t) = &events[i].0 {
            for (link, at) in scan_raw_html(t, targets.base_path, &mut html_ids) {
                // The event's text is the source's, except where a container's
                // prefix (`> `, list indentation) was taken out: then point at the tag.
                let event_start = events[i].1.start + offset;
                let start = event_start + at;
                let span = match &source.text {
                    Some(text) if text.get(start..start + link.len()) == Some(link) => {
                        start..start + link.len()
                    }
                    _ => event_start..event_start + 1,
                };
                diags.push(
                    Diagnostic::warning(format!(
                        "the raw HTML link `{link}` starts at the domain root, outside the base path `{}`",
                        targets.base_path
                    ))
                    .at(source, span)
                    .with_help(format!(
                        "playbook rewrites Markdown links, not raw HTML: write a Markdown link to the page's file (e.g. `[text](../tools/canvas.md)`), or `{}{}` in full",
                        targets.base_path.trim_end_matches('/'),
                        link
                    )),
                );
            }
        }
        if let Event::Start(Tag::Heading { level, id, .. }) = &events[i].0 {
            let level = heading_level(*level);
            let explicit = id.as_ref().map(|s| s.to_string());
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j].0, Event::End(TagEnd::Heading(_))) {
                match &events[j].0 {
                    Event::Text(t) | Event::Code(t) => text.push_str(t),
                    _ => {}
                }
                j += 1;
            }
            let base = explicit.unwrap_or_else(|| heading_id(&text));
            let base = if base.is_empty() {
                "section".to_string()
            } else {
                base
            };
            // Unique in the page even when a written id or a heading text looks like a
            // suffixed one (`## A`, `## A`, `## A-1`): count on until the id is free.
            let id = if taken.insert(base.clone()) {
                base
            } else {
                let n = used.entry(base.clone()).or_insert(0);
                loop {
                    *n += 1;
                    let candidate = format!("{base}-{n}");
                    if taken.insert(candidate.clone()) {
                        break candidate;
                    }
                }
            };
            if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[i].0 {
                *slot = Some(CowStr::from(id.clone()));
            }
            headings.push(Heading {
                level,
                text: text.trim().to_string(),
                id,
            });
            i = j;
        }
        i += 1;
    }
    let own_ids: HashSet<&str> = headings
        .iter()
        .map(|h| h.id.as_str())
        .chain(html_ids.iter().map(String::as_str))
        .collect();

    let dir = content_path.rsplit_once('/').map_or("", |(d, _)| d);
    let mut anchor_checks = Vec::new();
    let mut out_events: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut plain = String::new();
    let mut in_link = 0usize;
    let mut in_code = false;
    for (event, range) in events {
        let span = range.start + offset..range.end + offset;
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                in_link += 1;
                let dest = if matches!(link_type, LinkType::Email) {
                    dest_url
                } else {
                    rewrite(
                        &dest_url,
                        false,
                        dir,
                        &own_ids,
                        targets,
                        source,
                        span,
                        &mut anchor_checks,
                        diags,
                    )
                    .map_or(dest_url, CowStr::from)
                };
                out_events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = rewrite(
                    &dest_url,
                    true,
                    dir,
                    &own_ids,
                    targets,
                    source,
                    span,
                    &mut anchor_checks,
                    diags,
                )
                .map_or(dest_url, CowStr::from);
                out_events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Link) => {
                in_link = in_link.saturating_sub(1);
                out_events.push(Event::End(TagEnd::Link));
            }
            Event::Start(Tag::CodeBlock(k)) => {
                in_code = true;
                out_events.push(Event::Start(Tag::CodeBlock(k)));
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                plain.push(' ');
                out_events.push(Event::End(TagEnd::CodeBlock));
            }
            Event::Text(t) => {
                plain.push_str(&t);
                if in_link == 0 && !in_code && find_url_start(&t).is_some() {
                    autolink(t, &mut out_events);
                } else {
                    out_events.push(Event::Text(t));
                }
            }
            Event::Code(t) => {
                plain.push_str(&t);
                out_events.push(Event::Code(t));
            }
            // A task-list box gets a name, so a screen reader says "done" or "to do"
            // (pulldown-cmark's own box has none, which axe reports).
            Event::TaskListMarker(done) => {
                let (checked, label) = if done {
                    (" checked", "Done")
                } else {
                    ("", "To do")
                };
                out_events.push(Event::InlineHtml(CowStr::from(format!(
                    "<input type=\"checkbox\" class=\"task\" disabled{checked} aria-label=\"{label}\"> "
                ))));
            }
            e @ (Event::End(TagEnd::Paragraph)
            | Event::End(TagEnd::Heading(_))
            | Event::End(TagEnd::Item)
            | Event::End(TagEnd::TableCell)
            | Event::SoftBreak
            | Event::HardBreak) => {
                plain.push(' ');
                out_events.push(e);
            }
            e => out_events.push(e),
        }
    }
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out_events.into_iter());
    Rendered {
        html,
        headings,
        html_ids,
        anchor_checks,
        plain,
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
fn autolink<'a>(text: CowStr<'a>, out: &mut Vec<Event<'a>>) {
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
        out.push(Event::Text(text));
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
    own_ids: &HashSet<&str>,
    t: &LinkTargets<'_>,
    source: &Source,
    span: Range<usize>,
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
        // `#anchor` in the same page.
        if let Some(f) = fragment {
            let f = percent_decode(f);
            if !f.is_empty() && !own_ids.contains(f.as_str()) && !f.starts_with("fn") {
                diags.push(
                    Diagnostic::error(format!(
                        "link to a missing anchor `#{}` in this page",
                        elide(&f)
                    ))
                    .at(source, span)
                    .with_help(
                        closest(&f, own_ids.iter().copied())
                            .map(|c| format!("did you mean `#{c}`?"))
                            .unwrap_or_else(|| {
                                "anchors are the headings' ids: lower-case, spaces as `-`".into()
                            }),
                    ),
                );
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
        match closest(&target, pool.iter().copied()) {
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
        }
    }

    fn md(body: &str) -> (Rendered, Vec<Diagnostic>) {
        let f = fixture();
        let targets = LinkTargets {
            pages: &f.pages,
            assets: &f.assets,
            folders: &f.folders,
            drafts: &f.drafts,
            base_path: "/pb/",
        };
        let source = Source {
            path: "content/prompts/why.md".into(),
            text: Some(Arc::from(body)),
        };
        let mut d = Vec::new();
        let r = render(body, 0, &source, "prompts/why.md", &targets, &mut d);
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
    fn errors_on_missing_own_anchor() {
        let (_, d) = md("## Start\n\n[x](#strat)\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].help.as_deref(), Some("did you mean `#start`?"));
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
