//! The search files, laid out as SEARCH.md measured: postings in files of contiguous
//! term ranges, a small manifest, result records in groups of two pages, typo lists in
//! reversed-spelling ranges, and filter facets in blocks of pages. All JSON, so a host
//! that compresses text (GitHub Pages does) sends them gzipped.

use super::encode::{json_str, push_char, push_front, push_json_escaped, push_num};
use super::index::Term;
use rayon::prelude::*;
use serde::Serialize;

/// Aim for postings files of about this many gzipped bytes. SEARCH.md measured ~5 kB;
/// a word typed key by key reads two or three neighbouring files, so smaller files keep
/// a further query within budget for ~1.5 kB more manifest.
pub(crate) const POSTINGS_TARGET_GZ: usize = 3_000;
/// Aim for typo files of about this many gzipped bytes: the one extra fetch a
/// misspelled word costs, and a rare correct word too (it may be a misspelling).
pub(crate) const TYPO_TARGET_GZ: usize = 4_000;
/// Pages per result-record file: a query's top ten are scattered pages, so every
/// record beside the one shown is waste (four to a file cost ~450 B a result, two ~300).
/// Three to a file cut the files' disk blocks from 25 to 19 MB at 10,000 man pages, but
/// took a further query's p95 from 26.9 to 30.3 kB, over its 30 kB budget; the files'
/// bytes (6 MB) are what the 20 MB budget counts, as Pagefind's 33 MB does.
pub(crate) const RECORD_GROUP: usize = 2;
/// Pages per facet file.
pub(crate) const FACET_BLOCK: usize = 4096;
/// Characters of summary shown in a result.
pub(crate) const SUMMARY_CHARS: usize = 150;

/// Rough gzip size of an encoded postings line: postings are dense (~0.62 bytes per
/// character), sorted front-coded terms compress well.
fn gz_estimate_postings(term_chars: usize, posting_chars: usize) -> usize {
    (posting_chars * 62) / 100 + term_chars / 2 + 3
}

/// Appends one postings line as a JSON string: front-coded term, a space, df, then per
/// page its gap and impact.
fn push_postings_line(out: &mut String, prev: &str, t: &Term) {
    out.reserve(t.text.len() + 6 + t.postings.len() * 3);
    out.push('"');
    // The term is escaped as any text is; what follows it is written in characters
    // that need no escape in JSON (see `encode`), straight into the file.
    let mut front = String::new();
    push_front(&mut front, prev, &t.text);
    push_json_escaped(out, &front);
    out.push(' ');
    push_num(out, u64::from(t.df));
    let mut last: Option<u32> = None;
    for p in &t.postings {
        let gap = match last {
            None => p.page,
            Some(l) => p.page - l - 1,
        };
        push_num(out, u64::from(gap));
        push_char(out, p.level);
        last = Some(p.page);
    }
    out.push('"');
}

/// Cuts `terms` into consecutive postings files; returns each file's first term and
/// its JSON text.
pub(crate) fn postings_files(terms: &[Term]) -> Vec<(String, String)> {
    // Where files start, by estimated size.
    let mut starts = vec![0usize];
    let mut size = 0usize;
    for (i, t) in terms.iter().enumerate() {
        let est = gz_estimate_postings(t.text.len(), t.postings.len() * 2 + 2);
        if size > 0 && size + est > POSTINGS_TARGET_GZ {
            starts.push(i);
            size = 0;
        }
        size += est;
    }
    let ends: Vec<usize> = starts
        .iter()
        .skip(1)
        .copied()
        .chain([terms.len()])
        .collect();
    starts
        .par_iter()
        .zip(ends.par_iter())
        .filter(|(s, e)| s < e)
        .map(|(&s, &e)| {
            let mut out = String::from("[");
            let mut prev: &str = "";
            for (k, t) in terms[s..e].iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                push_postings_line(&mut out, prev, t);
                prev = &t.text;
            }
            out.push(']');
            (terms[s].text.to_string(), out)
        })
        .collect()
}

