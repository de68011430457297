//! Views: the data templates and `playbook.json` see, built once per page from the Site.
//! Every URL here already carries the base path.

use crate::content::{Kind, Outcome, Page};
use crate::markdown::Heading;
use crate::site::{PageId, Relation, Site, Taxonomy};
use serde::Serialize;

/// A link to a page, as lists and cards show it.
#[derive(Debug, Clone, Serialize)]
pub struct PageLink<'a> {
    /// The page's kind.
    pub kind: Kind,
    /// The title (for a prompt, the question).
    pub title: &'a str,
    /// The URL path, base path included.
    pub url: String,
    /// One line about it.
    pub summary: Option<&'a str>,
    /// A prompt's or tool's purpose.
    pub purpose: Option<&'a str>,
}

/// A tag, role or event as a link.
#[derive(Debug, Clone, Serialize)]
pub struct TermLink<'a> {
    /// As written.
    pub name: &'a str,
    /// Its page.
    pub url: String,
}

/// A story outcome, ready to show.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeView<'a> {
    /// A sentence outcome.
    pub text: Option<&'a str>,
    /// What was measured.
    pub label: Option<&'a str>,
    /// The value before.
    pub before: Option<f64>,
    /// The value after.
    pub after: Option<f64>,
    /// The value before as people write it ("14", "2.5").
    pub before_text: Option<String>,
    /// The value after as people write it.
    pub after_text: Option<String>,
    /// The unit.
    pub unit: Option<&'a str>,
    /// "lower" or "higher".
    pub better: Option<&'static str>,
    /// Whether the change went the right way.
    pub improved: Option<bool>,
    /// The before/after chart, inline SVG (left out of `playbook.json`).
    pub chart: Option<String>,
}

/// A playbook step with its page.
#[derive(Debug, Clone, Serialize)]
pub struct StepView<'a> {
    /// One-based position.
    pub n: usize,
    /// The step's page.
    pub page: PageLink<'a>,
    /// What to do at this step.
    pub note: Option<&'a str>,
    /// The step page's duration, where it has one.
    pub duration: Option<&'a str>,
}

/// "Step n of m" with previous and next, for a page that is a step of a playbook.
#[derive(Debug, Clone, Serialize)]
pub struct StepNav<'a> {
    /// The playbook.
    pub playbook: PageLink<'a>,
    /// One-based position.
    pub n: usize,
    /// Number of steps.
    pub m: usize,
    /// The step before.
    pub prev: Option<PageLink<'a>>,
    /// The step after.
    pub next: Option<PageLink<'a>>,
}

/// A group of linked pages under a heading ("Prompts that use this tool").
#[derive(Debug, Clone, Serialize)]
pub struct LinkSection<'a> {
    /// The heading.
    pub title: String,
    /// The pages.
    pub pages: Vec<PageLink<'a>>,
}

/// Everything known about a page, for its template and for `playbook.json`.
#[derive(Debug, Clone, Serialize)]
pub struct PageView<'a> {
    /// The kind.
    pub kind: Kind,
    /// The reference other pages use.
    pub key: &'a str,
    /// The title.
    pub title: &'a str,
    /// One line about it.
    pub summary: Option<&'a str>,
    /// The URL path, base path included.
    pub url: String,
    /// The absolute URL.
    pub permalink: String,
    /// The source file under `content/`.
    pub source_path: &'a str,
    /// `2026-11-23`.
    pub date: Option<String>,
    /// Whether it is a draft.
    pub draft: bool,
    /// Free topics.
    pub tags: Vec<TermLink<'a>>,
    /// Who it is for.
    pub roles: Vec<TermLink<'a>>,
    /// Where in the cycle.
    pub events: Vec<TermLink<'a>>,
    /// Credited authors.
    pub authors: &'a [String],
    /// Where the idea comes from.
    pub source: Option<&'a str>,
    /// "Edit this page" URL.
    pub edit_url: Option<String>,
    /// Old paths that redirect here.
    pub aliases: Vec<&'a str>,
    /// Prompt and tool: the outcome aimed at.
    pub purpose: Option<&'a str>,
    /// Prompt: when to use it.
    pub when: Option<&'a str>,
    /// Prompt: the closed question it replaces.
    pub instead_of: Option<&'a str>,
    /// Prompt: questions to ask next.
    pub follow_ups: &'a [String],
    /// Tool and story: how long.
    pub duration: Option<&'a str>,
    /// Tool: preparation.
    pub prep: Option<&'a str>,
    /// Tool: group size.
    pub group_size: Option<&'a str>,
    /// Tool: `easy`, `moderate` or `hard`.
    pub difficulty: Option<crate::content::Difficulty>,
    /// Tool: `in-person`, `remote`.
    pub formats: &'a [crate::content::Format],
    /// Tool: who takes part.
    pub participants: &'a [String],
    /// Tool: what to bring.
    pub materials: &'a [String],
    /// Takeaway: the quote.
    pub quote: Option<&'a str>,
    /// Takeaway: who said it.
    pub quote_by: Option<&'a str>,
    /// Story: the situation.
    pub context: Option<&'a str>,
    /// Story: what was tried.
    pub intervention: Option<&'a str>,
    /// Story: what changed.
    pub outcomes: Vec<OutcomeView<'a>>,
    /// Playbook: the path.
    pub steps: Vec<StepView<'a>>,
    /// Playbook: the sum of its steps' durations, where they can be read ("2–3 h").
    pub total_duration: Option<String>,
    /// Pages linked either way, grouped by kind under a heading.
    pub sections: Vec<LinkSection<'a>>,
    /// The playbooks this page is a step of.
    pub step_of: Vec<StepNav<'a>>,
    /// Free data for themes.
    pub extra: &'a toml::Table,
}

