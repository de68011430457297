//! Render: Markdown bodies to HTML, then every file of the published site — pages of
//! each kind, kind indexes, tag, role and event pages, home, search, 404, sitemap, feed,
//! `playbook.json`, alias redirects, the theme's static files and content assets.

pub mod cache;
pub mod chart;
pub mod feeds;
mod fragments;
pub mod lean_json;
pub mod lists;
pub mod theme;
pub mod view;

use crate::content::{Kind, Role};
use crate::diagnostic::{Diagnostic, DisplayPath, closest};
use crate::markdown::{self, Heading, LinkTargets, Rendered};
use crate::output::{Body, Output};
use crate::site::{PageId, Site, Taxonomy};
use lists::ListView;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
pub use theme::Theme;
use view::{PageLink, PageView, Views};

/// What every template sees as `site`.
#[derive(Debug, Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    base_url: &'a str,
    base_path: &'a str,
    search: bool,
    kinds: Vec<KindLink>,
    extra: &'a toml::Table,
    generator: String,
}

#[derive(Debug, Serialize)]
struct KindLink {
    kind: Kind,
    label: &'static str,
    url: String,
    count: usize,
}

#[derive(Debug, Serialize)]
struct Crumb {
    title: String,
    url: String,
}

/// A rendered (or reused) HTML file, with the fingerprint of its inputs.
struct RenderedFile {
    path: String,
    fp: u64,
    result: Result<Arc<Vec<u8>>, Diagnostic>,
    reused: bool,
}

/// Writes a rendered file straight into the staging folder when there is one (a build
/// to disk), so its bytes need not stay in memory until the end.
fn stage(file: RenderedFile, staging: Option<&Path>) -> RenderedFile {
    match (staging, &file.result) {
        (Some(dir), Ok(bytes)) => match crate::output::write_staged(dir, &file.path, bytes) {
            Ok(()) => RenderedFile {
                result: Ok(Arc::new(Vec::new())),
                reused: false,
                fp: WRITTEN,
                ..file
            },
            Err(e) => RenderedFile {
                result: Err(
                    Diagnostic::error(format!("cannot write `{}`: {e}", file.path)).with_help(
                        "check the free space and permissions of the output folder's parent",
                    ),
                ),
                ..file
            },
        },
        _ => file,
    }
}

/// Reuses the cached bytes of `path` when its fingerprint `fp` (present only with a
/// cache) matches the last build's; otherwise renders it and, in a build to disk,
/// writes it to the staging folder.
fn reuse_or_render(
    path: String,
    fp: Option<u64>,
    cached: Option<&cache::RenderCache>,
    staging: Option<&Path>,
    render: impl FnOnce() -> Result<Vec<u8>, Diagnostic>,
) -> RenderedFile {
    if let Some(fp) = fp
        && let Some(bytes) = reusable(cached, &path, fp)
    {
        return RenderedFile {
            path,
            fp,
            result: Ok(bytes.clone()),
            reused: true,
        };
    }
    let result = render().map(Arc::new);
    stage(
        RenderedFile {
            path,
            fp: fp.unwrap_or(0),
            result,
            reused: false,
        },
        staging,
    )
}

/// The last build's bytes of `path`, when they were made from the same inputs (`fp`).
fn reusable<'c>(
    cached: Option<&'c cache::RenderCache>,
    path: &str,
    fp: u64,
) -> Option<&'c Arc<Vec<u8>>> {
    cached?
        .files
        .get(path)
        .and_then(|(k, bytes)| (*k == fp).then_some(bytes))
}

/// The fingerprint of a file already written to the staging folder.
const WRITTEN: u64 = u64::MAX;

impl RenderedFile {
    /// Puts the file into the output, the sitemap and the next build's cache.
    fn collect(
        self,
        cache: &mut Option<&mut cache::RenderCache>,
        file_cache: &mut HashMap<String, (u64, Arc<Vec<u8>>)>,
        sitemap: &mut Vec<String>,
        out: &mut Output,
        diags: &mut Vec<Diagnostic>,
    ) {
        match self.result {
            Ok(bytes) => {
                if let Some(c) = cache.as_deref_mut() {
                    if self.reused {
                        c.reused += 1;
                    } else {
                        c.rendered += 1;
                    }
                    file_cache.insert(self.path.clone(), (self.fp, bytes.clone()));
                }
                sitemap.push(self.path.trim_end_matches("index.html").to_string());
                if self.fp == WRITTEN {
                    out.insert(self.path, Body::Written);
                } else {
                    out.insert(self.path, Body::Shared(bytes));
                }
            }
            Err(d) => diags.push(d),
        }
    }
}

/// A page's Markdown as HTML, with the problems of its links.
/// The plain text is kept only for the search index (`search`).
fn render_markdown(
    p: &crate::content::Page,
    targets: &LinkTargets<'_>,
    search: bool,
) -> (Rendered, Vec<Diagnostic>) {
    let mut d = Vec::new();
    let r = markdown::render(
        p.body_text(),
        p.body.start,
        &p.source,
        &p.content_path,
        targets,
        search,
        &mut d,
    );
    (r, d)
}