/// Returns true if and only if a typo can be corrected to `term`: four or more
/// characters, letters only (no digits, no CJK).
pub(crate) fn typo_eligible(term: &str) -> bool {
    term.chars().count() >= 4
        && term
            .chars()
            .all(|c| c.is_alphabetic() && !super::text::is_cjk(c))
}

/// The typo lists: words as written (folded, unstemmed, [`typo_eligible`]) by reversed
/// spelling, with their term's df and best impact, cut into ranges (preferably
/// where the last two letters change, so every word ending like the misspelled one sits
/// in one file). Each line: front-coded reversed word, df, best impact. Returns each
/// file's first reversed word and its JSON text.
pub(crate) fn typo_files(terms: &[Term]) -> Vec<(String, String)> {
    let mut rev: Vec<(String, u32, u8)> = terms
        .par_iter()
        .flat_map_iter(|t| {
            t.surface
                .iter()
                .map(|w| (w.chars().rev().collect(), t.df, t.max_impact))
        })
        .collect();
    rev.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // ~5.5 gzipped bytes per entry (measured on 10,000 man pages).
    let target = (TYPO_TARGET_GZ * 2 / 11).max(64);
    /// The first `n` characters of `s`.
    fn key(s: &str, n: usize) -> &str {
        let end = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
        &s[..end]
    }
    let mut starts = vec![0usize];
    let mut i = 0usize;
    while i < rev.len() {
        let start = *starts.last().unwrap_or(&0);
        if i - start >= target {
            // Look back up to 40 % of a file for a cut where the last two letters
            // change, then where the last three do.
            let lo = start + target * 6 / 10;
            let cut = (lo..=i)
                .rev()
                .find(|&j| j > start && key(&rev[j - 1].0, 2) != key(&rev[j].0, 2))
                .or_else(|| {
                    (lo..=i)
                        .rev()
                        .find(|&j| j > start && key(&rev[j - 1].0, 3) != key(&rev[j].0, 3))
                })
                .unwrap_or(i);
            starts.push(cut);
            i = cut;
        }
        i += 1;
    }
    let ends: Vec<usize> = starts.iter().skip(1).copied().chain([rev.len()]).collect();
    starts
        .par_iter()
        .zip(ends.par_iter())
        .filter(|(s, e)| s < e)
        .map(|(&s, &e)| {
            let mut out = String::from("[");
            let mut prev: &str = "";
            let mut line = String::new();
            for (k, (r, df, imp)) in rev[s..e].iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                line.clear();
                push_front(&mut line, prev, r);
                line.push(' ');
                push_num(&mut line, u64::from(*df));
                push_char(&mut line, *imp);
                json_str(&mut out, &line);
                prev = r;
            }
            out.push(']');
            (rev[s].0.clone(), out)
        })
        .collect()
}

/// What a result shows of a page: URL (under the base path), title, and the text its
/// summary is clipped from.
#[derive(Debug, Clone)]
pub(crate) struct Record<'a> {
    pub url: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
}

/// `text` cut to about `max` characters at a word boundary, with an ellipsis, in
/// `out` (cleared first).
pub(crate) fn clip_into(out: &mut String, text: &str, max: usize) {
    out.clear();
    // Only the start matters; a body can be long.
    let mut end = text.len().min(max * 8);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    // Whitespace collapsed, word by word, until there is more than `max` to cut: a
    // page's summary is often its body, thousands of words long.
    let mut chars = 0;
    for word in text[..end].split_whitespace() {
        if chars > max {
            break;
        }
        if chars > 0 {
            out.push(' ');
            chars += 1;
        }
        out.push_str(word);
        chars += word.chars().count();
    }
    if chars <= max {
        return;
    }
    // The first `max` characters, cut back to the last space past half of them.
    let cut = out.char_indices().nth(max).map_or(out.len(), |(i, _)| i);
    let at = out[..cut]
        .rfind(' ')
        .filter(|&i| i > max / 2)
        .unwrap_or(cut);
    let kept = out[..at].trim_end_matches([',', ';', ':', '.', ' ']).len();
    out.truncate(kept);
    out.push('…');
}