/// Builds views; holds what every view needs.
pub struct Views<'a> {
    site: &'a Site,
    base_path: &'a str,
    base_url: &'a str,
}

impl<'a> Views<'a> {
    /// Views of `site`.
    pub fn new(site: &'a Site) -> Self {
        Views {
            site,
            base_path: site.config.base_path(),
            base_url: &site.config.base_url,
        }
    }

    /// The URL path of a path relative to the base: `prompts/x/` → `/playbook/prompts/x/`.
    pub fn url(&self, rel: &str) -> String {
        format!("{}{rel}", self.base_path)
    }

    /// The absolute URL of a path relative to the base.
    pub fn permalink(&self, rel: &str) -> String {
        if self.base_url.starts_with("http") {
            format!("{}{rel}", self.base_url)
        } else {
            self.url(rel)
        }
    }

    /// A link to page `id`.
    pub fn link(&self, id: PageId) -> PageLink<'a> {
        let p: &'a Page = &self.site.pages[id];
        PageLink {
            kind: p.kind,
            title: &p.title,
            url: self.url(&p.url),
            summary: p.fm.summary.as_deref(),
            purpose: p.fm.purpose.as_ref().map(|s| s.get_ref().as_str()),
        }
    }

    /// The link of a term of a taxonomy.
    pub fn term_link(&self, tax: Taxonomy, name: &'a str) -> TermLink<'a> {
        // Pieces pushed in place of two `format!`s: a page has a dozen terms, and this
        // was 2 % of a build's instructions (callgrind).
        let slug = crate::content::slugify(name);
        let folder = tax.folder();
        let mut url = String::with_capacity(self.base_path.len() + folder.len() + slug.len() + 2);
        url.push_str(self.base_path);
        url.push_str(folder);
        url.push('/');
        url.push_str(&slug);
        url.push('/');
        TermLink { name, url }
    }

    /// The full view of page `id`.
    pub fn page(&self, id: PageId) -> PageView<'a> {
        let site = self.site;
        let p: &'a Page = &site.pages[id];
        let fm = &p.fm;
        let links = &site.links[id];
        let terms = |tax: Taxonomy, list: &'a [toml::Spanned<String>]| {
            let vocab: Option<&Vec<String>> = match tax {
                Taxonomy::Roles => Some(&site.config.vocabulary.roles),
                Taxonomy::Events => Some(&site.config.vocabulary.events),
                Taxonomy::Tags => None,
            };
            list.iter()
                .map(|s| s.get_ref().trim())
                .filter(|s| vocab.is_none_or(|v| v.iter().any(|x| x == s)))
                .map(|s| self.term_link(tax, s))
                .collect::<Vec<_>>()
        };
        let edit_url = match (&site.config.edit_url_template, p.role) {
            (Some(t), _) => Some(t.replace("{path}", &format!("content/{}", p.content_path))),
            _ => None,
        };
        let outcomes = p
            .outcomes
            .iter()
            .enumerate()
            .map(|(i, o)| match o {
                Outcome::Text(t) => OutcomeView {
                    text: Some(t),
                    label: None,
                    before: None,
                    after: None,
                    before_text: None,
                    after_text: None,
                    unit: None,
                    better: None,
                    improved: None,
                    chart: None,
                },
                Outcome::Measure(m) => OutcomeView {
                    text: None,
                    label: Some(&m.label),
                    before: Some(m.before),
                    after: Some(m.after),
                    before_text: Some(super::chart::number(m.before)),
                    after_text: Some(super::chart::number(m.after)),
                    unit: m.unit.as_deref(),
                    better: Some(if m.lower_is_better { "lower" } else { "higher" }),
                    improved: Some(if m.lower_is_better {
                        m.after < m.before
                    } else {
                        m.after > m.before
                    }),
                    chart: Some(super::chart::outcome_chart(
                        m,
                        &format!("outcome-{}", i + 1),
                    )),
                },
            })
            .collect();
        let steps: Vec<StepView<'a>> = links
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| StepView {
                n: i + 1,
                page: self.link(s.page),
                note: s.note.as_deref(),
                duration: site.pages[s.page].fm.duration.as_deref(),
            })
            .collect();
        let step_of = links
            .step_of
            .iter()
            .map(|s| {
                let all = &site.links[s.playbook].steps;
                StepNav {
                    playbook: self.link(s.playbook),
                    n: s.index + 1,
                    m: all.len(),
                    prev: s.index.checked_sub(1).map(|i| self.link(all[i].page)),
                    next: all.get(s.index + 1).map(|st| self.link(st.page)),
                }
            })
            .collect();
        PageView {
            kind: p.kind,
            key: &p.key,
            title: &p.title,
            summary: fm.summary.as_deref(),
            url: self.url(&p.url),
            permalink: self.permalink(&p.url),
            source_path: &p.content_path,
            date: fm.date.as_ref().map(|d| date_string(d.get_ref())),
            draft: fm.draft,
            tags: terms(Taxonomy::Tags, &fm.tags),
            roles: terms(Taxonomy::Roles, &fm.roles),
            events: terms(Taxonomy::Events, &fm.events),
            authors: &fm.authors,
            source: fm.source.as_deref(),
            edit_url,
            aliases: fm.aliases.iter().map(|a| a.get_ref().as_str()).collect(),
            purpose: fm.purpose.as_ref().map(|s| s.get_ref().as_str()),
            when: fm.when.as_deref(),
            instead_of: fm.instead_of.as_deref(),
            follow_ups: &fm.follow_ups,
            duration: fm.duration.as_deref(),
            prep: fm.prep.as_deref(),
            group_size: fm.group_size.as_deref(),
            difficulty: fm.difficulty,
            formats: &fm.formats,
            participants: &fm.participants,
            materials: &fm.materials,
            quote: fm.quote.as_deref(),
            quote_by: fm.quote_by.as_deref(),
            context: fm.context.as_deref(),
            intervention: fm.intervention.as_deref(),
            outcomes,
            total_duration: total_duration(&steps),
            steps,
            sections: self.sections(p.kind, &links.connected),
            step_of,
            extra: &fm.extra,
        }
    }

    /// Linked pages grouped by kind, each group titled for the page that shows it.
    fn sections(&self, viewer: Kind, connected: &[(PageId, Relation)]) -> Vec<LinkSection<'a>> {
        let mut out = Vec::new();
        for kind in Kind::ALL {
            let pages: Vec<PageLink<'a>> = connected
                .iter()
                .filter(|(id, _)| self.site.pages[*id].kind == kind)
                .map(|(id, _)| self.link(*id))
                .collect();
            if pages.is_empty() {
                continue;
            }
            out.push(LinkSection {
                title: section_title(viewer, kind).to_string(),
                pages,
            });
        }
        out
    }
}