/// The cache key of a page's Markdown: its body, where it starts, its file, where
/// links may point and whether search keeps the plain text (`targets_fp`).
fn markdown_key(p: &crate::content::Page, targets_fp: u64) -> u64 {
    cache::combine(&(p.body_text(), p.body.start, &p.source.path, targets_fp))
}

/// What the pass over one page leaves: its Markdown (the HTML body only where another
/// file shows it, or for the serve cache), the diagnostics, the Markdown's cache key and
/// the page's file (`None` for the home page and kind intros).
struct PagePass {
    markdown: Rendered,
    diags: Vec<Diagnostic>,
    key: u64,
    file: Option<RenderedFile>,
}

/// Renders a page of any kind into its file, or reuses the cached file when nothing it
/// shows changed.
#[allow(clippy::too_many_arguments)]
fn render_page(
    site: &Site,
    views: &Views<'_>,
    theme: &Theme,
    base_ctx: &tera::Context,
    id: PageId,
    v: &PageView<'_>,
    md: &Rendered,
    shared_fp: Option<u64>,
    cached: Option<&cache::RenderCache>,
    staging: Option<&Path>,
) -> RenderedFile {
    let p = &site.pages[id];
    let path = format!("{}index.html", p.url);
    let template = match p.kind {
        Kind::Prompt => "prompt.html",
        Kind::Tool => "tool.html",
        Kind::Story => "story.html",
        Kind::Takeaway => "takeaway.html",
        Kind::Playbook => "playbook.html",
        Kind::Page => "page.html",
    };
    let toc = view::toc(&md.headings);
    let mut crumbs = vec![Crumb {
        title: "Home".into(),
        url: views.url(""),
    }];
    if let Some(f) = p.kind.folder() {
        crumbs.push(Crumb {
            title: p.kind.plural_label().into(),
            url: views.url(&format!("{f}/")),
        });
    }
    let fp = shared_fp.map_or(0, |s| {
        cache::combine(&(
            s,
            template,
            cache::fingerprint(v),
            &md.html,
            cache::fingerprint(&toc),
            cache::fingerprint(&crumbs),
        ))
    });
    reuse_or_render(path, shared_fp.map(|_| fp), cached, staging, || {
        let mut ctx = base_ctx.clone();
        ctx.insert("page", v);
        ctx.insert("content", &md.html);
        ctx.insert("toc", &toc);
        ctx.insert_value("toc_html", tera::Value::safe_string(&fragments::toc(&toc)));
        ctx.insert_value(
            "terms_html",
            tera::Value::safe_string(&fragments::terms(&v.roles, &v.events, &v.tags)),
        );
        ctx.insert("breadcrumbs", &crumbs);
        // Room for the body and the page around it: the page is written without growing.
        render_template_into(theme, template, &ctx, md.html.len() + PAGE_AROUND_BODY)
    })
}

/// A list page to render: a kind index or a tag, role or event page.
struct ListJob<'a> {
    path: String,
    title: String,
    kind: Option<Kind>,
    taxonomy: Option<&'static str>,
    intro: Option<String>,
    ids: &'a [PageId],
    crumbs: Vec<Crumb>,
}

#[derive(Debug, Serialize)]
struct TermView<'a> {
    name: &'a str,
    url: String,
    count: usize,
}

#[derive(Debug, Serialize)]
struct HomeSection<'a> {
    kind: KindLink,
    pages: Vec<PageLink<'a>>,
}

