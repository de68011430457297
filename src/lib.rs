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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
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
    /// Where the build reports how far it got, for a progress bar.
    pub progress: Option<Arc<Progress>>,
}

/// How far a build got: the phase it is in and, where it counts, how many of how many
/// items are done. Written by the build (from every core), read by a progress bar.
#[derive(Debug, Default)]
pub struct Progress {
    phase: Mutex<&'static str>,
    done: AtomicUsize,
    total: AtomicUsize,
}

impl Progress {
    /// Starts `phase`, with `total` items to count (0: not counted).
    pub fn begin(&self, phase: &'static str, total: usize) {
        *self.phase.lock().unwrap_or_else(|e| e.into_inner()) = phase;
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
    }

    /// One more item of the phase is done.
    pub fn tick(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    /// The phase, items done, items in all.
    pub fn get(&self) -> (&'static str, usize, usize) {
        let phase = *self.phase.lock().unwrap_or_else(|e| e.into_inner());
        (
            phase,
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
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
    mut cache: Option<&mut render::cache::RenderCache>,
    staging: Option<&mut output::Staging>,
) -> Result<Built, Diagnostics> {
    // What a body-only update would start from is only valid after a good build.
    if let Some(c) = cache.as_deref_mut() {
        c.incremental = None;
        c.last = None;
    }
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
    let mut timings = Timings {
        progress: opts.progress.clone(),
        ..Timings::default()
    };
    timings.begin("Reading pages", 0);
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
    // Nothing is written into the staging folder before the spare in it is listed.
    let staging = match staging {
        Some(s) => match s.ready() {
            Ok(dir) => Some(dir),
            Err(d) => {
                diags.push(d);
                return Err(diags);
            }
        },
        None => None,
    };
    let (output, d, deferred_search) = render::render_site(
        &site,
        &theme,
        &mut timings,
        cache.as_deref_mut(),
        staging,
        opts.defer_search,
    );
    diags.extend(d);
    if diags.has_errors() {
        if let Some(c) = cache {
            c.incremental = None;
        }
        return Err(diags);
    }
    let warnings = diags.sorted();
    let pages = site.regular_pages().count();
    let config = site.config.clone();
    if let Some(c) = cache {
        c.last = Some(render::cache::LastSite {
            site,
            theme,
            warnings: warnings.clone(),
        });
    }
    Ok(Built {
        output,
        pages,
        warnings,
        config,
        timings,
        deferred_search,
    })
}

/// What [`rebuild_bodies`] produced: the page files that changed, to put over the last
/// build's output.
pub struct BodyUpdate {
    /// The new page files: output path, bytes.
    pub files: Vec<(String, std::sync::Arc<Vec<u8>>)>,
    /// Regular pages in the site.
    pub pages: usize,
    /// The site's warnings: the last build's and those of the edited bodies.
    pub warnings: Vec<Diagnostic>,
    /// The search index's new input.
    pub deferred_search: Option<render::DeferredSearch>,
}

/// `serve`'s fast path for the most common edit: when every file in `changed` is a page
/// of the last good build whose front matter is byte for byte what that build read,
/// only those pages' bodies are rendered again (no scan, no new site, no lists).
/// `None` when that does not apply — a new, removed or renamed file, a front matter
/// edit, the home page or a kind intro, a free page titled by its first heading — and
/// the caller builds the whole site.
pub fn rebuild_bodies(
    root: &Path,
    cache: &mut render::cache::RenderCache,
    changed: &[PathBuf],
) -> Option<Result<BodyUpdate, Diagnostics>> {
    let last = cache.last.as_ref()?;
    cache.incremental.as_ref()?;
    // Many files at once (a `git checkout`) render faster on every core.
    if changed.is_empty() || changed.len() > 32 {
        return None;
    }
    let mut updates = Vec::new();
    for path in changed {
        // The last build's warnings about this file may be gone after the edit: only a
        // whole build can tell (its front matter's warnings and its body's look alike).
        if last.warnings.iter().any(|w| {
            w.location
                .as_ref()
                .is_some_and(|l| root.join(&l.path) == *path)
        }) {
            return None;
        }
        let rel = path.strip_prefix(root).ok()?;
        let content_path = rel.strip_prefix("content").ok()?;
        let key = content_path
            .components()
            .map(|c| c.as_os_str().to_str())
            .collect::<Option<Vec<_>>>()?
            .join("/");
        let &id = last.site.by_content_path.get(&key)?;
        let page = &last.site.pages[id];
        if page.role != content::Role::Regular
            || (page.kind == content::Kind::Page && page.fm.title.is_none())
        {
            return None;
        }
        let old = page.source.text.as_deref()?;
        let text = std::fs::read_to_string(path).ok()?;
        let split = content::front_matter::split(&text).ok()?;
        if text[..split.body.start] != old[..page.body.start] {
            return None;
        }
        if updates.iter().any(|(i, _, _)| *i == id) {
            continue;
        }
        let body = split.body.clone();
        updates.push((id, std::sync::Arc::<str>::from(text), body));
    }
    let mut last = cache.last.take()?;
    let result = render::rerender_bodies(&mut last.site, &last.theme, cache, updates);
    match result {
        Ok((files, deferred_search, new_warnings)) => {
            let mut warnings = Diagnostics::new();
            warnings.extend(last.warnings.drain(..).chain(new_warnings));
            last.warnings = warnings.sorted();
            let update = BodyUpdate {
                files,
                pages: last.site.regular_pages().count(),
                warnings: last.warnings.clone(),
                deferred_search,
            };
            cache.last = Some(last);
            Some(Ok(update))
        }
        Err(errors) => {
            // The kept site now holds text that failed: the next change builds anew.
            cache.incremental = None;
            let mut diags = Diagnostics::new();
            diags.extend(errors);
            Some(Err(diags))
        }
    }
}

/// A hash map for lookups by key, path and URL: every reference and link of every page
/// is looked up, where SipHash's resistance to chosen keys buys nothing.
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// At most this many pages go to one core as one piece of work (parsing, rendering).
/// Left to itself, rayon hands out runs of hundreds of pages, and at the end of a phase
/// one core rendered its last run for ~75 ms while the other had nothing left to take
/// (perf, 10,000 pages).
pub(crate) const PAGES_PER_TASK: usize = 16;

/// Drops the items of `items` on every core. A 10,000-page site's pages, cards, views
/// and Markdown are millions of small allocations: freed on one core, each kept the
/// other core idle for up to 40–75 ms (perf, 2 cores).
pub(crate) fn drop_on_every_core<T: Send>(items: Vec<T>) {
    use rayon::prelude::*;
    items.into_par_iter().for_each(drop);
}

/// One phase of a build, for `--verbose`.
#[derive(Debug, Clone)]
pub struct Phase {
    /// What the phase does.
    pub name: &'static str,
    /// How long it took.
    pub took: Duration,
    /// The processor time it used on all cores, where the system tells it: divided by
    /// `took`, how many cores the phase kept busy.
    pub cpu: Option<Duration>,
}

impl Phase {
    /// Phases shorter than this get no core count: the system adds up the processor
    /// time of threads running on other cores only at its clock ticks (every 1–10 ms),
    /// so a phase of a few milliseconds was charged time its predecessor used (`write:
    /// 9.4 ms 4.95 cores` on two cores).
    pub const MIN_FOR_CORES: Duration = Duration::from_millis(20);

    /// How many cores the phase kept busy on average: its processor time over its
    /// length. `None` where the system does not tell the processor time, for phases
    /// shorter than [`Phase::MIN_FOR_CORES`], and where the figure is more than `cores`
    /// (the cores there are) could give, which only the lag above explains.
    pub fn cores(&self, cores: usize) -> Option<f64> {
        let cpu = self.cpu?;
        if self.took < Self::MIN_FOR_CORES {
            return None;
        }
        let busy = cpu.as_secs_f64() / self.took.as_secs_f64();
        // A hair over `cores` is rounding; more is charged time of another phase.
        (busy <= cores as f64 + 0.05).then_some(busy)
    }
}

/// How long each phase of a build took, in order, for `--verbose`.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// The phases, in order.
    pub phases: Vec<Phase>,
    /// The process's processor time when the last phase ended (or the first began).
    cpu_mark: Option<Duration>,
    /// Where the phases are reported as they start, for a progress bar.
    pub progress: Option<Arc<Progress>>,
}

impl Timings {
    /// Says that `phase` starts, with `total` items to count (0: not counted).
    pub fn begin(&mut self, phase: &'static str, total: usize) {
        if self.cpu_mark.is_none() {
            self.cpu_mark = process_cpu_time();
        }
        if let Some(p) = &self.progress {
            p.begin(phase, total);
        }
    }

    /// Counts one item of the current phase as done.
    pub fn tick(&self) {
        if let Some(p) = &self.progress {
            p.tick();
        }
    }

    /// Records that `phase` ran from `start` until now.
    pub fn push(&mut self, phase: &'static str, start: Instant) {
        // Phases follow one another, so what the process used since the last mark is
        // this phase's (and the few instructions between two phases).
        let now = process_cpu_time();
        let cpu = match (self.cpu_mark, now) {
            (Some(mark), Some(now)) => Some(now.saturating_sub(mark)),
            _ => None,
        };
        self.cpu_mark = now;
        self.phases.push(Phase {
            name: phase,
            took: start.elapsed(),
            cpu,
        });
    }
}

/// The processor time the process has used so far, on all its threads.
#[cfg(unix)]
fn process_cpu_time() -> Option<Duration> {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec, which `t` is, and reads nothing else.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) } == 0;
    ok.then(|| {
        Some(Duration::new(
            u64::try_from(t.tv_sec).ok()?,
            u32::try_from(t.tv_nsec).ok()?,
        ))
    })
    .flatten()
}

