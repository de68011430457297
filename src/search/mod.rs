//! Search: the index built at build time from the pages already in memory, written as
//! small static files the browser fetches piece by piece (see `../shared/SEARCH.md`;
//! the browser side is `themes/default/static/search.js`).
//!
//! Layout (paths under the output root; every file JSON):
//! - `search/manifest.json`: page count, kinds as page-id ranges, the first term of
//!   every postings file, the first reversed term of every typo file, facet names;
//! - `search/p/<i>.json`: postings of a contiguous range of terms (~3 kB gzipped): the
//!   words' terms, and the pairs of consecutive title words (`sprint!review`), each
//!   right after its first word;
//! - `search/t/<i>.json`: typo lists: words as written (folded) by reversed spelling,
//!   with their term's df and best impact, so a typo near a word's start costs one
//!   small fetch (one near its end sorts beside the right term in the postings file);
//! - `search/r/<i>.json`: result records (URL, title, summary) of two pages;
//! - `search/f/<i>.json`: roles, events and tags of 4,096 pages, for filter counts.
//!
//! ```
//! use playbook::search::analyze;
//! assert_eq!(analyze("Übermorgen: running retrospectives", "en"), ["ubermorgen", "run", "retrospect"]);
//! ```

mod encode;
mod files;
mod index;
mod text;

use crate::content::Kind;
use files::{Facets, Manifest, Record};
use rayon::prelude::*;
pub use text::analyze;

/// What the index knows of one page: the text of each weighted field and the filters.
#[derive(Debug, Clone)]
pub struct SearchDoc<'a> {
    /// The page's URL path, base path included.
    pub url: String,
    /// Its kind.
    pub kind: Kind,
    /// Title (for a prompt, the question).
    pub title: &'a str,
    /// One-line summary.
    pub summary: Option<&'a str>,
    /// A prompt's or tool's purpose.
    pub purpose: Option<&'a str>,
    /// Other structured fields as text: when, instead_of, follow-ups, context,
    /// intervention, outcome labels and sentences, quote, participants, materials…
    pub fields: Vec<&'a str>,
    /// Headings of the body.
    pub headings: Vec<&'a str>,
    /// The body as plain text.
    pub body: &'a str,
    /// Role names.
    pub roles: Vec<&'a str>,
    /// Event names.
    pub events: Vec<&'a str>,
    /// Tags as written.
    pub tags: Vec<&'a str>,
}

