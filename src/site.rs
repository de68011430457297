//! Assembly: pages by kind and key, references resolved (declared on either side, shown
//! on both), playbook steps, tags, roles and events, and the order of each list, all
//! computed once so no page's rendering scans the whole site.

use crate::FastMap;
use crate::config::Config;
use crate::content::{Asset, Content, Kind, Page, Role};
use crate::diagnostic::{Diagnostic, closest, closest_path, file_stem};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use toml::Spanned;

/// A front matter list of references: key, values, the kind it names, the relation.
type RefList<'a> = (&'a str, &'a Vec<Spanned<String>>, Option<Kind>, Relation);

/// The front matter's references, resolved: page to page with their relation, and each
/// playbook's steps.
struct References {
    edges: Vec<(PageId, PageId, Relation)>,
    steps: Vec<(PageId, Vec<ResolvedStep>)>,
}

/// Index of a page in [`Site::pages`].
pub type PageId = usize;

/// How two pages are linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Relation {
    /// Through `tools`, `prompts` or `stories`: one uses or backs the other.
    Uses,
    /// Through `related`.
    Related,
}

/// A playbook a page is a step of.
#[derive(Debug, Clone, Copy)]
pub struct StepOf {
    /// The playbook.
    pub playbook: PageId,
    /// Zero-based position in its steps.
    pub index: usize,
}

/// A resolved playbook step.
#[derive(Debug, Clone)]
pub struct ResolvedStep {
    /// The page of this step.
    pub page: PageId,
    /// What to do at this step.
    pub note: Option<String>,
}

/// Everything one page links to or is linked from.
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// Pages linked either way, each once, with how.
    pub connected: Vec<(PageId, Relation)>,
    /// For a playbook: its steps in order.
    pub steps: Vec<ResolvedStep>,
    /// The playbooks this page is a step of.
    pub step_of: Vec<StepOf>,
}

/// A tag, role or event with the pages that carry it.
#[derive(Debug, Clone)]
pub struct Term {
    /// As written.
    pub name: String,
    /// URL segment.
    pub slug: String,
    /// Pages carrying it, in site order.
    pub pages: Vec<PageId>,
}

/// The three taxonomies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Taxonomy {
    /// Free topics.
    Tags,
    /// Who it is for.
    Roles,
    /// Where in the cycle.
    Events,
}

impl Taxonomy {
    /// All three, in display order.
    pub const ALL: [Taxonomy; 3] = [Taxonomy::Roles, Taxonomy::Events, Taxonomy::Tags];

    /// The URL folder and front matter key: `tags`, `roles`, `events`.
    pub fn folder(self) -> &'static str {
        match self {
            Taxonomy::Tags => "tags",
            Taxonomy::Roles => "roles",
            Taxonomy::Events => "events",
        }
    }

    /// The heading of its overview page.
    pub fn label(self) -> &'static str {
        match self {
            Taxonomy::Tags => "Tags",
            Taxonomy::Roles => "Roles",
            Taxonomy::Events => "Events",
        }
    }
}

/// The assembled site.
#[derive(Debug)]
pub struct Site {
    /// The configuration.
    pub config: Config,
    /// Every page, home and index texts included.
    pub pages: Vec<Page>,
    /// Links of each page, by the same index.
    pub links: Vec<Links>,
    /// Regular pages of each kind, in order (weight, then title).
    pub by_kind: BTreeMap<Kind, Vec<PageId>>,
    /// Free pages, in order.
    pub free_pages: Vec<PageId>,
    /// Terms of each taxonomy by slug.
    pub taxonomies: BTreeMap<Taxonomy, BTreeMap<String, Term>>,
    /// Page by its key (`prompts/remove-one`).
    pub by_key: FastMap<String, PageId>,
    /// Page by its path under `content/` (`prompts/remove-one.md`).
    pub by_content_path: FastMap<String, PageId>,
    /// The home page's own text, if any.
    pub home: Option<PageId>,
    /// The text above each kind's index, if any.
    pub kind_intro: HashMap<Kind, PageId>,
    /// Files copied as they are.
    pub assets: Vec<Asset>,
    /// Keys of drafts left out.
    pub skipped_drafts: Vec<String>,
    /// Paths under `content/` of Markdown files left out for errors of their own:
    /// links to them are not reported again.
    pub unreadable_paths: HashSet<String>,
    /// Their keys: references to them are not reported again.
    unreadable_keys: HashSet<String>,
    /// Pages by file name (the key's last segment), made at the first dangling
    /// reference: a page of that name elsewhere is the likeliest fix of one.
    by_name: std::sync::OnceLock<HashMap<String, Vec<PageId>>>,
}

