//! `playbook serve`: builds in memory, serves the site under its production base path,
//! watches content, theme and book.toml, rebuilds on change and tells open tabs to reload
//! (or shows the build's errors over the last good page). Nothing an author types stops it.

pub mod http;
pub mod live;
mod rescan;
pub mod settle;

use crate::diagnostic::Diagnostic;
use crate::output::Output;
use crate::render::cache::RenderCache;
use crate::{BuildOptions, build_in_memory_cached};
use live::{Hub, Message};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::channel;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

/// What `serve` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// The playbook root.
    pub root: PathBuf,
    /// Address to bind; `[serve] host` (127.0.0.1) by default.
    pub host: Option<String>,
    /// Port to bind; `[serve] port` (3000) by default; 0 for any free port.
    pub port: Option<u16>,
    /// Opens the site in the default browser once it is served.
    pub open: bool,
}

/// The site being served: the last good output and its base path.
#[derive(Clone)]
pub struct Served {
    output: Arc<RwLock<Arc<Output>>>,
    generation: Arc<std::sync::atomic::AtomicU64>,
    base_path: Arc<RwLock<String>>,
    failed_first: Arc<RwLock<bool>>,
}

impl Served {
    /// Returns true if and only if a build has succeeded, so there is a site to show.
    fn has_site(&self) -> bool {
        !self
            .output
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
    }

    fn current(&self) -> (Arc<Output>, String, bool) {
        let o = self
            .output
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let b = self
            .base_path
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let f = *self.failed_first.read().unwrap_or_else(|e| e.into_inner());
        (o, b, f)
    }
}

/// How a changed file affects the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A stylesheet of the theme: swapped in open tabs without a reload.
    Css,
    /// Anything else the site is built from: content, templates, book.toml.
    Site,
    /// Not part of the site (the output folder, editor files, `.git`).
    Ignored,
}

/// Classifies a changed path under `root`.
pub fn classify(root: &Path, path: &Path, out_dir: &Path) -> Change {
    let rel = match path.strip_prefix(root) {
        Ok(r) => r,
        Err(_) => return Change::Ignored,
    };
    if path.starts_with(out_dir) {
        return Change::Ignored;
    }
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
    {
        return Change::Ignored;
    }
    let mut comps = rel.components().map(|c| c.as_os_str().to_string_lossy());
    match comps.next().as_deref() {
        Some("book.toml") if rel.components().count() == 1 => Change::Site,
        Some("content") => Change::Site,
        Some("themes") => {
            if name.ends_with(".css") && rel.components().any(|c| c.as_os_str() == "static") {
                Change::Css
            } else {
                Change::Site
            }
        }
        _ => Change::Ignored,
    }
}

/// How long the watcher gathers events before it hands them over.
const DEBOUNCE: Duration = Duration::from_millis(60);

/// The longest a build waits for a git command that holds the index lock.
const GIT_WAIT: Duration = Duration::from_secs(5);

/// Builds of one change at most: a build that caught a file mid-replace, or read one
/// half written, is done again rather than shown.
const ATTEMPTS: usize = 3;