/// Result records, [`RECORD_GROUP`] pages a file: `[[url, title, summary], …]`.
pub(crate) fn record_files(records: &[Record<'_>]) -> Vec<String> {
    records
        .par_chunks(RECORD_GROUP)
        .map_init(String::new, |clipped, group| {
            let mut out = String::from("[");
            for (k, r) in group.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                out.push('[');
                json_str(&mut out, r.url);
                out.push(',');
                json_str(&mut out, r.title);
                out.push(',');
                clip_into(clipped, r.summary, SUMMARY_CHARS);
                json_str(&mut out, clipped);
                out.push(']');
            }
            out.push(']');
            out
        })
        .collect()
}

/// Digits needed to write indexes into a vocabulary of `n` names, 64 to a digit.
pub(crate) fn index_width(n: usize) -> usize {
    let mut w = 1;
    let mut cap = 64usize;
    while n > cap {
        w += 1;
        cap = cap.saturating_mul(64);
    }
    w
}

/// Writes index `v` in `width` base-64 digits, the most significant first.
fn push_index(out: &mut String, v: usize, width: usize) {
    for k in (0..width).rev() {
        push_char(out, ((v >> (6 * k)) % 64) as u8);
    }
}

/// Filter facets of one page: indexes into the roles, events and tags vocabularies.
#[derive(Debug, Clone, Default)]
pub(crate) struct Facets {
    pub roles: Vec<usize>,
    pub events: Vec<usize>,
    pub tags: Vec<usize>,
}

/// Facet files, [`FACET_BLOCK`] pages a file: one string a page, `roles.events.tags`,
/// each index written in `widths` base-64 digits.
pub(crate) fn facet_files(facets: &[Facets], widths: [usize; 3]) -> Vec<String> {
    facets
        .par_chunks(FACET_BLOCK)
        .map(|block| {
            let mut out = String::from("[");
            for (k, f) in block.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                let mut s = String::new();
                for (i, (list, w)) in [&f.roles, &f.events, &f.tags]
                    .into_iter()
                    .zip(widths)
                    .enumerate()
                {
                    if i > 0 {
                        s.push('.');
                    }
                    for &v in list {
                        push_index(&mut s, v, w);
                    }
                }
                json_str(&mut out, &s);
            }
            out.push(']');
            out
        })
        .collect()
}