impl Drop for Site {
    fn drop(&mut self) {
        crate::drop_on_every_core(std::mem::take(&mut self.pages));
    }
}

impl Site {
    /// Assembles the site from content, reporting dangling references and values outside
    /// the vocabularies.
    pub fn assemble(config: Config, content: Content) -> (Site, Vec<Diagnostic>) {
        let Content {
            pages,
            assets,
            skipped_drafts,
            unreadable,
        } = content;
        let mut diags = Vec::new();
        let mut by_key = FastMap::with_capacity_and_hasher(pages.len(), Default::default());
        let mut by_content_path =
            FastMap::with_capacity_and_hasher(pages.len(), Default::default());
        let mut home = None;
        let mut kind_intro = HashMap::new();
        for (id, p) in pages.iter().enumerate() {
            by_content_path.insert(p.content_path.clone(), id);
            match p.role {
                Role::Home => home = Some(id),
                Role::KindIndex(k) => {
                    kind_intro.insert(k, id);
                }
                Role::Regular => {
                    by_key.insert(p.key.clone(), id);
                }
            }
        }
        let mut site = Site {
            links: vec![Links::default(); pages.len()],
            pages,
            config,
            by_kind: BTreeMap::new(),
            free_pages: Vec::new(),
            taxonomies: BTreeMap::new(),
            by_key,
            by_content_path,
            home,
            kind_intro,
            assets,
            skipped_drafts,
            unreadable_keys: unreadable.iter().map(|u| u.key.clone()).collect(),
            unreadable_paths: unreadable.into_iter().map(|u| u.content_path).collect(),
            by_name: std::sync::OnceLock::new(),
        };
        site.order();
        let rank = site.site_order();
        // References and terms are read from the pages side by side: assemble is the
        // one phase of a build that runs on one core.
        let ((references, reference_diags), (taxonomies, term_diags)) = rayon::join(
            || {
                let mut d = Vec::new();
                (site.references(&mut d), d)
            },
            || {
                let mut d = Vec::new();
                (site.taxonomies_of_pages(&rank, &mut d), d)
            },
        );
        site.link(references, &rank);
        site.taxonomies = taxonomies;
        diags.extend(reference_diags);
        diags.extend(term_diags);
        (site, diags)
    }

    /// Sorts each kind's pages by weight (pages without one last), then title.
    fn order(&mut self) {
        let mut ids: Vec<PageId> = (0..self.pages.len())
            .filter(|&i| self.pages[i].role == Role::Regular)
            .collect();
        ids.sort_by_cached_key(|&i| {
            let p = &self.pages[i];
            (
                p.fm.weight.is_none(),
                p.fm.weight.unwrap_or(0),
                p.title.to_lowercase(),
                p.key.clone(),
            )
        });
        for i in ids {
            let k = self.pages[i].kind;
            if k == Kind::Page {
                self.free_pages.push(i);
            } else {
                self.by_kind.entry(k).or_default().push(i);
            }
        }
    }