/// The heading of a group of linked pages, as the viewing page's reader expects it.
fn section_title(viewer: Kind, linked: Kind) -> String {
    use Kind::*;
    match (viewer, linked) {
        (Prompt, Tool) => "Tools that support it".into(),
        (Tool, Prompt) => "Prompts that use this tool".into(),
        (Story, Prompt) => "Prompts used".into(),
        (Story, Tool) => "Tools used".into(),
        (Story, Takeaway) => "Takeaways drawn from this story".into(),
        (Takeaway, Story) => "The stories behind it".into(),
        (_, Story) => "Used in these stories".into(),
        (_, Takeaway) => "Takeaways".into(),
        (a, b) if a == b => format!("Related {}", b.plural_label().to_lowercase()),
        (_, b) => b.plural_label().to_string(),
    }
}

/// The sum of the steps' durations that can be read as minutes, as "1 h 30 min" or
/// "1–2 h"; `None` when no step has one.
fn total_duration(steps: &[StepView<'_>]) -> Option<String> {
    let mut lo = 0;
    let mut hi = 0;
    let mut any = false;
    for s in steps {
        if let Some((a, b)) = s.duration.and_then(super::lists::minutes_range) {
            lo += a;
            hi += b;
            any = true;
        }
    }
    if !any {
        return None;
    }
    let fmt = |m: u32| {
        if m < 60 {
            format!("{m} min")
        } else if m.is_multiple_of(60) {
            format!("{} h", m / 60)
        } else {
            format!("{} h {} min", m / 60, m % 60)
        }
    };
    Some(if lo == hi {
        fmt(lo)
    } else {
        format!("{}–{}", fmt(lo), fmt(hi))
    })
}

/// A TOML date as `2026-11-23` (the date part of a date-time).
pub fn date_string(d: &toml::value::Datetime) -> String {
    match &d.date {
        Some(date) => format!("{:04}-{:02}-{:02}", date.year, date.month, date.day),
        None => d.to_string(),
    }
}

/// Headings for a table of contents: levels 2 and 3 only.
pub fn toc(headings: &[Heading]) -> Vec<&Heading> {
    headings
        .iter()
        .filter(|h| h.level == 2 || h.level == 3)
        .collect()
}