/// Renders the whole site into an Output, with every diagnostic found on the way
/// (links, anchors, aliases, templates).
pub fn render_site(
    site: &Site,
    theme: &Theme,
    timings: &mut crate::Timings,
    mut cache: Option<&mut cache::RenderCache>,
    staging: Option<&Path>,
    defer_search: bool,
) -> (Output, Vec<Diagnostic>, Option<DeferredSearch>) {
    let base_path = site.config.base_path();
    let views = Views::new(site);
    let mut diags = Vec::new();

    // Where links may point.
    let mut page_urls: HashMap<String, String> = HashMap::new();
    let mut folders: HashMap<String, String> = HashMap::new();
    for p in &site.pages {
        page_urls.insert(p.content_path.clone(), p.url.clone());
        if matches!(p.role, Role::KindIndex(_)) || p.content_path.ends_with("/_index.md") {
            let dir = p.content_path.trim_end_matches("/_index.md").to_string();
            folders.insert(dir, p.url.clone());
        }
    }
    for k in Kind::WITH_FOLDER {
        let f = k.folder().unwrap_or_default();
        folders.insert(f.to_string(), format!("{f}/"));
    }
    folders.insert(String::new(), String::new());
    let assets: HashSet<String> = site.assets.iter().map(|a| a.rel.clone()).collect();
    let drafts: HashSet<String> = site
        .skipped_drafts
        .iter()
        .map(|k| format!("{k}.md"))
        .collect();
    let targets = LinkTargets {
        pages: &page_urls,
        assets: &assets,
        folders: &folders,
        drafts: &drafts,
        unreadable: &site.unreadable_paths,
        base_path,
    };

    let site_view = SiteView {
        title: &site.config.title,
        description: &site.config.description,
        language: &site.config.language,
        base_url: &site.config.base_url,
        base_path,
        search: site.config.search.enabled,
        kinds: Kind::WITH_FOLDER
            .into_iter()
            .map(|k| kind_link(site, &views, k))
            .collect(),
        extra: &site.config.extra,
        generator: format!("playbook {}", env!("CARGO_PKG_VERSION")),
    };
    let mut site_value = tera::Value::from_serializable(&site_view)
        .into_map()
        .unwrap_or_default();
    site_value.insert(
        "nav_html".into(),
        tera::Value::safe_string(&fragments::nav(&site_view.kinds)),
    );
    let mut base_ctx = tera::Context::new();
    base_ctx.insert_value("site", tera::Value::from(site_value));

    let mut out = match staging {
        Some(dir) => Output::staged(dir.to_path_buf()),
        None => Output::new(),
    };
    let mut sitemap_urls: Vec<String> = Vec::new();

    // Markdown and the page around it in one pass on every core: each page's HTML body
    // goes into its page file (written at once in a build to disk) and is dropped, so
    // the bodies of 10,000 pages are never all in memory. With a cache, only what
    // changed since the last build is rendered again.
    let t = std::time::Instant::now();
    let targets_fp = cache.as_ref().map(|_| {
        let mut urls: Vec<(&String, &String)> = page_urls.iter().collect();
        urls.sort();
        let mut dirs: Vec<(&String, &String)> = folders.iter().collect();
        dirs.sort();
        let mut files: Vec<&String> = assets.iter().collect();
        files.sort();
        let mut dr: Vec<&String> = drafts.iter().collect();
        dr.sort();
        cache::combine(&(urls, dirs, files, dr, base_path, site.config.search.enabled))
    });
    let ids: Vec<PageId> = site.regular_pages().collect();
    let page_views: Vec<(PageId, PageView<'_>)> =
        ids.par_iter().map(|&id| (id, views.page(id))).collect();
    let mut view_of: Vec<Option<usize>> = vec![None; site.pages.len()];
    for (i, (id, _)) in page_views.iter().enumerate() {
        view_of[*id] = Some(i);
    }
    let shared_fp = cache
        .as_ref()
        .map(|_| cache::combine(&(theme.fingerprint, cache::fingerprint(&site_view))));
    let keep_html = cache.is_some();
    let search = site.config.search.enabled;
    let cached = cache.as_deref();
    timings.begin("Rendering pages", site.pages.len());
    let timings_ref = &*timings;
    let rendered: Vec<PagePass> = (0..site.pages.len())
        .into_par_iter()
        .with_max_len(crate::PAGES_PER_TASK)
        .map(|id| {
            let p = &site.pages[id];
            let key = targets_fp.map_or(0, |fp| markdown_key(p, fp));
            let (mut r, d) = match cached.and_then(|c| c.markdown.get(&p.content_path)) {
                Some((k, r, d)) if *k == key && targets_fp.is_some() => (r.clone(), d.clone()),
                _ => render_markdown(p, &targets, search),
            };
            let file = view_of[id].map(|i| {
                render_page(
                    site,
                    &views,
                    theme,
                    &base_ctx,
                    id,
                    &page_views[i].1,
                    &r,
                    shared_fp,
                    cached,
                    staging,
                )
            });
            // Home and kind intros are shown by other files; a page's own body is done.
            if file.is_some() && !keep_html {
                r.html = String::new();
            }
            // The plain text (kept for the search index only) stays at its own size.
            if !keep_html {
                r.plain.shrink_to_fit();
            }
            timings_ref.tick();
            PagePass {
                markdown: r,
                diags: d,
                key,
                file,
            }
        })
        .collect();
    let mut html: Vec<Rendered> = Vec::with_capacity(rendered.len());
    let mut files: Vec<Option<RenderedFile>> = Vec::with_capacity(rendered.len());
    let mut md_cache = HashMap::new();
    for (pass, p) in rendered.into_iter().zip(&site.pages) {
        diags.extend(pass.diags.iter().cloned());
        if cache.is_some() {
            md_cache.insert(
                p.content_path.clone(),
                (pass.key, pass.markdown.clone(), pass.diags),
            );
        }
        html.push(pass.markdown);
        files.push(pass.file);
    }
    if let Some(c) = cache.as_deref_mut() {
        c.markdown = md_cache;
        c.rendered = 0;
        c.reused = 0;
    }
    check_anchors(site, &html, &mut diags);
    let mut file_cache = HashMap::new();
    for (id, _) in &page_views {
        if let Some(f) = files[*id].take() {
            f.collect(
                &mut cache,
                &mut file_cache,
                &mut sitemap_urls,
                &mut out,
                &mut diags,
            );
        }
    }
    timings.push("pages", t);
    let t = std::time::Instant::now();

    // Kind indexes and tag, role and event pages: lists, rendered on every core.
    let home_crumb = || Crumb {
        title: "Home".into(),
        url: views.url(""),
    };
    let mut jobs: Vec<ListJob<'_>> = Vec::new();
    for kind in Kind::WITH_FOLDER {
        let f = kind.folder().unwrap_or_default();
        jobs.push(ListJob {
            path: format!("{f}/index.html"),
            title: site
                .kind_intro
                .get(&kind)
                .and_then(|&id| site.pages[id].fm.title.as_ref())
                .map(|t| t.get_ref().clone())
                .unwrap_or_else(|| kind.plural_label().to_string()),
            kind: Some(kind),
            taxonomy: None,
            intro: site.kind_intro.get(&kind).map(|&id| html[id].html.clone()),
            ids: site.by_kind.get(&kind).map(Vec::as_slice).unwrap_or(&[]),
            crumbs: vec![home_crumb()],
        });
    }
    let mut overviews = Vec::new();
    for tax in Taxonomy::ALL {
        let folder = tax.folder();
        let mut term_views = Vec::new();
        for term in site
            .taxonomies
            .get(&tax)
            .into_iter()
            .flat_map(|t| t.values())
        {
            jobs.push(ListJob {
                path: format!("{folder}/{}/index.html", term.slug),
                title: term.name.clone(),
                kind: None,
                taxonomy: Some(folder),
                intro: None,
                ids: &term.pages,
                crumbs: vec![
                    home_crumb(),
                    Crumb {
                        title: tax.label().into(),
                        url: views.url(&format!("{folder}/")),
                    },
                ],
            });
            term_views.push(TermView {
                name: &term.name,
                url: views.url(&format!("{folder}/{}/", term.slug)),
                count: term.pages.len(),
            });
        }
        overviews.push((tax, term_views));
    }
    // A page of the content must not sit where playbook writes a generated page: the
    // generated one would silently replace it.
    let generated: Vec<String> = jobs
        .iter()
        .map(|j| j.path.clone())
        .chain(
            Taxonomy::ALL
                .iter()
                .map(|t| format!("{}/index.html", t.folder())),
        )
        .chain(["search/index.html".to_string()])
        .collect();
    let by_url: HashMap<&str, PageId> = page_views
        .iter()
        .map(|(id, _)| (site.pages[*id].url.as_str(), *id))
        .collect();
    for path in &generated {
        let url = path.trim_end_matches("index.html");
        if let Some(p) = by_url.get(url).map(|&id| &site.pages[id]) {
            diags.push(
                Diagnostic::error(format!(
                    "`{}` would be published at `{}{url}`, where playbook writes a page of its own",
                    DisplayPath(&p.source.path),
                    base_path
                ))
                .in_file(&p.source.path)
                .with_help(
                    "rename the file, or give it another address with `slug = \"…\"` in its front matter",
                ),
            );
        }
    }
    let cached = cache.as_deref();
    timings.begin("Rendering lists", jobs.len());
    let timings_ref = &*timings;
    // `playbook.json` (the largest file after the lists) is written on whichever core
    // the lists leave idle: their phase spent a fifth of its time on one core.
    let (rendered_lists, json) = rayon::join(
        || {
            let cards = lists::Cards::new(site, &views, &ids, cache.is_some());
            // Each list's facets count its pages' terms: on every core, in the jobs' order.
            let lists: Vec<(ListJob<'_>, ListView<'_, '_>, u64)> = jobs
                .into_par_iter()
                .map(|job| {
                    let list = ListView::new(
                        &cards,
                        job.title.clone(),
                        job.kind,
                        job.taxonomy,
                        job.intro.clone(),
                        job.ids,
                    );
                    let fp = shared_fp.map_or(0, |s| {
                        cache::combine(&(
                            s,
                            cache::fingerprint(&list),
                            cards.fingerprint(job.ids),
                            cache::fingerprint(&job.crumbs),
                        ))
                    });
                    (job, list, fp)
                })
                .collect();
            // The cards' markup, once, unless every list is reused from the last build.
            let all_reused = shared_fp.is_some()
                && lists
                    .iter()
                    .all(|(job, _, fp)| reusable(cached, &job.path, *fp).is_some());
            let card_values = if all_reused {
                Ok(None)
            } else {
                cards
                    .values(|card, value| {
                        if theme.builtin_card {
                            return Ok(fragments::card(card));
                        }
                        let render = |with_kind: bool| {
                            let mut ctx = base_ctx.clone();
                            ctx.insert_value("card", value.clone());
                            ctx.insert("with_kind", &with_kind);
                            render_template(theme, "card.html", &ctx)
                        };
                        Ok([render(false)?, render(true)?])
                    })
                    .map(Some)
            };
            let lists: Result<Vec<RenderedFile>, Diagnostic> = match &card_values {
                Err(e) => Err(e.clone()),
                Ok(values) => Ok(lists
                    .into_par_iter()
                    .map(|(job, list, fp)| {
                        timings_ref.tick();
                        reuse_or_render(job.path, shared_fp.map(|_| fp), cached, staging, || {
                            let mut ctx = base_ctx.clone();
                            let Some(values) = values else {
                                unreachable!(
                                    "a list is rendered only when not every list is reused"
                                )
                            };
                            let list = list.to_value(values, job.ids);
                            // Room for every card and the page around them: a tag page of
                            // 10,000 pages is a megabyte, copied at each doubling otherwise.
                            let cards = list
                                .get_from_path("cards")
                                .and_then(tera::Value::as_str)
                                .map_or(0, str::len);
                            ctx.insert_value("list", list);
                            ctx.insert("breadcrumbs", &job.crumbs);
                            render_template_into(theme, "list.html", &ctx, cards + PAGE_AROUND_BODY)
                        })
                    })
                    .collect()),
            };
            // The cards and their values are large and no other file needs them.
            drop(card_values);
            drop(cards);
            lists
        },
        || feeds::playbook_json(site, &views, &page_views),
    );
    match rendered_lists {
        Ok(list_pages) => {
            for f in list_pages {
                f.collect(
                    &mut cache,
                    &mut file_cache,
                    &mut sitemap_urls,
                    &mut out,
                    &mut diags,
                );
            }
        }
        Err(e) => diags.push(e),
    }
    drop(files);
    if let Some(c) = cache.as_deref_mut() {
        c.files = file_cache;
    }
    for (tax, term_views) in overviews {
        let folder = tax.folder();
        let mut ctx = base_ctx.clone();
        ctx.insert("title", tax.label());
        ctx.insert("taxonomy", folder);
        ctx.insert("terms", &term_views);
        ctx.insert("breadcrumbs", &[home_crumb()]);
        emit(
            &mut out,
            &mut diags,
            &mut sitemap_urls,
            theme,
            "terms.html",
            &ctx,
            format!("{folder}/index.html"),
        );
    }

    // Home.
    {
        let mut ctx = base_ctx.clone();
        let home = site.home.map(|id| &site.pages[id]);
        ctx.insert(
            "intro",
            &site.home.map(|id| html[id].html.as_str()).unwrap_or(""),
        );
        ctx.insert(
            "home_title",
            home.and_then(|h| h.fm.title.as_ref())
                .map_or(site.config.title.as_str(), |t| t.get_ref().as_str()),
        );
        let sections: Vec<HomeSection<'_>> = Kind::WITH_FOLDER
            .into_iter()
            .map(|k| HomeSection {
                kind: kind_link(site, &views, k),
                pages: site
                    .by_kind
                    .get(&k)
                    .map(|ids| ids.iter().take(6).map(|&id| views.link(id)).collect())
                    .unwrap_or_default(),
            })
            .filter(|s| s.kind.count > 0)
            .collect();
        ctx.insert("sections", &sections);
        let free: Vec<PageLink<'_>> = site.free_pages.iter().map(|&id| views.link(id)).collect();
        ctx.insert("free_pages", &free);
        emit(
            &mut out,
            &mut diags,
            &mut sitemap_urls,
            theme,
            "home.html",
            &ctx,
            "index.html".into(),
        );
    }

    // Search page (the index itself comes with the search issue) and 404.
    {
        let mut ctx = base_ctx.clone();
        ctx.insert(
            "breadcrumbs",
            &[Crumb {
                title: "Home".into(),
                url: views.url(""),
            }],
        );
        emit(
            &mut out,
            &mut diags,
            &mut sitemap_urls,
            theme,
            "search.html",
            &ctx,
            "search/index.html".into(),
        );
        let mut ctx404 = base_ctx.clone();
        ctx404.insert("breadcrumbs", &Vec::<Crumb>::new());
        match render_template(theme, "404.html", &ctx404) {
            Ok(s) => out.insert_text("404.html", s),
            Err(d) => diags.push(d),
        }
    }

    // Alias redirects.
    for (id, v) in &page_views {
        let p = &site.pages[*id];
        for a in &p.fm.aliases {
            let span = a.span().start + p.fm_offset..a.span().end + p.fm_offset;
            match alias_path(a.get_ref(), base_path) {
                Some(path) if out.contains(&path) => diags.push(
                    Diagnostic::error(format!(
                        "alias `{}` is already a page of the site",
                        a.get_ref()
                    ))
                    .at(&p.source, span)
                    .with_help("remove the alias; the old path still exists"),
                ),
                Some(path) => out.insert_text(path, feeds::redirect(&v.url, &v.permalink, v.title)),
                None => diags.push(
                    Diagnostic::error(format!(
                        "alias `{}` is not a path of this site",
                        a.get_ref()
                    ))
                    .at(&p.source, span)
                    .with_help(
                        "write the old path under the site, e.g. `aliases = [\"old/page-name/\"]`",
                    ),
                ),
            }
        }
    }

    timings.push("lists", t);
    // The search index, from the text already in memory.
    let t = std::time::Instant::now();
    let mut deferred = None;
    if site.config.search.enabled {
        timings.begin("Indexing for search", 0);
        let docs: Vec<crate::search::SearchDoc<'_>> = page_views
            .iter()
            .map(|(id, v)| search_doc(v, &html[*id]))
            .collect();
        if defer_search {
            deferred = Some(DeferredSearch {
                docs: docs
                    .iter()
                    .map(|d| Arc::new(OwnedDoc::from_doc(d)))
                    .collect(),
                language: site.config.language.clone(),
            });
        } else {
            for (path, bytes) in crate::search::build_index(&docs, &site.config.language) {
                out.insert(path, Body::Bytes(bytes));
            }
        }
    }

    timings.push("search index", t);
    // Machine-read files.
    let t = std::time::Instant::now();
    // The sitemap and the feed side by side (`playbook.json` came with the lists).
    let (sitemap, feed) = rayon::join(
        || feeds::sitemap(&views, &sitemap_urls),
        || feeds::atom(site, &views, &page_views),
    );
    out.insert_text("sitemap.xml", sitemap);
    out.insert_text("feed.xml", feed);
    out.insert_text("playbook.json", json);
    out.insert_text(".nojekyll", String::new());

    // Theme static files, then content files (a content file wins over the theme's).
    for (rel, f) in &theme.statics {
        let body = match f {
            theme::StaticFile::Embedded(b) => Body::Static(b),
            theme::StaticFile::OnDisk(p) => Body::Copy(p.clone()),
        };
        out.insert(rel.clone(), body);
    }
    for a in &site.assets {
        if out.contains(&a.rel) && !theme.statics.iter().any(|(r, _)| *r == a.rel) {
            // A page's own file is named with the page: the likeliest cause is an old
            // copy of the page, or a page given that file's address.
            let page = a.rel.strip_suffix("index.html").and_then(|u| by_url.get(u));
            let d = match page {
                Some(&id) => Diagnostic::error(format!(
                    "`{}` and `content/{}` would both be published at `/{}`",
                    DisplayPath(&site.pages[id].source.path),
                    a.rel,
                    a.rel
                ))
                .with_help("rename one of the files"),
                None => Diagnostic::error(format!(
                    "`content/{}` would overwrite a generated file",
                    a.rel
                ))
                .with_help("rename the file or move it into a folder of its own"),
            };
            diags.push(d.in_file(&Path::new("content").join(&a.rel)));
            continue;
        }
        out.insert(a.rel.clone(), Body::Copy(a.path.clone()));
    }
    timings.push("feeds and files", t);
    if let (Some(c), Some(targets_fp), Some(shared_fp)) = (cache, targets_fp, shared_fp) {
        let mut doc_of = vec![usize::MAX; site.pages.len()];
        for (i, (id, _)) in page_views.iter().enumerate() {
            doc_of[*id] = i;
        }
        c.incremental = Some(Incremental {
            page_urls,
            folders,
            assets,
            drafts,
            base_ctx,
            shared_fp,
            targets_fp,
            html,
            search: deferred.as_ref().map(|d| d.docs.clone()),
            doc_of,
        });
    } else {
        crate::drop_on_every_core(html);
    }
    crate::drop_on_every_core(page_views);
    (out, diags, deferred)
}

/// What `serve` keeps of its last full build to render edited page bodies again
/// without rebuilding the site: see [`rerender_bodies`].
pub struct Incremental {
    page_urls: HashMap<String, String>,
    folders: HashMap<String, String>,
    assets: HashSet<String>,
    drafts: HashSet<String>,
    base_ctx: tera::Context,
    shared_fp: u64,
    targets_fp: u64,
    /// Every page's Markdown, by page id.
    html: Vec<Rendered>,
    /// The search index's input (when deferred), in the order of `doc_of`.
    search: Option<Vec<Arc<OwnedDoc>>>,
    /// Page id → position in `search`.
    doc_of: Vec<usize>,
}

impl std::fmt::Debug for Incremental {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Incremental")
            .field("pages", &self.html.len())
            .finish_non_exhaustive()
    }
}

/// Renders again the pages `changed` whose body (and nothing else) changed: their
/// Markdown, their own page files and their search text; every link to an anchor in the
/// site is checked again. Everything else a body cannot change (lists, feeds, other
/// pages) stays as the last build left it. `site` gets the new texts. Returns the new
/// page files, the search index's new input and the pages' warnings, or the errors
/// found (with the warnings).
#[allow(clippy::type_complexity)]
pub fn rerender_bodies(
    site: &mut Site,
    theme: &Theme,
    cache: &mut cache::RenderCache,
    changed: Vec<(PageId, Arc<str>, std::ops::Range<usize>)>,
) -> Result<
    (
        Vec<(String, Arc<Vec<u8>>)>,
        Option<DeferredSearch>,
        Vec<Diagnostic>,
    ),
    Vec<Diagnostic>,
> {
    let Some(inc) = cache.incremental.as_mut() else {
        return Err(vec![Diagnostic::error("no previous build to update")]);
    };
    let ids: Vec<PageId> = changed.iter().map(|c| c.0).collect();
    for (id, text, body) in changed {
        site.pages[id].source.text = Some(text);
        site.pages[id].body = body;
    }
    let site: &Site = site;
    let targets = LinkTargets {
        pages: &inc.page_urls,
        assets: &inc.assets,
        folders: &inc.folders,
        drafts: &inc.drafts,
        // Only a build without errors is updated, so no page was left out for its own.
        unreadable: &HashSet::new(),
        base_path: site.config.base_path(),
    };
    // Warnings and errors alike: a warning does not stop the update.
    let mut diags = Vec::new();
    for &id in &ids {
        let p = &site.pages[id];
        let (r, d) = render_markdown(p, &targets, site.config.search.enabled);
        let key = markdown_key(p, inc.targets_fp);
        cache
            .markdown
            .insert(p.content_path.clone(), (key, r.clone(), d.clone()));
        diags.extend(d);
        inc.html[id] = r;
    }
    check_anchors(site, &inc.html, &mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    let views = Views::new(site);
    let mut files = Vec::new();
    for &id in &ids {
        let v = views.page(id);
        let file = render_page(
            site,
            &views,
            theme,
            &inc.base_ctx,
            id,
            &v,
            &inc.html[id],
            Some(inc.shared_fp),
            None,
            None,
        );
        match file.result {
            Ok(bytes) => {
                cache
                    .files
                    .insert(file.path.clone(), (file.fp, bytes.clone()));
                files.push((file.path, bytes));
            }
            Err(d) => diags.push(d),
        }
        if let (Some(docs), Some(&i)) = (inc.search.as_mut(), inc.doc_of.get(id))
            && i < docs.len()
        {
            docs[i] = Arc::new(OwnedDoc::from_doc(&search_doc(&v, &inc.html[id])));
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    cache.rendered = files.len();
    cache.reused = cache.files.len().saturating_sub(files.len());
    let deferred = inc.search.as_ref().map(|docs| DeferredSearch {
        docs: docs.clone(),
        language: site.config.language.clone(),
    });
    Ok((files, deferred, diags))
}

/// The search index's input, owned, so `serve` can build the index after the new pages
/// are already served: the reload never waits for it.
pub struct DeferredSearch {
    docs: Vec<Arc<OwnedDoc>>,
    language: String,
}

impl DeferredSearch {
    /// Builds the search files.
    pub fn build(&self) -> Vec<(String, Vec<u8>)> {
        let docs: Vec<crate::search::SearchDoc<'_>> =
            self.docs.iter().map(|d| d.as_doc()).collect();
        crate::search::build_index(&docs, &self.language)
    }
}

/// A [`crate::search::SearchDoc`] that owns its text.
struct OwnedDoc {
    url: String,
    kind: Kind,
    title: String,
    summary: Option<String>,
    purpose: Option<String>,
    fields: Vec<String>,
    headings: Vec<String>,
    body: String,
    roles: Vec<String>,
    events: Vec<String>,
    tags: Vec<String>,
}

impl OwnedDoc {
    fn from_doc(d: &crate::search::SearchDoc<'_>) -> OwnedDoc {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        OwnedDoc {
            url: d.url.clone(),
            kind: d.kind,
            title: d.title.to_string(),
            summary: d.summary.map(str::to_string),
            purpose: d.purpose.map(str::to_string),
            fields: own(&d.fields),
            headings: own(&d.headings),
            body: d.body.to_string(),
            roles: own(&d.roles),
            events: own(&d.events),
            tags: own(&d.tags),
        }
    }

    fn as_doc(&self) -> crate::search::SearchDoc<'_> {
        fn refs(v: &[String]) -> Vec<&str> {
            v.iter().map(String::as_str).collect()
        }
        crate::search::SearchDoc {
            url: self.url.clone(),
            kind: self.kind,
            title: &self.title,
            summary: self.summary.as_deref(),
            purpose: self.purpose.as_deref(),
            fields: refs(&self.fields),
            headings: refs(&self.headings),
            body: &self.body,
            roles: refs(&self.roles),
            events: refs(&self.events),
            tags: refs(&self.tags),
        }
    }
}

/// The text of a page for the search index, field by field.
fn search_doc<'a>(v: &'a PageView<'a>, html: &'a Rendered) -> crate::search::SearchDoc<'a> {
    let mut fields: Vec<&'a str> = Vec::new();
    fields.extend(v.when);
    fields.extend(v.instead_of);
    fields.extend(v.follow_ups.iter().map(String::as_str));
    fields.extend(v.context);
    fields.extend(v.intervention);
    fields.extend(v.quote);
    fields.extend(v.prep);
    fields.extend(v.participants.iter().map(String::as_str));
    fields.extend(v.materials.iter().map(String::as_str));
    for o in &v.outcomes {
        fields.extend(o.text);
        fields.extend(o.label);
    }
    for s in &v.steps {
        fields.extend(s.note);
    }
    crate::search::SearchDoc {
        url: v.url.clone(),
        kind: v.kind,
        title: v.title,
        summary: v.summary,
        purpose: v.purpose,
        fields,
        headings: html.headings.iter().map(|h| h.text.as_str()).collect(),
        body: &html.plain,
        roles: v.roles.iter().map(|t| t.name).collect(),
        events: v.events.iter().map(|t| t.name).collect(),
        tags: v.tags.iter().map(|t| t.name).collect(),
    }
}

