//! Search: the index built at build time from the pages already in memory, written as
//! small static files the browser fetches piece by piece (see `../shared/SEARCH.md`).

use crate::content::Kind;

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
    let _ = (docs, language);
    Vec::new()
}