/// The manifest the browser loads first (`search/manifest.json`).
#[derive(Debug, Serialize)]
pub(crate) struct Manifest {
    /// Layout version.
    pub v: u32,
    /// The path every record URL is relative to (the site's base path, usually).
    pub base: String,
    /// The stemmer search.js must apply (`""`: none).
    pub stem: &'static str,
    /// Number of pages.
    pub n: usize,
    /// Page kinds as id ranges: (kind, first id), in id order.
    pub kinds: Vec<(&'static str, usize)>,
    /// First term of each postings file `p/<i>.json`.
    pub p: Vec<String>,
    /// First reversed term of each typo file `t/<i>.json`.
    pub t: Vec<String>,
    /// Pages per record file `r/<i>.json`.
    pub rg: usize,
    /// Pages per facet file `f/<i>.json`.
    pub fb: usize,
    /// Index widths of roles, events, tags in facet files.
    pub fw: [usize; 3],
    /// Role names.
    pub roles: Vec<String>,
    /// Event names.
    pub events: Vec<String>,
    /// Tag names.
    pub tags: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::index::Posting;
    use std::sync::Arc;

    fn term(t: &str, ids: &[u32]) -> Term {
        Term {
            text: Arc::from(t),
            df: ids.len() as u32,
            max_impact: 40,
            postings: ids
                .iter()
                .map(|&page| Posting { page, level: 40 })
                .collect(),
            surface: if typo_eligible(t) {
                vec![t.into()]
            } else {
                vec![]
            },
        }
    }

    /// The postings line of `t` after `prev`, as the file holds it once read as JSON.
    fn postings_line(prev: &str, t: &Term) -> String {
        let mut json = String::new();
        push_postings_line(&mut json, prev, t);
        serde_json::from_str(&json).expect("a JSON string")
    }

    #[test]
    fn writes_postings_lines_with_gaps() {
        let t = term("plan", &[3, 4, 40]);
        // "plan" after "pla": 3 shared, "n", df 3, ids 3, 4 (gap 0), 40 (gap 35).
        assert_eq!(postings_line("pla", &t), "3n 33e0eX3e");
    }

    #[test]
    fn cuts_postings_into_contiguous_ranges() {
        let ids: Vec<u32> = (0..1000).collect();
        let terms: Vec<Term> = (0..40)
            .map(|i| term(&format!("term{i:03}"), &ids))
            .collect();
        let files = postings_files(&terms);
        assert!(files.len() > 5, "{} files", files.len());
        assert_eq!(files[0].0, "term000");
        let mut seen = 0;
        for (first, json) in &files {
            let lines: Vec<String> = serde_json::from_str(json).unwrap();
            assert_eq!(terms[seen].text.as_ref(), first);
            seen += lines.len();
            assert!(json.len() < POSTINGS_TARGET_GZ * 3, "{}", json.len());
        }
        assert_eq!(seen, terms.len());
    }

    #[test]
    fn typo_files_hold_reversed_eligible_terms() {
        let terms: Vec<Term> = ["plan", "planning", "x2y2", "at", "会議室", "stakehold"]
            .iter()
            .map(|t| term(t, &[1]))
            .collect();
        let files = typo_files(&terms);
        assert_eq!(files.len(), 1);
        let lines: Vec<String> = serde_json::from_str(&files[0].1).unwrap();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(files[0].0, "dlohekats");
    }

    #[test]
    fn typo_ranges_cut_where_endings_change() {
        let mut terms = Vec::new();
        for end in ["ab", "cd", "ef", "gh", "ij", "kl"] {
            for i in 0..900 {
                let mut w = String::new();
                let mut v = i;
                for _ in 0..3 {
                    w.push((b'a' + (v % 26) as u8) as char);
                    v /= 26;
                }
                terms.push(term(&format!("{w}x{end}"), &[1]));
            }
        }
        terms.sort_by(|a, b| a.text.cmp(&b.text));
        let files = typo_files(&terms);
        assert!(files.len() > 1);
        for (first, _) in &files {
            // Every file starts at a new ending.
            assert!(first.starts_with(['b', 'd', 'f', 'h', 'j', 'l']), "{first}");
        }
    }

    /// [`clip_into`] a buffer that held something before.
    fn clip(text: &str, max: usize) -> String {
        let mut out = "left over".to_string();
        clip_into(&mut out, text, max);
        out
    }

    #[test]
    fn clips_summaries_at_a_word() {
        assert_eq!(clip("short  text", 150), "short text");
        let long = "word ".repeat(60);
        let c = clip(&long, 150);
        assert!(c.ends_with('…') && c.chars().count() <= 151, "{c}");
        // Exactly `max` characters once collapsed: kept whole.
        assert_eq!(clip(" ab\n\n cd ", 5), "ab cd");
        // One more: cut at the last space, past half of `max`.
        assert_eq!(clip("abc def ghij", 11), "abc def…");
        // No space past half: cut inside the word.
        assert_eq!(clip("abcdefghijkl mn", 6), "abcdef…");
        assert_eq!(clip("Überstunden, bitte", 12), "Überstunden…");
    }

    #[test]
    fn facet_strings_hold_indexes() {
        let f = Facets {
            roles: vec![0, 2],
            events: vec![],
            tags: vec![63, 64],
        };
        let files = facet_files(&[f], [1, 1, 2]);
        assert_eq!(files, [r#"["02..0_10"]"#]);
        assert_eq!(index_width(64), 1);
        assert_eq!(index_width(65), 2);
    }
}