fn emit(
    out: &mut Output,
    diags: &mut Vec<Diagnostic>,
    sitemap: &mut Vec<String>,
    theme: &Theme,
    template: &str,
    ctx: &tera::Context,
    path: String,
) {
    match render_template(theme, template, ctx) {
        Ok(s) => {
            sitemap.push(path.trim_end_matches("index.html").to_string());
            out.insert_text(path, s);
        }
        Err(d) => diags.push(d),
    }
}

/// Bytes of page markup around the body in the default theme, with room to spare (about
/// 5 kB at 10,000 pages: header, terms, links, table of contents).
const PAGE_AROUND_BODY: usize = 16 * 1024;

/// Renders template `name` into bytes, with room for `capacity` reserved first: Tera's
/// own `render` starts at the template's size and grows (each growth copies the page),
/// then checks the whole page is UTF-8, which its writer already ensures.
fn render_template_into(
    theme: &Theme,
    name: &str,
    ctx: &tera::Context,
    capacity: usize,
) -> Result<Vec<u8>, Diagnostic> {
    let mut out = Vec::with_capacity(capacity);
    theme
        .tera
        .render_to(name, ctx, &mut out)
        .map_err(|e| template_failed(name, &e))?;
    Ok(out)
}

/// The error of template `name` that failed with `e`.
fn template_failed(name: &str, e: &tera::Error) -> Diagnostic {
    Diagnostic::error(format!("template `{name}` failed to render")).with_help(
        e.to_string()
            .lines()
            .map(|l| format!("{l}\n    "))
            .collect::<String>()
            .trim_end()
            .to_string(),
    )
}