/// Builds the search files (paths relative to the output root, contents) for `docs`,
/// tokenised and stemmed for `language` (a BCP 47 tag such as `en` or `ja`).
pub fn build_index(docs: &[SearchDoc<'_>], language: &str) -> Vec<(String, Vec<u8>)> {
    // Page ids by kind, so a kind filter is an id range the manifest names.
    let mut order: Vec<&SearchDoc<'_>> = docs.iter().collect();
    order.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.url.cmp(&b.url)));

    // `PLAYBOOK_SEARCH_TIMING=1` prints where indexing spends its time (benches/search).
    let timing = std::env::var_os("PLAYBOOK_SEARCH_TIMING").is_some();
    let t0 = std::time::Instant::now();
    let terms = index::build_terms(&order, language);
    let n_terms = terms.len();
    let t_terms = t0.elapsed();
    let base = common_base(order.iter().map(|d| d.url.as_str()));

    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let postings = files::postings_files(&terms);
    let t_postings = t0.elapsed();
    let typos = files::typo_files(&terms);
    // Dropped on every core: each term holds a few allocations made on other cores,
    // which cost the man pages' 62,000 terms 25 ms to free on one.
    crate::drop_on_every_core(terms);
    let t_typos = t0.elapsed();
    let mut manifest = Manifest {
        v: 1,
        base: base.to_string(),
        stem: text::stemmer_for(language).map_or("", |(name, _)| name),
        n: order.len(),
        kinds: Vec::new(),
        p: Vec::with_capacity(postings.len()),
        t: Vec::with_capacity(typos.len()),
        rg: files::RECORD_GROUP,
        fb: files::FACET_BLOCK,
        fw: [1, 1, 1],
        roles: Vec::new(),
        events: Vec::new(),
        tags: Vec::new(),
    };
    for (i, (first, json)) in postings.into_iter().enumerate() {
        manifest.p.push(first);
        out.push((format!("search/p/{i}.json"), json.into_bytes()));
    }
    for (i, (first, json)) in typos.into_iter().enumerate() {
        manifest.t.push(first);
        out.push((format!("search/t/{i}.json"), json.into_bytes()));
    }
    for (id, d) in order.iter().enumerate() {
        if manifest.kinds.last().is_none_or(|k| k.0 != d.kind.name()) {
            manifest.kinds.push((d.kind.name(), id));
        }
    }

    // Records.
    let records: Vec<Record> = order
        .par_iter()
        .map(|d| Record {
            url: d.url.strip_prefix(base).unwrap_or(&d.url),
            title: d.title,
            summary: d
                .summary
                .or(d.purpose)
                .filter(|s| !s.trim().is_empty())
                .unwrap_or(d.body),
        })
        .collect();
    for (i, json) in files::record_files(&records).into_iter().enumerate() {
        out.push((format!("search/r/{i}.json"), json.into_bytes()));
    }

    // Facets.
    let [(roles, role_ids), (events, event_ids), (tags, tag_ids)] = facet_names(&order);
    let facets: Vec<Facets> = order
        .par_iter()
        .map(|d| {
            let ids = |list: &[&str], v: &crate::FastMap<&str, usize>| -> Vec<usize> {
                let mut ids: Vec<usize> = list.iter().filter_map(|n| v.get(n).copied()).collect();
                ids.sort_unstable();
                ids.dedup();
                ids
            };
            Facets {
                roles: ids(&d.roles, &role_ids),
                events: ids(&d.events, &event_ids),
                tags: ids(&d.tags, &tag_ids),
            }
        })
        .collect();
    manifest.fw = [
        files::index_width(roles.len()),
        files::index_width(events.len()),
        files::index_width(tags.len()),
    ];
    for (i, json) in files::facet_files(&facets, manifest.fw)
        .into_iter()
        .enumerate()
    {
        out.push((format!("search/f/{i}.json"), json.into_bytes()));
    }
    let owned = |names: Vec<&str>| names.into_iter().map(String::from).collect();
    manifest.roles = owned(roles);
    manifest.events = owned(events);
    manifest.tags = owned(tags);

    let json = serde_json::to_vec(&manifest).unwrap_or_default();
    if timing {
        eprintln!(
            "search: {} pages, {} terms: analyse+score {:.3} s, postings {:.3} s, typos {:.3} s, all files encoded {:.3} s, total {:.3} s",
            order.len(),
            n_terms,
            t_terms.as_secs_f64(),
            (t_postings - t_terms).as_secs_f64(),
            (t_typos - t_postings).as_secs_f64(),
            (t0.elapsed() - t_terms).as_secs_f64(),
            t0.elapsed().as_secs_f64()
        );
    }
    out.push(("search/manifest.json".into(), json));
    out
}

/// The role, event and tag names of all pages, each sorted (a name's index is its
/// place), with a map from name to index. Gathered on every core in one pass: a few
/// dozen distinct names among tens of thousands, in lists scattered in memory.
fn facet_names<'a>(
    order: &[&SearchDoc<'a>],
) -> [(Vec<&'a str>, crate::FastMap<&'a str, usize>); 3] {
    type Names<'a> = std::collections::HashSet<&'a str, foldhash::fast::RandomState>;
    let sets: [Names<'a>; 3] = order
        .par_iter()
        .fold(<[Names<'a>; 3]>::default, |mut sets, d| {
            sets[0].extend(&d.roles);
            sets[1].extend(&d.events);
            sets[2].extend(&d.tags);
            sets
        })
        .reduce(<[Names<'a>; 3]>::default, |mut a, b| {
            for (a, b) in a.iter_mut().zip(b) {
                a.extend(b);
            }
            a
        });
    sets.map(|set| {
        let mut names: Vec<&str> = set.into_iter().collect();
        names.sort_unstable();
        let index = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        (names, index)
    })
}

/// The longest path prefix (ending in `/`) that every URL shares.
fn common_base<'a>(mut urls: impl Iterator<Item = &'a str>) -> &'a str {
    let Some(first) = urls.next() else {
        return "/";
    };
    let mut len = first.len();
    for u in urls {
        len = first
            .bytes()
            .zip(u.bytes())
            .take(len)
            .take_while(|(a, b)| a == b)
            .count();
    }
    match first.as_bytes()[..len].iter().rposition(|&b| b == b'/') {
        Some(i) => &first[..=i],
        None => "",
    }
}

#[cfg(test)]
mod tests;