/// The processor time the process has used so far: not told here.
#[cfg(not(unix))]
fn process_cpu_time() -> Option<Duration> {
    None
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
    let mut staging = match &config_out {
        Some(out) => {
            output::check_output_dir(&opts.root, out).map_err(fail)?;
            Some(output::begin(out).map_err(fail)?)
        }
        None => None,
    };
    let built = build_staged(opts, None, staging.as_mut());
    let mut built = match built {
        Ok(b) => b,
        Err(e) => {
            // The previous output is untouched; the staging folder goes back to being the
            // spare, for the next build to write over.
            if let (Some(out), Some(s)) = (&config_out, staging) {
                output::abandon(out, s);
            }
            return Err(e);
        }
    };
    let t = Instant::now();
    built.timings.begin("Writing", 0);
    let out = config_out.unwrap_or_else(|| opts.root.join(&built.config.build.output_dir));
    built
        .output
        .write_atomic_from(&out, staging)
        .map_err(fail)?;
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

/// Pseudo-random numbers from a fixed `seed` (xorshift64), for test inputs that are the
/// same on every run.
#[cfg(test)]
pub(crate) fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phase_gets_a_core_count_only_when_it_is_long_enough_and_possible() {
        let phase = |took_ms, cpu_ms: Option<u64>| Phase {
            name: "pages",
            took: Duration::from_millis(took_ms),
            cpu: cpu_ms.map(Duration::from_millis),
        };
        assert_eq!(phase(100, Some(190)).cores(2), Some(1.9));
        assert_eq!(phase(100, None).cores(2), None, "no processor clock");
        assert_eq!(
            phase(10, Some(10)).cores(2),
            None,
            "too short to mean anything"
        );
        assert_eq!(
            phase(100, Some(400)).cores(2),
            None,
            "four cores' work on two"
        );
        assert_eq!(phase(100, Some(400)).cores(4), Some(4.0));
    }
}