/// Runs the preview server until the process is stopped. Returns an error only when it
/// cannot start (a busy port, a bad address).
pub fn serve(opts: &ServeOptions) -> Result<(), Diagnostic> {
    // A folder without `book.toml` is not a playbook that has errors: it is the wrong
    // folder, and a server waiting on it would wait forever.
    if !opts.root.join("book.toml").is_file() {
        return Err(crate::config::no_book_toml(&opts.root));
    }
    // Watch events carry absolute paths: compare them with an absolute root.
    let root = std::fs::canonicalize(&opts.root).map_err(|e| {
        Diagnostic::error(format!("cannot open `{}`: {e}", opts.root.display()))
            .with_help("pass the folder that holds `book.toml`")
    })?;
    let opts = &ServeOptions {
        root,
        ..opts.clone()
    };
    let config = crate::config::Config::from_dir(&opts.root).ok();
    let host = opts
        .host
        .clone()
        .or_else(|| config.as_ref().map(|c| c.serve.host.clone()))
        .unwrap_or_else(|| "127.0.0.1".into());
    let port = opts
        .port
        .or_else(|| config.as_ref().map(|c| c.serve.port))
        .unwrap_or(3000);
    let listener = TcpListener::bind((host.as_str(), port)).map_err(|e| {
        let help = if e.kind() == std::io::ErrorKind::AddrInUse {
            format!("another program uses port {port}: stop it, or pick another with `--port {}` (or `--port 0` for any free port)", port.saturating_add(1))
        } else {
            "check `--host` (an address of this machine, such as 127.0.0.1) and `--port`".into()
        };
        Diagnostic::error(format!("cannot listen on {host}:{port}: {e}")).with_help(help)
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Diagnostic::error(format!("cannot read the bound address: {e}")))?;
    let origin = match addr {
        std::net::SocketAddr::V6(a) => format!("http://[{}]:{}", a.ip(), a.port()),
        std::net::SocketAddr::V4(a) => format!("http://{}:{}", a.ip(), a.port()),
    };

    let hub = Hub::new();
    let served = Served {
        output: Arc::new(RwLock::new(Arc::new(Output::new()))),
        generation: Arc::new(std::sync::atomic::AtomicU64::new(0)),
        base_path: Arc::new(RwLock::new("/".into())),
        failed_first: Arc::new(RwLock::new(false)),
    };
    let out_dir = opts.root.join(
        config
            .as_ref()
            .map_or("public".to_string(), |c| c.build.output_dir.clone()),
    );
    let builder = Builder {
        root: opts.root.clone(),
        out_dir,
        origin: origin.clone(),
        cache: Mutex::new(RenderCache::default()),
        served_pages: Mutex::new(Vec::new()),
        began: Mutex::new(None),
    };
    let git = settle::GitLock::find(&opts.root);
    let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let first = builder.run(&served, &hub, Change::Site, color, &[]);
    if !first {
        *served
            .failed_first
            .write()
            .unwrap_or_else(|e| e.into_inner()) = true;
    }

    // Watch content, themes and book.toml.
    let (mut debouncer, mut rx) = start_watcher(&opts.root)?;
    // Announced only now that edits are watched, so nothing saved after this line is missed.
    let base_path = served.current().1;
    println!("Serving at {origin}{base_path} (Ctrl+C to stop)");
    if opts.open {
        open_browser(&format!("{origin}{base_path}"));
    }

    {
        let served = served.clone();
        let hub = hub.clone();
        http::spawn(listener, move |request| handle(request, &served, &hub))
            .map_err(|e| Diagnostic::error(format!("cannot start the server: {e}")))?;
    }

    loop {
        let first = match rx.recv() {
            Ok(first) => first,
            // The watcher's threads ended (a panic in one closes the channel): a new
            // watcher, and a look for what changed while none was listening.
            Err(_) => {
                eprintln!("warning: the file watcher stopped; starting it again");
                (debouncer, rx) = restart_watcher(&opts.root, color);
                let lost = notify::Event::new(notify::EventKind::Other)
                    .set_flag(notify::event::Flag::Rescan);
                Ok(vec![notify_debouncer_full::DebouncedEvent::new(
                    lost,
                    Instant::now(),
                )])
            }
        };
        // A git command rewriting the tree (a checkout, a pull) is let finish first, and
        // its last changes given time to come through the watcher: a build in the middle
        // of it would show a site that is neither branch.
        if git.wait(GIT_WAIT) {
            std::thread::sleep(DEBOUNCE + Duration::from_millis(20));
        }
        // The batches that queued up while the last build ran are taken together: one
        // build covers them all (one build per batch made a `git checkout` of 1,000 files
        // rebuild for minutes).
        let mut events = Vec::new();
        for result in std::iter::once(first).chain(rx.try_iter()) {
            match result {
                Ok(batch) => events.extend(batch),
                Err(errors) => {
                    for e in errors {
                        eprintln!("warning: file watcher: {e}");
                    }
                }
            }
        }
        let mut change = Change::Ignored;
        let mut changed_paths: Vec<PathBuf> = Vec::new();
        let mut themes_created = false;
        let mut lost_events = false;
        for e in &events {
            if e.need_rescan() {
                lost_events = true;
                continue;
            }
            // Reading files (as every build does) raises access events: only writes,
            // creations, renames and deletions change the site.
            use notify::EventKind;
            use notify::event::{MetadataKind, ModifyKind};
            match e.kind {
                EventKind::Create(_) | EventKind::Remove(_) => {}
                EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => continue,
                EventKind::Modify(_) => {}
                _ => continue,
            }
            for p in &e.paths {
                if p.file_name().is_some_and(|n| n == "themes") {
                    themes_created = true;
                }
                let this = classify(&opts.root, p, &builder.out_dir);
                if this == Change::Site && !changed_paths.contains(p) {
                    changed_paths.push(p.clone());
                }
                change = match (change, this) {
                    (Change::Site, _) | (_, Change::Site) => Change::Site,
                    (Change::Css, _) | (_, Change::Css) => Change::Css,
                    _ => Change::Ignored,
                };
            }
        }
        if themes_created {
            watch_paths(&mut debouncer, &opts.root);
        }
        // The watcher dropped events: which files changed is unknown, so if any did, the
        // whole site is built (an empty list of changed files never takes the body-only
        // path).
        if lost_events && let Some(why) = builder.changed_since_last_build() {
            println!(
                "The file watcher lost events (raise `fs.inotify.max_queued_events` if this \
                 recurs); {why}: building everything"
            );
            change = Change::Site;
            changed_paths.clear();
        }
        if change != Change::Ignored {
            builder.run(&served, &hub, change, color, &changed_paths);
        }
    }
}

/// The watcher of `book.toml`, `content/` and `themes/` under `root`, and the channel
/// its batches of events come on.
type Watcher = (
    notify_debouncer_full::Debouncer<
        notify::RecommendedWatcher,
        notify_debouncer_full::RecommendedCache,
    >,
    std::sync::mpsc::Receiver<notify_debouncer_full::DebounceEventResult>,
);

/// Starts watching the playbook at `root`.
fn start_watcher(root: &Path) -> Result<Watcher, Diagnostic> {
    let (tx, rx) = channel();
    let mut debouncer = notify_debouncer_full::new_debouncer(DEBOUNCE, None, tx).map_err(|e| {
        Diagnostic::error(format!("cannot watch files: {e}"))
            .with_help("on Linux, raise `fs.inotify.max_user_watches`")
    })?;
    watch_paths(&mut debouncer, root);
    Ok((debouncer, rx))
}

/// Starts watching again until it works: a failure is said once, then tried again every
/// second without a word (serve goes on answering from the last build meanwhile).
fn restart_watcher(root: &Path, color: bool) -> Watcher {
    let mut said = false;
    loop {
        match start_watcher(root) {
            Ok(started) => return started,
            Err(e) => {
                if !std::mem::replace(&mut said, true) {
                    eprintln!("{}", e.render(color));
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    }
}

fn watch_paths<W: notify::Watcher, C: notify_debouncer_full::FileIdCache>(
    debouncer: &mut notify_debouncer_full::Debouncer<W, C>,
    root: &Path,
) {
    use notify::RecursiveMode;
    let _ = debouncer.watch(root, RecursiveMode::NonRecursive);
    for dir in ["content", "themes"] {
        let p = root.join(dir);
        if p.is_dir() {
            let _ = debouncer.watch(&p, RecursiveMode::Recursive);
        }
    }
}

/// Builds the search index of build `generation` off the critical path (the reload does
/// not wait for it) and adds its files to the served site, unless a newer build has been
/// published meanwhile (its own index is on the way).
fn spawn_search(served: Served, search: crate::render::DeferredSearch, generation: u64) {
    std::thread::spawn(move || {
        let start = Instant::now();
        let files = search.build();
        let mut current = served.output.write().unwrap_or_else(|e| e.into_inner());
        if served.generation.load(std::sync::atomic::Ordering::SeqCst) != generation {
            return;
        }
        let mut next = Output::clone(&current);
        for (path, bytes) in files {
            next.insert(path, crate::output::Body::Bytes(bytes));
        }
        *current = Arc::new(next);
        drop(current);
        println!("Search index updated in {} ms", start.elapsed().as_millis());
    });
}

/// Rebuilds the site and publishes the result.
struct Builder {
    root: PathBuf,
    /// The build output folder, whose changes never count.
    out_dir: PathBuf,
    origin: String,
    cache: Mutex<RenderCache>,
    /// The pages (paths under `content/`) of the site served now: one of them missing
    /// from a build while its file is on disk means the build caught it being replaced.
    served_pages: Mutex<Vec<String>>,
    /// When the last full build that was shown (or failed) began; `None` after a build
    /// not shown, when only a full build can tell what the site is.
    began: Mutex<Option<SystemTime>>,
}

impl Builder {
    /// What changed since the last full build began, in words (a watched file or
    /// folder), or why that cannot be told; `None` if nothing did.
    fn changed_since_last_build(&self) -> Option<String> {
        let began = *self.began.lock().unwrap_or_else(|e| e.into_inner());
        let Some(began) = began else {
            return Some("the last build was not shown".into());
        };
        let path = rescan::changed_since(&self.root, &self.out_dir, began)?;
        let rel = path.strip_prefix(&self.root).unwrap_or(&path);
        Some(format!("{} changed", rel.display()))
    }

    /// Builds; on success swaps the served output, then tells the tabs. Returns true if
    /// and only if the build succeeded.
    fn run(
        &self,
        served: &Served,
        hub: &Hub,
        change: Change,
        color: bool,
        changed: &[PathBuf],
    ) -> bool {
        let start = Instant::now();
        // Serve with drafts, and with permalinks pointing at this server.
        let base_path = crate::config::Config::from_dir(&self.root)
            .map(|c| c.base_path().to_string())
            .unwrap_or_else(|_| "/".into());
        let opts = BuildOptions {
            root: self.root.clone(),
            out: None,
            base_url: Some(format!("{}{}", self.origin, base_path)),
            drafts: true,
            defer_search: true,
            progress: None,
        };
        *served.base_path.write().unwrap_or_else(|e| e.into_inner()) = base_path;
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        // An edit of page bodies only: render just those pages over the last output.
        if change == Change::Site {
            match crate::rebuild_bodies(&self.root, &mut cache, changed) {
                Some(Ok(update)) => {
                    let generation = served
                        .generation
                        .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                        + 1;
                    {
                        let mut current = served.output.write().unwrap_or_else(|e| e.into_inner());
                        let mut next = Output::clone(&current);
                        for (path, bytes) in update.files {
                            next.insert(path, crate::output::Body::Shared(bytes));
                        }
                        *current = Arc::new(next);
                    }
                    report_success(&update.warnings, update.pages, start, &cache, color);
                    hub.publish(Message::Reload);
                    if let Some(search) = update.deferred_search {
                        spawn_search(served.clone(), search, generation);
                    }
                    return true;
                }
                Some(Err(diags)) => {
                    report_failure(hub, diags, color, served.has_site());
                    return false;
                }
                None => {}
            }
        }
        // Builds run one at a time (the first, then the watcher's): held until published.
        let mut served_pages = self.served_pages.lock().unwrap_or_else(|e| e.into_inner());
        let mut attempt = 1;
        let (result, began) = loop {
            let began = SystemTime::now();
            let result = build_in_memory_cached(&opts, Some(&mut cache));
            // A page of the served site missing although its file is on disk, or an
            // error in a file changed since the build began: the build read a change
            // still under way.
            let missing = result
                .as_ref()
                .ok()
                .and(cache.last.as_ref())
                .and_then(|l| settle::caught_mid_replace(&self.root, &served_pages, &l.site));
            let outdated =
                matches!(&result, Err(diags) if settle::errors_outdated(&self.root, diags, began));
            if missing.is_none() && !outdated {
                break (result, began);
            }
            if attempt == ATTEMPTS {
                // A site without a page that is on disk is never shown: the watcher's
                // event for the file's return brings the next build.
                if let Some(path) = missing {
                    *self.began.lock().unwrap_or_else(|e| e.into_inner()) = None;
                    println!(
                        "Waiting for content/{path}, which was being replaced as the site was read"
                    );
                    return true;
                }
                break (result, began);
            }
            attempt += 1;
        };
        // Shown or failed, this is now the build a rescan compares the files with.
        *self.began.lock().unwrap_or_else(|e| e.into_inner()) = Some(began);
        match result {
            Ok(built) => {
                let generation = served
                    .generation
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                    + 1;
                *served.output.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(built.output);
                if let Some(last) = &cache.last {
                    *served_pages = last
                        .site
                        .pages
                        .iter()
                        .map(|p| p.content_path.clone())
                        .collect();
                }
                let search = built.deferred_search;
                *served
                    .failed_first
                    .write()
                    .unwrap_or_else(|e| e.into_inner()) = false;
                report_success(&built.warnings, built.pages, start, &cache, color);
                hub.publish(if change == Change::Css {
                    Message::Css
                } else {
                    Message::Reload
                });
                // Only now, with the tabs told, is the index built.
                if let Some(search) = search {
                    spawn_search(served.clone(), search, generation);
                }
                true
            }
            Err(diags) => {
                report_failure(hub, diags, color, served.has_site());
                false
            }
        }
    }
}

/// The page served for every HTML request while no build has succeeded yet.
/// Prints a good build's warnings and its summary line (which tests and the benchmark
/// read).
fn report_success(
    warnings: &[Diagnostic],
    pages: usize,
    start: Instant,
    cache: &RenderCache,
    color: bool,
) {
    for w in warnings {
        eprintln!("{}\n", w.render(color));
    }
    println!(
        "Built {} pages in {} ms ({} files rendered, {} reused)",
        pages,
        start.elapsed().as_millis(),
        cache.rendered,
        cache.reused
    );
}

/// Shows a failed build's errors in the terminal and the open tabs; the last good
/// site, if a build has succeeded (`has_site`), stays up.
fn report_failure(hub: &Hub, diags: crate::diagnostic::Diagnostics, color: bool, has_site: bool) {
    let list = diags.sorted();
    let plain: Vec<String> = list.iter().map(|d| d.render(false)).collect();
    for d in &list {
        eprintln!("{}\n", d.render(color));
    }
    eprintln!(
        "error: build failed with {} {}; {}",
        plain.len(),
        if plain.len() == 1 { "error" } else { "errors" },
        if has_site {
            "still serving the last good site"
        } else {
            "the browser shows these errors until they are fixed"
        }
    );
    hub.publish(Message::Errors(plain));
}

const FIRST_BUILD_FAILED: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head><body data-playbook-no-site><h1>The first build failed</h1><p>Fix the errors shown here and in the terminal; this page reloads by itself.</p></body></html>\n";

fn handle(request: http::Request, served: &Served, hub: &Hub) {
    let url = request.url().to_string();
    match url.split('?').next().unwrap_or("") {
        "/__playbook/events" => {
            let last = request
                .header("Last-Event-ID")
                .and_then(|v| v.trim().parse().ok());
            hub.stream(request, last);
            return;
        }
        "/__playbook/live.js" => {
            http::respond(
                request,
                200,
                "text/javascript; charset=utf-8",
                &[],
                live::CLIENT_JS.as_bytes(),
            );
            return;
        }
        _ => {}
    }
    if !matches!(request.method(), http::Method::Get | http::Method::Head) {
        http::respond(
            request,
            405,
            "text/plain; charset=utf-8",
            &[("Allow", "GET, HEAD")],
            b"method not allowed\n",
        );
        return;
    }
    let (output, base_path, failed_first) = served.current();
    if failed_first {
        let page = http::inject_client(FIRST_BUILD_FAILED.as_bytes());
        http::respond(request, 500, "text/html; charset=utf-8", &[], &page);
        return;
    }
    match http::route(&url, &base_path, &output) {
        http::Route::File(path) => {
            let Some(body) = output.get(&path) else {
                http::respond(
                    request,
                    404,
                    "text/plain; charset=utf-8",
                    &[],
                    b"not found\n",
                );
                return;
            };
            let ct = http::content_type(&path);
            match http::body_bytes(body) {
                Ok(bytes) if ct.starts_with("text/html") => {
                    http::respond(request, 200, ct, &[], &http::inject_client(&bytes))
                }
                Ok(bytes) => http::respond(request, 200, ct, &[], &bytes),
                Err(e) => http::respond(
                    request,
                    500,
                    "text/plain; charset=utf-8",
                    &[],
                    format!("cannot read {path}: {e}\n").as_bytes(),
                ),
            }
        }
        http::Route::Redirect(to) => http::respond(
            request,
            302,
            "text/plain; charset=utf-8",
            &[("Location", &to)],
            b"",
        ),
        http::Route::NotFound => {
            let page = output
                .get("404.html")
                .and_then(|b| http::body_bytes(b).ok())
                .map(|b| http::inject_client(&b))
                .unwrap_or_else(|| b"not found\n".to_vec());
            http::respond(request, 404, "text/html; charset=utf-8", &[], &page)
        }
        http::Route::BadRequest => http::respond(
            request,
            400,
            "text/plain; charset=utf-8",
            &[],
            b"bad request\n",
        ),
    }
}

fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(cmd)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_err()
    {
        eprintln!("warning: could not open a browser; open {url} yourself");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_changes() {
        let root = Path::new("/pb");
        let out = Path::new("/pb/public");
        let c = |p: &str| classify(root, Path::new(p), out);
        assert_eq!(c("/pb/content/prompts/a.md"), Change::Site);
        assert_eq!(c("/pb/book.toml"), Change::Site);
        assert_eq!(c("/pb/themes/default/templates/page.html"), Change::Site);
        assert_eq!(c("/pb/themes/default/static/style.css"), Change::Css);
        assert_eq!(c("/pb/public/index.html"), Change::Ignored);
        assert_eq!(c("/pb/content/prompts/.a.md.swp"), Change::Ignored);
        assert_eq!(c("/pb/content/prompts/a.md~"), Change::Ignored);
        assert_eq!(c("/pb/README.md"), Change::Ignored);
        assert_eq!(c("/elsewhere/x.md"), Change::Ignored);
    }
}
