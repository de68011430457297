//! Machine-read files: `sitemap.xml`, `feed.xml` (Atom), `playbook.json` and the small
//! redirect pages written for aliases. Every URL is absolute or carries the base path.

use super::chart::escape;
use super::view::{PageView, Views};
use crate::site::{PageId, Site};

/// `sitemap.xml`: every listed URL, absolute.
pub fn sitemap(views: &Views<'_>, urls: &[String]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for u in urls {
        s.push_str("  <url><loc>");
        s.push_str(&escape(&views.permalink(u)));
        s.push_str("</loc></url>\n");
    }
    s.push_str("</urlset>\n");
    s
}

/// `feed.xml`: an Atom feed of the pages with a date, newest first (at most 50).
pub fn atom(site: &Site, views: &Views<'_>, pages: &[(PageId, PageView<'_>)]) -> String {
    let mut dated: Vec<&(PageId, PageView<'_>)> =
        pages.iter().filter(|(_, v)| v.date.is_some()).collect();
    dated.sort_by(|a, b| b.1.date.cmp(&a.1.date).then(a.1.title.cmp(b.1.title)));
    dated.truncate(50);
    let updated = dated
        .first()
        .and_then(|(_, v)| v.date.clone())
        .unwrap_or_else(|| "1970-01-01".into());
    let home = views.permalink("");
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"",
    );
    s.push_str(&format!(
        " xml:lang=\"{}\">\n",
        escape(&site.config.language)
    ));
    s.push_str(&format!(
        "  <title>{}</title>\n",
        escape(&site.config.title)
    ));
    if !site.config.description.is_empty() {
        s.push_str(&format!(
            "  <subtitle>{}</subtitle>\n",
            escape(&site.config.description)
        ));
    }
    s.push_str(&format!("  <id>{}</id>\n", escape(&home)));
    s.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(&home)
    ));
    s.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape(&views.permalink("feed.xml"))
    ));
    s.push_str(&format!("  <updated>{updated}T00:00:00Z</updated>\n"));
    s.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        escape(&site.config.title)
    ));
    for (_, v) in dated {
        s.push_str("  <entry>\n");
        s.push_str(&format!("    <title>{}</title>\n", escape(v.title)));
        s.push_str(&format!("    <id>{}</id>\n", escape(&v.permalink)));
        s.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(&v.permalink)
        ));
        let date = v.date.as_deref().unwrap_or("1970-01-01");
        s.push_str(&format!("    <updated>{date}T00:00:00Z</updated>\n"));
        s.push_str(&format!(
            "    <category term=\"{}\"/>\n",
            escape(v.kind.name())
        ));
        for a in v.authors {
            s.push_str(&format!(
                "    <author><name>{}</name></author>\n",
                escape(a)
            ));
        }
        let summary = v.summary.or(v.purpose).unwrap_or("");
        if !summary.is_empty() {
            s.push_str(&format!("    <summary>{}</summary>\n", escape(summary)));
        }
        s.push_str("  </entry>\n");
    }
    s.push_str("</feed>\n");
    s
}

/// `playbook.json`: the playbook as data — every page's front matter, URL and summary.
pub fn playbook_json(site: &Site, views: &Views<'_>, pages: &[(PageId, PageView<'_>)]) -> String {
    use rayon::prelude::*;
    // Each page on its own core, then joined: at 10,000 pages this file is the largest.
    let entries: Vec<String> = pages
        .par_iter()
        // Charts are presentation; the numbers they draw are in `outcomes`. A view that
        // cannot be written (none can: every map key is a string) still leaves the file
        // valid JSON.
        .map(|(_, v)| super::lean_json::to_string(v, &["chart"]).unwrap_or_else(|_| "null".into()))
        .collect();
    let head = serde_json::json!({
        "title": site.config.title,
        "description": site.config.description,
        "language": site.config.language,
        "base_url": views.permalink(""),
        "generator": format!("playbook {}", env!("CARGO_PKG_VERSION")),
    })
    .to_string();
    let mut s =
        String::with_capacity(entries.iter().map(|e| e.len() + 2).sum::<usize>() + head.len() + 16);
    s.push_str(&head[..head.len() - 1]);
    s.push_str(",\"pages\":[\n");
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            s.push_str(",\n");
        }
        s.push_str(e);
    }
    s.push_str("\n]}\n");
    s
}

/// A redirect page for an alias: works without JavaScript, tells search engines where
/// the page lives now, and offers a link.
pub fn redirect(target_url: &str, permalink: &str, title: &str) -> String {
    let t = escape(target_url);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Moved: {}</title>\n<link rel=\"canonical\" href=\"{}\">\n<meta name=\"robots\" content=\"noindex\">\n<meta http-equiv=\"refresh\" content=\"0; url={t}\">\n</head>\n<body>\n<p>This page has moved to <a href=\"{t}\">{}</a>.</p>\n</body>\n</html>\n",
        escape(title),
        escape(permalink),
        escape(title)
    )
}