fn render_template(theme: &Theme, name: &str, ctx: &tera::Context) -> Result<String, Diagnostic> {
    theme
        .tera
        .render(name, ctx)
        .map_err(|e| template_failed(name, &e))
}

fn kind_link(site: &Site, views: &Views<'_>, k: Kind) -> KindLink {
    KindLink {
        kind: k,
        label: k.plural_label(),
        url: views.url(&format!("{}/", k.folder().unwrap_or_default())),
        count: site.by_kind.get(&k).map_or(0, Vec::len),
    }
}

/// The output path of an alias: `old/page/` → `old/page/index.html`; `old.html` as is.
/// A base path written in front is dropped. `None` for paths that leave the site.
fn alias_path(alias: &str, base_path: &str) -> Option<String> {
    let a = alias.trim();
    let a = a
        .strip_prefix(base_path)
        .or_else(|| a.strip_prefix('/'))
        .unwrap_or(a);
    if a.is_empty()
        || a.contains("://")
        || a.split('/').any(|s| s == ".." || s == ".")
        || a.contains(['\\', '?', '#'])
    {
        return None;
    }
    if a.ends_with(".html") {
        Some(a.to_string())
    } else {
        Some(format!("{}/index.html", a.trim_end_matches('/')))
    }
}

/// Checks every `page.md#anchor` link against the target's headings.
fn check_anchors(site: &Site, html: &[Rendered], diags: &mut Vec<Diagnostic>) {
    // Each linked page's anchors as a set, made on first use: a page of many links into
    // a page of many headings would otherwise cost their product.
    let mut anchors: HashMap<PageId, HashSet<&str>> = HashMap::new();
    for (id, r) in html.iter().enumerate() {
        for c in &r.anchor_checks {
            let Some(&target) = site.by_content_path.get(&c.target) else {
                continue;
            };
            let headings: &[Heading] = &html[target].headings;
            let known = anchors.entry(target).or_insert_with(|| {
                headings
                    .iter()
                    .map(|h| h.id.as_str())
                    .chain(html[target].html_ids.iter().map(String::as_str))
                    .collect()
            });
            if c.anchor.is_empty() || known.contains(c.anchor.as_str()) {
                continue;
            }
            let ids = headings.iter().map(|h| h.id.as_str());
            let ids = ids.chain(html[target].html_ids.iter().map(String::as_str));
            let help = closest(&c.anchor, ids)
                .map(|s| format!("did you mean `#{s}`?"))
                .unwrap_or_else(|| {
                    if headings.is_empty() {
                        format!("`content/{}` has no headings to link to", c.target)
                    } else {
                        format!(
                            "the headings of `content/{}` are {}",
                            c.target,
                            headings
                                .iter()
                                .map(|h| format!("`#{}`", h.id))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                });
            diags.push(
                Diagnostic::error(format!(
                    "link to a missing anchor `#{}` in `content/{}`",
                    c.anchor, c.target
                ))
                .at(&site.pages[id].source, c.span.clone())
                .with_help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_paths_stay_in_the_site() {
        assert_eq!(
            alias_path("old/x/", "/pb/"),
            Some("old/x/index.html".into())
        );
        assert_eq!(
            alias_path("/pb/old/x", "/pb/"),
            Some("old/x/index.html".into())
        );
        assert_eq!(alias_path("old.html", "/"), Some("old.html".into()));
        assert_eq!(alias_path("../etc/passwd", "/"), None);
        assert_eq!(alias_path("https://x.org/a", "/"), None);
    }
}