    /// Resolves a reference written in front matter. `expected` is the kind a key names
    /// (`tools` → tool), in which a bare slug is accepted. The error is the message and
    /// its help, or `None` when the page exists but was left out for errors of its own,
    /// which already say what to fix.
    fn resolve(
        &self,
        raw: &str,
        expected: Option<Kind>,
    ) -> Result<PageId, Option<(String, String)>> {
        let r = raw.trim().trim_start_matches("./").trim_matches('/');
        let r = r.strip_suffix(".md").unwrap_or(r);
        let key = match expected {
            Some(k) if !r.contains('/') => format!("{}/{r}", k.folder().unwrap_or_default()),
            _ => r.to_string(),
        };
        if let Some(&id) = self.by_key.get(&key) {
            return Ok(id);
        }
        if self.unreadable_keys.contains(&key) {
            return Err(None);
        }
        let message = format!("no page `{key}` for reference `{raw}`");
        if self.skipped_drafts.contains(&key) {
            return Err(Some((
                message,
                format!(
                    "`{key}` is a draft: build with `--drafts`, or publish it by removing `draft = true`"
                ),
            )));
        }
        let of_kind = |id: &PageId| expected.is_none_or(|k| self.pages[*id].kind == k);
        // Pages of that file name, of any kind, sorted: the likeliest meant, found by
        // one lookup (a renamed folder leaves thousands of references dangling).
        let by_name = self.by_name.get_or_init(|| {
            let mut map: HashMap<String, Vec<PageId>> = HashMap::new();
            for (k, &id) in &self.by_key {
                map.entry(file_stem(k).to_string()).or_default().push(id);
            }
            for ids in map.values_mut() {
                ids.sort_by(|a, b| self.pages[*a].key.cmp(&self.pages[*b].key));
            }
            map
        });
        let same_name = by_name.get(file_stem(&key)).map_or(&[][..], Vec::as_slice);
        let suggestion = match same_name.iter().find(|id| of_kind(id)) {
            Some(&id) => Some(self.pages[id].key.as_str()),
            // Closest by file name: every candidate shares the kind's folder.
            None => closest_path(
                &key,
                self.by_key
                    .iter()
                    .filter(|(_, id)| of_kind(id))
                    .map(|(k, _)| k.as_str()),
            ),
        };
        // A page of another kind with that name: moved out of its kind's folder.
        let elsewhere = same_name.first().map(|&id| &self.pages[id]);
        let help = match (suggestion, expected.zip(elsewhere)) {
            (Some(c), _) => format!("did you mean `{c}`?"),
            (None, Some((k, other))) => format!(
                "`{}` has that name, but it is a {}, not a {}: move it into `content/{}/`, or remove it from this list",
                other.key,
                other.kind.name(),
                k.name(),
                k.folder().unwrap_or_default()
            ),
            // A reference written as it should be, to a page that is not there (deleted,
            // or not written yet): the form is not the problem.
            (None, None)
                if key.split_once('/').is_some_and(|(folder, name)| {
                    Kind::from_folder(folder).is_some()
                        && expected.is_none_or(|k| k.folder() == Some(folder))
                        && !name.is_empty()
                        && !name.contains('/')
                }) =>
            {
                format!("there is no `content/{key}.md`: create the page, or remove this reference")
            }
            (None, None) => match expected {
                Some(k) => format!(
                    "refer to a page as `{}/<file name without .md>`; it must exist in `content/{}/`",
                    k.folder().unwrap_or_default(),
                    k.folder().unwrap_or_default()
                ),
                None => "refer to a page as `<kind folder>/<file name without .md>`, e.g. `tools/story-mapping`".into(),
            },
        };
        Err(Some((message, help)))
    }

    /// Every reference of the pages' front matter (tools, prompts, stories, related,
    /// steps), resolved; the dangling ones go into `diags`.
    fn references(&self, diags: &mut Vec<Diagnostic>) -> References {
        let mut edges: Vec<(PageId, PageId, Relation)> = Vec::new();
        let mut steps: Vec<(PageId, Vec<ResolvedStep>)> = Vec::new();
        for id in 0..self.pages.len() {
            let p = &self.pages[id];
            if p.role != Role::Regular {
                continue;
            }
            let off = p.fm_offset;
            let lists: [RefList<'_>; 4] = [
                ("tools", &p.fm.tools, Some(Kind::Tool), Relation::Uses),
                ("prompts", &p.fm.prompts, Some(Kind::Prompt), Relation::Uses),
                ("stories", &p.fm.stories, Some(Kind::Story), Relation::Uses),
                ("related", &p.fm.related, None, Relation::Related),
            ];
            for (key, list, expected, rel) in lists {
                for r in list {
                    let span = r.span().start + off..r.span().end + off;
                    match self.resolve(r.get_ref(), expected) {
                        Ok(t) if t == id => diags.push(
                            Diagnostic::error(format!("`{key}` refers to the page itself"))
                                .at(&p.source, span)
                                .with_help("remove this reference"),
                        ),
                        Ok(t) => edges.push((id, t, rel)),
                        Err(None) => {}
                        Err(Some((m, h))) => diags.push(
                            Diagnostic::error(format!("dangling reference in `{key}`: {m}"))
                                .at(&p.source, span)
                                .with_help(h),
                        ),
                    }
                }
            }
            let mut resolved = Vec::new();
            for (n, s) in p.steps.iter().enumerate() {
                match self.resolve(&s.target, None) {
                    Ok(t) if t == id => diags.push(
                        Diagnostic::error("a playbook cannot be a step of itself")
                            .at(&p.source, s.span.clone())
                            .with_help("remove this step"),
                    ),
                    Ok(t) => resolved.push(ResolvedStep {
                        page: t,
                        note: s.note.clone(),
                    }),
                    Err(None) => {}
                    Err(Some((m, h))) => {
                        let h = if !s.target.contains('/') {
                            format!(
                                "a step needs the full reference with its folder, e.g. `tools/{}`; {h}",
                                s.target
                            )
                        } else {
                            h
                        };
                        diags.push(
                            Diagnostic::error(format!("dangling reference in step {}: {m}", n + 1))
                                .at(&p.source, s.span.clone())
                                .with_help(h),
                        )
                    }
                }
            }
            if p.kind == Kind::Playbook && p.fm.steps.as_ref().is_some_and(|s| s.is_empty()) {
                diags.push(
                    Diagnostic::warning("this playbook has no steps yet")
                        .at(&p.source, off.saturating_sub(4)..off.saturating_sub(1))
                        .with_help(
                            "list the pages of the path: `steps = [\"prompts/…\", { ref = \"tools/…\", note = \"…\" }]`",
                        ),
                );
            }
            if !resolved.is_empty() {
                steps.push((id, resolved));
            }
        }
        References { edges, steps }
    }

