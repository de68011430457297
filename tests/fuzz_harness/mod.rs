//! The code the fuzz targets run, shared with the stable corpus test.
//!
//! `fuzz/fuzz_targets/*.rs` include this file with `#[path]`, and `tests/fuzz_corpus.rs`
//! feeds every committed corpus and crash file through the same functions, so a crash
//! found by `cargo +nightly fuzz run` stays a failing `cargo test` until it is fixed.
//! Each function calls the library the way the build does and renders every diagnostic
//! (rendering is where a bad span would panic), so "no panic" covers the messages too.

#![allow(dead_code)] // Each fuzz target uses one of the three functions.

use playbook::config::Config;
use playbook::content::front_matter::{self, SplitError};
use playbook::content::{Kind, slugify};
use playbook::diagnostic::{Diagnostic, Source};
use playbook::markdown::{self, LinkTargets};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

/// Every kind, the one without a folder included.
const KINDS: [Kind; 6] = Kind::ALL;

/// Renders a diagnostic both ways, as the command line and the logs show it.
fn show(d: &Diagnostic) {
    let long = d.render(false);
    assert!(!long.is_empty());
    let short = d.short();
    assert!(short.contains(&d.message));
}

/// Text of the input, or the invalid-UTF-8 diagnostic the build would give.
fn text_of(data: &[u8], path: &str) -> Option<String> {
    match std::str::from_utf8(data) {
        Ok(t) => Some(t.to_string()),
        Err(e) => {
            show(&playbook::content::invalid_utf8(
                std::path::Path::new(path),
                data,
                e,
            ));
            None
        }
    }
}

fn source(path: &str, text: &str) -> Source {
    Source {
        path: PathBuf::from(path),
        text: Some(Arc::from(text)),
    }
}

/// Front matter: splits the file as `content::load` does, then parses the TOML as every
/// kind, as a regular page and as an index, and checks outcomes, steps and the slug.
pub fn front_matter(data: &[u8]) {
    let Some(text) = text_of(data, "content/prompts/fuzz.md") else {
        return;
    };
    let split = match front_matter::split(&text) {
        Ok(s) => s,
        Err(SplitError::Unclosed | SplitError::Yaml) => return,
    };
    assert!(split.body.start <= split.body.end && split.body.end == text.len());
    assert!(text.is_char_boundary(split.body.start));
    let Some(range) = split.toml else {
        return;
    };
    assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
    for kind in KINDS {
        let path = format!("content/{}/fuzz.md", kind.folder().unwrap_or("guides"));
        let src = source(&path, &text);
        for is_index in [false, true] {
            let (fm, diags) = front_matter::parse(&src, range.clone(), kind, is_index);
            diags.iter().for_each(show);
            let Some(fm) = fm else { continue };
            let mut more = Vec::new();
            front_matter::outcomes(&fm.outcomes, &src, range.start, &mut more);
            if let Some(steps) = &fm.steps {
                front_matter::steps(steps, &src, range.start, &mut more);
            }
            more.iter().for_each(show);
            if let Some(k) = &fm.kind {
                let _ = Kind::from_name(k.get_ref());
            }
            if let Some(s) = &fm.slug {
                let _ = slugify(s.get_ref());
            }
        }
    }
}

/// Pages, files and folders the linking page can reach, like a small real playbook's.
pub struct Site {
    pages: HashMap<String, String>,
    assets: HashSet<String>,
    folders: HashMap<String, String>,
    drafts: HashSet<String>,
    unreadable: HashSet<String>,
}

impl Site {
    /// The example playbook's shape: a few pages of each kind, an image, a free page.
    pub fn new() -> Site {
        let pages: HashMap<String, String> = [
            "prompts/what-makes-this-story-truly-valuable.md",
            "prompts/what-feedback-loops-do-we-lack.md",
            "tools/product-vision-canvas.md",
            "tools/story-mapping-sessions.md",
            "stories/po-seen-as-a-bottleneck.md",
            "takeaways/not-control-but-collaboration.md",
            "playbooks/coaching-the-product-owner.md",
            "about.md",
            "guides/facilitation.md",
            "guides/_index.md",
        ]
        .iter()
        .map(|p| {
            let url = match p.strip_suffix("/_index.md") {
                Some(dir) => format!("{dir}/"),
                None => format!("{}/", p.trim_end_matches(".md")),
            };
            (p.to_string(), url)
        })
        .collect();
        let folders = ["prompts", "tools", "stories", "takeaways", "playbooks"]
            .iter()
            .map(|f| (f.to_string(), format!("{f}/")))
            .chain([("guides".to_string(), "guides/".to_string())])
            .collect();
        let assets = [
            "images/partnership.svg",
            "guides/images/session-flow.svg",
            "files/canvas template.pdf",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let drafts = ["tools/unfinished.md".to_string()].into_iter().collect();
        let unreadable = ["prompts/broken-front-matter.md".to_string()]
            .into_iter()
            .collect();
        Site {
            pages,
            assets,
            folders,
            drafts,
            unreadable,
        }
    }
}

impl Default for Site {
    fn default() -> Self {
        Site::new()
    }
}

/// Markdown: renders the body (after any front matter, so offsets count from the top of
/// the file) of a prompt page with link rewriting against [`Site`], under a base path.
pub fn markdown(data: &[u8]) {
    let Some(text) = text_of(data, "content/prompts/fuzz.md") else {
        return;
    };
    let body = match front_matter::split(&text) {
        Ok(s) => s.body,
        Err(_) => 0..text.len(),
    };
    let site = Site::new();
    let src = source("content/prompts/fuzz.md", &text);
    for base_path in ["/playbook/", "/"] {
        let targets = LinkTargets {
            pages: &site.pages,
            assets: &site.assets,
            folders: &site.folders,
            drafts: &site.drafts,
            unreadable: &site.unreadable,
            base_path,
        };
        let mut diags = Vec::new();
        let r = markdown::render(
            &text[body.clone()],
            body.start,
            &src,
            "prompts/fuzz.md",
            &targets,
            true,
            &mut diags,
        );
        diags.iter().for_each(show);
        for check in &r.anchor_checks {
            assert!(site.pages.contains_key(&check.target), "{check:?}");
            assert!(check.span.end <= text.len());
        }
        let mut ids = HashSet::new();
        for h in &r.headings {
            assert!((1..=6).contains(&h.level));
            assert!(ids.insert(h.id.as_str()), "duplicate heading id {}", h.id);
        }
    }
}

/// `book.toml`: parses it, renders every diagnostic, and reads the base path back.
pub fn book_toml(data: &[u8]) {
    let Some(text) = text_of(data, "book.toml") else {
        return;
    };
    match Config::parse(&text) {
        Ok(config) => {
            let base = config.base_path();
            assert!(base.starts_with('/') && base.ends_with('/'), "{base}");
        }
        Err(diags) => {
            assert!(diags.has_errors());
            diags.iter().for_each(show);
        }
    }
}
