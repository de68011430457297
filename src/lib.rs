//! `playbook`: a static site generator for coaching playbooks.
//!
//! The pipeline is a chain of plain functions from data to data —
//! [`config`] → [`content`] → [`site`] → [`render`] (with [`markdown`]) → [`output`] —
//! and the commands here are its drivers: [`build`] writes the result atomically,
//! [`check`] stops before writing, [`serve`] keeps the site in memory and rebuilds it on
//! every change, [`scaffold`] creates playbooks and pages.

pub mod config;
pub mod content;
pub mod diagnostic;
pub mod markdown;
pub mod output;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;

use config::Config;
use diagnostic::{Diagnostic, Diagnostics};
use output::Output;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What `build` and `check` are asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The playbook root (holds `book.toml`).
    pub root: PathBuf,
    /// Where to write the site; `[build] output-dir` by default.
    pub out: Option<PathBuf>,
    /// Overrides `[book] base-url`.
    pub base_url: Option<String>,
    /// Builds drafts too.
    pub drafts: bool,
    /// Leaves the search index out of the output and hands its input back in
    /// [`Built::deferred_search`] (for `serve`, which builds it after the reload).
    pub defer_search: bool,
}

/// What a successful run did.
#[derive(Debug)]
pub struct Summary {
    /// Pages rendered (regular pages of every kind).
    pub pages: usize,
    /// Files in the output.
    pub files: usize,
    /// Where the site was written, for `build`.
    pub out: Option<PathBuf>,
    /// How long it took.
    pub elapsed: Duration,
    /// Warnings found on the way.
    pub warnings: Vec<Diagnostic>,
    /// How long each phase took.
    pub timings: Timings,
}

/// A site built in memory: the output and the number of pages.
pub struct Built {
    /// Every file of the site.
    pub output: Output,
    /// Regular pages rendered.
    pub pages: usize,
    /// The configuration used.
    pub config: Config,
    /// Warnings.
    pub warnings: Vec<Diagnostic>,
    /// How long each phase took.
    pub timings: Timings,
    /// The search index's input when [`BuildOptions::defer_search`] was set.
    pub deferred_search: Option<render::DeferredSearch>,
}

/// Runs the whole pipeline in memory: every check of `build`, nothing written.
pub fn build_in_memory(opts: &BuildOptions) -> Result<Built, Diagnostics> {
    build_in_memory_cached(opts, None)
}

/// Like [`build_in_memory`], reusing what `cache` holds from the previous build (Markdown
/// and pages whose inputs did not change) and leaving this build's results in it.
pub fn build_in_memory_cached(
    opts: &BuildOptions,
    cache: Option<&mut render::cache::RenderCache>,
) -> Result<Built, Diagnostics> {
    build_staged(opts, cache, None)
}

/// The pipeline, writing rendered pages into `staging` as they come when given (a build
/// to disk), so they are never all held in memory at once.
fn build_staged(
    opts: &BuildOptions,
    cache: Option<&mut render::cache::RenderCache>,
    staging: Option<&Path>,
) -> Result<Built, Diagnostics> {
    let mut diags = Diagnostics::new();
    let mut config = Config::from_dir(&opts.root)?;
    if let Some(url) = &opts.base_url
        && let Err(msg) = config.set_base_url(url)
    {
        diags.push(
            Diagnostic::error(format!("--base-url: {msg}"))
                .with_help("pass a full URL such as `https://org.github.io/playbook/`"),
        );
        return Err(diags);
    }
    let drafts = opts.drafts || config.build.drafts;
    let theme = match render::Theme::load(&opts.root, &config.build.theme) {
        Ok(t) => Some(t),
        Err(d) => {
            diags.extend(d);
            None
        }
    };
    let mut timings = Timings::default();
    let t = Instant::now();
    let (content, d) = content::load(&opts.root, drafts);
    timings.push("scan and parse", t);
    diags.extend(d);
    let t = Instant::now();
    let (site, d) = site::Site::assemble(config, content);
    timings.push("assemble", t);
    diags.extend(d);
    let Some(theme) = theme else {
        return Err(diags);
    };
    let (output, d, deferred_search) = render::render_site(
        &site,
        &theme,
        &mut timings,
        cache,
        staging,
        opts.defer_search,
    );
    diags.extend(d);
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Built {
        output,
        pages: site.regular_pages().count(),
        warnings: diags.sorted(),
        config: site.config,
        timings,
        deferred_search,
    })
}

/// How long each phase of a build took, in order, for `--verbose`.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// Phase name and duration.
    pub phases: Vec<(&'static str, Duration)>,
}

impl Timings {
    /// Records that `phase` ran from `start` until now.
    pub fn push(&mut self, phase: &'static str, start: Instant) {
        self.phases.push((phase, start.elapsed()));
    }
}

/// `playbook check`: every check of `build`, nothing written.
pub fn check(opts: &BuildOptions) -> Result<Summary, Diagnostics> {
    let start = Instant::now();
    let built = build_in_memory(opts)?;
    Ok(Summary {
        pages: built.pages,
        files: built.output.len(),
        out: None,
        elapsed: start.elapsed(),
        warnings: built.warnings,
        timings: built.timings,
    })
}

/// `playbook build`: builds the site and writes it atomically; on any error the previous
/// output is left as it was.
pub fn build(opts: &BuildOptions) -> Result<Summary, Diagnostics> {
    let start = Instant::now();
    // The output folder is checked before anything else, so a dangerous `--out` is
    // refused even when the content has errors.
    let config_out = match &opts.out {
        Some(o) => Some(o.clone()),
        None => Config::from_dir(&opts.root)
            .ok()
            .map(|c| opts.root.join(c.build.output_dir)),
    };
    let fail = |d: Diagnostic| {
        let mut ds = Diagnostics::new();
        ds.push(d);
        ds
    };
    let staging = match &config_out {
        Some(out) => {
            output::check_output_dir(&opts.root, out).map_err(fail)?;
            Some(output::begin(out).map_err(fail)?)
        }
        None => None,
    };
    let built = build_staged(opts, None, staging.as_deref());
    let mut built = match built {
        Ok(b) => b,
        Err(e) => {
            // Nothing of a failed build stays behind; the previous output is untouched.
            if let Some(dir) = &staging {
                output::remove_ours(dir);
            }
            return Err(e);
        }
    };
    let t = Instant::now();
    let out = config_out.unwrap_or_else(|| opts.root.join(&built.config.build.output_dir));
    built.output.write_atomic(&out).map_err(fail)?;
    built.timings.push("write", t);
    Ok(Summary {
        pages: built.pages,
        files: built.output.len() + 1,
        out: Some(out),
        elapsed: start.elapsed(),
        warnings: built.warnings,
        timings: built.timings,
    })
}

/// The path as the user would write it relative to the current folder, for messages.
pub fn display_path(p: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    p.strip_prefix(&cwd).unwrap_or(p).display().to_string()
}