    /// Gives each page its links from the resolved `references`, in site order (`rank`,
    /// from [`Site::site_order`]).
    fn link(&mut self, references: References, rank: &[usize]) {
        let References { edges, steps } = references;
        // Declared on either side, shown on both: each edge goes into both pages' lists.
        let mut seen: BTreeSet<(PageId, PageId)> = BTreeSet::new();
        for (a, b, rel) in edges {
            if seen.insert((a, b)) {
                self.links[a].connected.push((b, rel));
            }
            if seen.insert((b, a)) {
                self.links[b].connected.push((a, rel));
            }
        }
        for l in &mut self.links {
            l.connected.sort_by_key(|(id, _)| rank[*id]);
        }
        for (pb, list) in steps {
            for (index, s) in list.iter().enumerate() {
                self.links[s.page].step_of.push(StepOf {
                    playbook: pb,
                    index,
                });
            }
            self.links[pb].steps = list;
        }
    }

    /// Each page's position in site order (kind, then weight and title).
    pub fn site_order(&self) -> Vec<usize> {
        let mut rank = vec![usize::MAX; self.pages.len()];
        let mut n = 0;
        for ids in self
            .by_kind
            .values()
            .chain(std::iter::once(&self.free_pages))
        {
            for &id in ids {
                rank[id] = n;
                n += 1;
            }
        }
        rank
    }

    /// The tags, roles and events of the pages, each term with its pages in site
    /// order (`rank`, from [`Site::site_order`]); values outside the vocabulary go into
    /// `diags`.
    fn taxonomies_of_pages(
        &self,
        rank: &[usize],
        diags: &mut Vec<Diagnostic>,
    ) -> BTreeMap<Taxonomy, BTreeMap<String, Term>> {
        let mut order: Vec<PageId> = (0..self.pages.len())
            .filter(|&i| self.pages[i].role == Role::Regular)
            .collect();
        order.sort_by_key(|&i| rank[i]);
        let mut taxonomies: BTreeMap<Taxonomy, BTreeMap<String, Term>> = BTreeMap::new();
        for id in order {
            let p = &self.pages[id];
            let off = p.fm_offset;
            for tax in Taxonomy::ALL {
                let (values, vocab) = match tax {
                    Taxonomy::Tags => (&p.fm.tags, None),
                    Taxonomy::Roles => (&p.fm.roles, Some(&self.config.vocabulary.roles)),
                    Taxonomy::Events => (&p.fm.events, Some(&self.config.vocabulary.events)),
                };
                for v in values {
                    let name = v.get_ref().trim();
                    let span = v.span().start + off..v.span().end + off;
                    if let Some(vocab) = vocab
                        && !vocab.iter().any(|x| x == name)
                    {
                        let key = tax.folder();
                        let help = closest(name, vocab.iter().map(String::as_str))
                                .map(|c| format!("did you mean `{c}`?"))
                                .unwrap_or_else(|| {
                                    format!(
                                        "use one of {}, or add `{name}` to `[vocabulary] {key}` in book.toml",
                                        vocab.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", ")
                                    )
                                });
                        diags.push(
                            Diagnostic::error(format!(
                                "`{name}` is not in the {} vocabulary",
                                &key[..key.len() - 1]
                            ))
                            .at(&p.source, span)
                            .with_help(help),
                        );
                        continue;
                    }
                    let slug = crate::content::slugify(name);
                    if slug.is_empty() {
                        diags.push(
                            Diagnostic::error(format!("empty value in `{}`", tax.folder()))
                                .at(&p.source, span)
                                .with_help("remove it, or write a word"),
                        );
                        continue;
                    }
                    // The slug is copied for a new term only.
                    let terms = taxonomies.entry(tax).or_default();
                    match terms.get_mut(&slug) {
                        Some(term) => {
                            if term.pages.last() != Some(&id) {
                                term.pages.push(id);
                            }
                        }
                        None => {
                            terms.insert(
                                slug.clone(),
                                Term {
                                    name: name.to_string(),
                                    slug,
                                    pages: vec![id],
                                },
                            );
                        }
                    }
                }
            }
        }
        taxonomies
    }

    /// Regular pages (not home or index texts), in site order.
    pub fn regular_pages(&self) -> impl Iterator<Item = PageId> + '_ {
        self.by_kind
            .values()
            .flatten()
            .chain(self.free_pages.iter())
            .copied()
    }
}
