//! `playbook serve` under load and churn, all on loopback: 200 connections fetching pages
//! in a loop and 50 open live-reload streams while 1,000 saves land in a burst and a real
//! `git checkout` switches 1,000 files. No request may fail, no page may be stale once the
//! rebuilds stop, every stream must hear the last build, and the server must still answer.
//! Every wait is a bounded poll; the figures are printed, never asserted as durations.

use crate::support::{Project, Server};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Pages on the first branch; `p0000`..`p0299` exist on both branches and are the ones
/// fetched under load, so every such request must answer 200 whatever the build state.
const PAGES: usize = 400;
const STABLE: usize = 300;
/// Pages the other branch adds: with the 300 retitled and the 100 deleted, 1,000 files.
const ADDED: usize = 600;
const HTTP_CLIENTS: usize = 200;
const SSE_CLIENTS: usize = 50;
const SAVES: usize = 1000;

fn prompt(title: &str, n: usize) -> String {
    let mut body = String::new();
    for k in 0..6 {
        body.push_str(&format!(
            "Paragraph {k} of page {n}: ask the team what they would stop doing, then wait. \
             Silence is part of the exercise; count to ten before you rephrase.\n\n"
        ));
    }
    format!("+++\ntitle = \"{title}\"\npurpose = \"Load test page {n}\"\n+++\n\n{body}")
}

/// Runs git in the playbook with no user or system configuration; a missing git fails
/// the test loudly.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Load Test",
            "-c",
            "user.email=load@example.org",
        ])
        .args(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap_or_else(|e| panic!("this test needs git on PATH: {e}"));
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The title in a page's front matter, as the file says now.
fn title_of(text: &str) -> &str {
    let line = text
        .lines()
        .find(|l| l.starts_with("title = \""))
        .expect("title line");
    &line["title = \"".len()..line.len() - 1]
}

impl Server {
    /// Finished builds so far (good ones and failed ones), with when the last was
    /// reported, the longest good build's time as printed, and when the last good build
    /// began (reported, less its time).
    fn builds(&self) -> (usize, Option<Instant>, u64, Option<Instant>) {
        let lines = self.lines.lock().unwrap();
        let mut n = 0;
        let mut last = None;
        let mut longest = 0;
        let mut last_began = None;
        for (at, l) in lines.iter() {
            if l.starts_with("Built ") || l.starts_with("error: build failed") {
                n += 1;
                last = Some(*at);
            }
            if let Some(ms) = l
                .strip_prefix("Built ")
                .and_then(|r| r.split(" in ").nth(1))
                .and_then(|r| r.split(" ms").next())
                .and_then(|ms| ms.parse().ok())
            {
                longest = longest.max(ms);
                last_began = at.checked_sub(Duration::from_millis(ms));
            }
        }
        (n, last, longest, last_began)
    }
}

/// One complete response, or what went wrong with it.
struct Response {
    status: u16,
    body: String,
}

/// One GET on a fresh connection, checked as a browser would take it: the head, a
/// `Content-Length`, exactly that many bytes of body, then the server closing the
/// connection it promised to close. `keep_alive` leaves out `Connection: close`, as
/// browsers do; the server answers `Connection: close` either way.
fn get(addr: &str, path: &str, keep_alive: bool) -> Result<Response, String> {
    let mut s = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let connection = if keep_alive {
        ""
    } else {
        "Connection: close\r\n"
    };
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{connection}\r\n").as_bytes())
        .map_err(|e| format!("send: {e}"))?;
    let mut raw = Vec::new();
    let mut buf = [0u8; 16384];
    let head_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match s.read(&mut buf) {
            Ok(0) => {
                return Err(format!(
                    "closed before the end of the head ({} bytes)",
                    raw.len()
                ));
            }
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) => return Err(format!("reading the head: {e}")),
        }
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("bad status line: {head:?}"))?;
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().to_string())
        })
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no Content-Length: {head:?}"))?;
    if !head.contains("Connection: close\r\n") {
        return Err(format!("no `Connection: close`: {head:?}"));
    }
    let mut body = raw[head_end..].to_vec();
    while body.len() < length {
        match s.read(&mut buf) {
            Ok(0) => return Err(format!("body cut at {} of {length} bytes", body.len())),
            Ok(n) => body.extend_from_slice(&buf[..n]),
            Err(e) => return Err(format!("body at {} of {length} bytes: {e}", body.len())),
        }
    }
    // The connection must then end, with nothing more on it.
    match s.read(&mut buf) {
        Ok(0) => {}
        Ok(n) => return Err(format!("{n} bytes after the {length}-byte body")),
        Err(e) => return Err(format!("not closed after the response: {e}")),
    }
    if body.len() != length {
        return Err(format!("{} bytes for Content-Length {length}", body.len()));
    }
    Ok(Response {
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// The text of a page's `<title>`.
fn page_title(html: &str) -> Option<&str> {
    let start = html.find("<title>")? + "<title>".len();
    let end = html[start..].find("</title>")? + start;
    Some(&html[start..end])
}

/// One open live-reload stream, read on its own thread: the last build id it carried,
/// and whether it broke.
struct Stream {
    last_id: Arc<AtomicU64>,
    broken: Arc<Mutex<Option<String>>>,
    thread: std::thread::JoinHandle<()>,
}

fn open_stream(addr: &str, stop: Arc<AtomicBool>) -> Stream {
    let last_id = Arc::new(AtomicU64::new(u64::MAX));
    let broken = Arc::new(Mutex::new(None));
    let (id, br, addr) = (last_id.clone(), broken.clone(), addr.to_string());
    let thread = std::thread::spawn(move || {
        let fail = |why: String| *br.lock().unwrap() = Some(why);
        let mut s = match TcpStream::connect(&addr) {
            Ok(s) => s,
            Err(e) => return fail(format!("connect: {e}")),
        };
        // A short timeout only so the thread notices `stop`; the stream stays open.
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        if let Err(e) = s.write_all(
            format!("GET /__playbook/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n")
                .as_bytes(),
        ) {
            return fail(format!("send: {e}"));
        }
        let mut seen = String::new();
        let mut buf = [0u8; 4096];
        while !stop.load(Ordering::SeqCst) {
            match s.read(&mut buf) {
                Ok(0) => return fail("the server closed the stream".into()),
                Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) => return fail(format!("read: {e}")),
            }
            // Keep only the unfinished tail; record each complete event's id.
            while let Some(end) = seen.find("\n\n") {
                let event: String = seen.drain(..end + 2).collect();
                if let Some(n) = event
                    .lines()
                    .find_map(|l| l.strip_prefix("id: "))
                    .and_then(|n| n.trim().parse().ok())
                {
                    id.store(n, Ordering::SeqCst);
                }
            }
        }
    });
    Stream {
        last_id,
        broken,
        thread,
    }
}

/// Connections fetching pages one request after another until stopped: client `c`
/// walks `p0000`..`p{pages - 1}` in steps of 37 from page `c`, every other client
/// leaving out `Connection: close`. A request counts as served only when it answers
/// 200 with a whole page titled `Prompt {i} …`; anything else is kept as a failure.
struct Load {
    stop: Arc<AtomicBool>,
    served: Arc<AtomicUsize>,
    failures: Arc<Mutex<Vec<String>>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Load {
    fn start(s: &Server, clients: usize, pages: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let served = Arc::new(AtomicUsize::new(0));
        let failures = Arc::new(Mutex::new(Vec::new()));
        let threads = (0..clients)
            .map(|c| {
                let (stop, served, failures) = (stop.clone(), served.clone(), failures.clone());
                let (addr, base) = (s.addr.clone(), s.base.clone());
                std::thread::spawn(move || {
                    let mut i = c;
                    while !stop.load(Ordering::SeqCst) {
                        i = (i + 37) % pages;
                        let path = format!("{base}prompts/p{i:04}/");
                        let want = format!("Prompt {i} ");
                        match get(&addr, &path, c % 2 == 0) {
                            Ok(r)
                                if r.status == 200
                                    && r.body.trim_end().ends_with("</html>")
                                    && page_title(&r.body)
                                        .is_some_and(|t| t.starts_with(&want)) =>
                            {
                                served.fetch_add(1, Ordering::SeqCst);
                            }
                            Ok(r) => failures.lock().unwrap().push(format!(
                                "{path}: status {} title {:?}",
                                r.status,
                                page_title(&r.body)
                            )),
                            Err(e) => failures.lock().unwrap().push(format!("{path}: {e}")),
                        }
                    }
                })
            })
            .collect();
        Load {
            stop,
            served,
            failures,
            threads,
        }
    }

    /// Requests served so far.
    fn served(&self) -> usize {
        self.served.load(Ordering::SeqCst)
    }

    /// Stops every client; returns the requests served and the failures.
    fn stop(self) -> (usize, Vec<String>) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads {
            t.join().unwrap();
        }
        let failures = std::mem::take(&mut *self.failures.lock().unwrap());
        (self.served.load(Ordering::SeqCst), failures)
    }
}

/// Polls `check` every 20 ms until it holds, for at most `limit`.
fn wait_until(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn serve_answers_every_request_and_ends_fresh_through_a_save_burst_and_a_git_checkout() {
    let started = Instant::now();
    let p = Project::new();
    for i in 0..PAGES {
        p.write(
            &format!("content/prompts/p{i:04}.md"),
            prompt(&format!("Prompt {i} first"), i).as_bytes(),
        );
    }
    // Two branches 1,000 files apart: 300 retitled, 100 deleted, 600 added.
    let dir = p.path();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "first"]);
    git(dir, &["checkout", "-q", "-b", "other"]);
    for i in 0..PAGES {
        let rel = format!("content/prompts/p{i:04}.md");
        if i < STABLE {
            p.write(&rel, prompt(&format!("Prompt {i} other"), i).as_bytes());
        } else {
            std::fs::remove_file(dir.join(rel)).unwrap();
        }
    }
    for i in 0..ADDED {
        p.write(
            &format!("content/prompts/n{i:04}.md"),
            prompt(&format!("New {i} other"), i).as_bytes(),
        );
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "other"]);
    git(dir, &["checkout", "-q", "main"]);
    let switched = git(
        dir,
        &["diff", "--no-renames", "--name-only", "main", "other"],
    );
    assert_eq!(switched.lines().count(), 1000);

    let s = Server::start(&p);
    let page = |i: usize| format!("{}prompts/p{i:04}/", s.base);
    wait_until(
        Duration::from_secs(60),
        "the first build",
        || matches!(get(&s.addr, &page(0), false), Ok(r) if r.status == 200),
    );

    // 50 open tabs, each having heard the server's hello before the load starts.
    let stop_streams = Arc::new(AtomicBool::new(false));
    let streams: Vec<Stream> = (0..SSE_CLIENTS)
        .map(|_| open_stream(&s.addr, stop_streams.clone()))
        .collect();
    wait_until(Duration::from_secs(30), "50 streams to say hello", || {
        streams
            .iter()
            .all(|t| t.last_id.load(Ordering::SeqCst) != u64::MAX)
    });

    // 200 connections, each fetching stable pages one request after another.
    let load = Load::start(&s, HTTP_CLIENTS, STABLE);
    wait_until(Duration::from_secs(60), "the load to get going", || {
        load.served() >= HTTP_CLIENTS
    });

    // 1,000 saves in a burst, as editors make them: half in place, half written aside
    // and renamed over the page.
    let churn = Instant::now();
    for k in 0..SAVES {
        let i = k % PAGES;
        let rel = format!("content/prompts/p{i:04}.md");
        let text = prompt(&format!("Prompt {i} save {k}"), i);
        if k % 2 == 0 {
            p.write(&rel, text.as_bytes());
        } else {
            let aside = dir.join(format!("content/prompts/.p{i:04}.md.tmp"));
            std::fs::write(&aside, text).unwrap();
            std::fs::rename(&aside, dir.join(&rel)).unwrap();
        }
    }
    // Commit the burst, then switch branch: git rewrites, deletes and creates 1,000 files.
    git(dir, &["commit", "-q", "-a", "-m", "burst"]);
    let checkout_began = Instant::now();
    git(dir, &["checkout", "-q", "other"]);
    let checked_out = Instant::now();

    // The dust settles when a build that began after the checkout did has been shown,
    // and none has finished for a while since.
    let settled = quiet_after(&s, checkout_began, Duration::from_secs(120));
    let (requests, failed) = load.stop();
    let (builds, _, longest, _) = s.builds();

    // No stale page: every page now on disk is served with the title its file has now,
    // and the deleted ones are gone.
    let mut checked = 0;
    for entry in std::fs::read_dir(dir.join("content/prompts")).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let want = format!("{} · ", title_of(&text));
        // What serve did last says why a page is wrong: which builds ran, what they
        // rendered, and whether it stopped.
        let r = get(&s.addr, &format!("{}prompts/{stem}/", s.base), false).unwrap_or_else(|e| {
            panic!(
                "{stem}: {e}; serve ended: {:?}; its last lines: {:#?}",
                s.ended(),
                s.last_said(12)
            )
        });
        assert_eq!(r.status, 200, "{stem}");
        let got = page_title(&r.body).unwrap_or("");
        assert!(
            got.starts_with(&want),
            "{stem} is stale: served {got:?}, file says {want:?}; serve's last lines: {:#?}",
            s.last_said(12)
        );
        checked += 1;
    }
    assert_eq!(checked, STABLE + ADDED);
    for i in STABLE..PAGES {
        let r = get(&s.addr, &page(i), false).unwrap_or_else(|e| panic!("p{i:04}: {e}"));
        assert_eq!(r.status, 404, "deleted page p{i:04} is still served");
    }
    let index = get(&s.addr, &format!("{}prompts/", s.base), false).unwrap();
    assert_eq!(
        index.body.matches("class=\"card kind-prompt\"").count(),
        STABLE + ADDED
    );

    // Every open tab heard the last build: a new tab is greeted with its id.
    let fresh = open_stream(&s.addr, stop_streams.clone());
    wait_until(Duration::from_secs(10), "a new tab's hello", || {
        fresh.last_id.load(Ordering::SeqCst) != u64::MAX
    });
    let final_id = fresh.last_id.load(Ordering::SeqCst);
    wait_until(
        Duration::from_secs(10),
        "every tab to hear the last build",
        || {
            streams
                .iter()
                .all(|t| t.last_id.load(Ordering::SeqCst) == final_id)
        },
    );
    stop_streams.store(true, Ordering::SeqCst);
    let mut broken = Vec::new();
    for t in streams.into_iter().chain([fresh]) {
        t.thread.join().unwrap();
        if let Some(why) = t.broken.lock().unwrap().take() {
            broken.push(why);
        }
    }

    println!(
        "serve under load: {requests} requests served, {} failed; {SAVES} saves and a \
         1,000-file checkout gave {builds} builds (build id {final_id}, longest {longest} ms); \
         settled {:.1} s after the checkout (churn began {:.1} s before it); {checked} pages \
         checked fresh; {} streams broken; {:.1} s in all",
        failed.len(),
        settled.saturating_duration_since(checked_out).as_secs_f64(),
        checked_out.duration_since(churn).as_secs_f64(),
        broken.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failed.is_empty(),
        "{} failed requests, first: {:?}",
        failed.len(),
        &failed[..failed.len().min(10)]
    );
    assert!(broken.is_empty(), "broken streams: {broken:?}");
    // Still responsive after it all.
    let home = get(&s.addr, &s.base, false).unwrap();
    assert_eq!(home.status, 200);
}

/// git replaces each file it switches by removing it and writing it anew. A build that
/// lists the folder in that instant must not be shown: every page on both branches
/// answers 200 through checkouts back and forth, each one landing while the builds of
/// the one before may still run.
#[test]
fn a_page_on_both_branches_never_goes_missing_through_checkouts_back_and_forth() {
    const BOTH: usize = 1000;
    const CHECKOUTS: usize = 6;
    let p = Project::new();
    let dir = p.path();
    for i in 0..BOTH {
        p.write(
            &format!("content/prompts/p{i:04}.md"),
            prompt(&format!("Prompt {i} main"), i).as_bytes(),
        );
    }
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "main"]);
    git(dir, &["checkout", "-q", "-b", "other"]);
    for i in 0..BOTH {
        p.write(
            &format!("content/prompts/p{i:04}.md"),
            prompt(&format!("Prompt {i} other"), i).as_bytes(),
        );
    }
    git(dir, &["commit", "-q", "-a", "-m", "other"]);
    git(dir, &["checkout", "-q", "main"]);

    let s = Server::start(&p);
    let title = |i: usize| {
        get(&s.addr, &format!("{}prompts/p{i:04}/", s.base), false)
            .ok()
            .filter(|r| r.status == 200)
            .and_then(|r| page_title(&r.body).map(str::to_string))
    };
    wait_until(Duration::from_secs(60), "the first build", || {
        title(0).is_some()
    });

    let load = Load::start(&s, 8, BOTH);

    // Each checkout as soon as the last page shows the branch before, while the builds
    // that followed it may still run.
    for k in 0..CHECKOUTS {
        let branch = if k % 2 == 0 { "other" } else { "main" };
        git(dir, &["checkout", "-q", branch]);
        let want = format!("Prompt {} {branch} · ", BOTH - 1);
        wait_until(
            Duration::from_secs(120),
            &format!("checkout {k} to show"),
            || title(BOTH - 1).is_some_and(|t| t.starts_with(&want)),
        );
    }
    let (requests, failed) = load.stop();
    println!(
        "{CHECKOUTS} checkouts of {BOTH} files: {requests} requests served, {} failed",
        failed.len()
    );
    assert!(
        failed.is_empty(),
        "{} failed requests, first: {:?}",
        failed.len(),
        &failed[..failed.len().min(10)]
    );
    // And the last branch is what ends up served, page by page.
    let last = if CHECKOUTS % 2 == 1 { "other" } else { "main" };
    for i in 0..BOTH {
        let want = format!("Prompt {i} {last} · ");
        wait_until(
            Duration::from_secs(30),
            &format!("p{i:04} on {last}"),
            || title(i).is_some_and(|t| t.starts_with(&want)),
        );
    }
}

/// While git holds its index lock the working tree is half written, so nothing is built
/// from it: a page removed meanwhile stays served, and the build after the lock goes
/// sees the file back. A lock that never goes (a crashed git) holds builds back for a
/// few seconds only.
#[test]
fn serve_waits_for_git_to_finish_and_not_for_a_lock_left_behind() {
    let p = Project::new();
    let dir = p.path();
    for i in 0..3 {
        p.write(
            &format!("content/prompts/p{i:04}.md"),
            prompt(&format!("Prompt {i} first"), i).as_bytes(),
        );
    }
    git(dir, &["init", "-q", "-b", "main"]);
    let s = Server::start(&p);
    let page = |i: usize| {
        get(&s.addr, &format!("{}prompts/p{i:04}/", s.base), false)
            .unwrap_or_else(|e| panic!("p{i:04}: {e}"))
    };
    wait_until(Duration::from_secs(60), "the first build", || {
        page(1).status == 200
    });
    let builds = s.builds().0;

    // git takes its lock and removes a file it is about to write again.
    let lock = dir.join(".git/index.lock");
    std::fs::write(&lock, "").unwrap();
    std::fs::remove_file(dir.join("content/prompts/p0001.md")).unwrap();
    // Two seconds: many times a build of three pages, under the five serve waits.
    let watched = Instant::now();
    while watched.elapsed() < Duration::from_secs(2) {
        assert_eq!(page(1).status, 200, "built while git held its lock");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(s.builds().0, builds, "a build ran while git held its lock");
    p.write(
        "content/prompts/p0001.md",
        prompt("Prompt 1 back", 1).as_bytes(),
    );
    std::fs::remove_file(&lock).unwrap();
    wait_until(Duration::from_secs(30), "the page written back", || {
        page_title(&page(1).body).is_some_and(|t| t.starts_with("Prompt 1 back · "))
    });

    // A lock left behind: the removal shows all the same, after the wait.
    std::fs::write(&lock, "").unwrap();
    std::fs::remove_file(dir.join("content/prompts/p0002.md")).unwrap();
    wait_until(
        Duration::from_secs(30),
        "the removal despite the lock",
        || page(2).status == 404,
    );
}

/// Sends raw bytes on a fresh connection and reads the answer to its end.
fn raw(addr: &str, bytes: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(bytes).expect("send");
    let mut out = Vec::new();
    s.read_to_end(&mut out)
        .expect("the server closes the connection");
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn malformed_oversized_and_unsupported_requests_get_an_answer_and_serve_goes_on() {
    let p = Project::new().file("content/prompts/a.md", &prompt("What would you remove?", 0));
    let s = Server::start(&p);
    wait_until(
        Duration::from_secs(30),
        "the first build",
        || matches!(get(&s.addr, &s.base, false), Ok(r) if r.status == 200),
    );
    assert!(raw(&s.addr, b"NOT HTTP AT ALL\r\n\r\n").starts_with("HTTP/1.1 400 "));
    let huge = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(20_000));
    assert!(raw(&s.addr, huge.as_bytes()).starts_with("HTTP/1.1 431 "));
    let many: String = (0..100).map(|i| format!("X-{i}: y\r\n")).collect();
    let many = format!("GET / HTTP/1.1\r\n{many}\r\n");
    assert!(raw(&s.addr, many.as_bytes()).starts_with("HTTP/1.1 431 "));
    // A body the server does not read must not turn the close into a reset.
    let post = raw(
        &s.addr,
        format!("POST {} HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", s.base).as_bytes(),
    );
    assert!(post.starts_with("HTTP/1.1 405 "), "{post}");
    let head = raw(
        &s.addr,
        format!("HEAD {} HTTP/1.1\r\n\r\n", s.base).as_bytes(),
    );
    assert!(
        head.starts_with("HTTP/1.1 200 ") && head.ends_with("\r\n\r\n"),
        "{head}"
    );
    // A client that connects and goes away without a word costs nothing.
    drop(TcpStream::connect(&s.addr).unwrap());
    let page = get(&s.addr, &format!("{}prompts/a/", s.base), true).expect("still serving");
    assert_eq!(page.status, 200);
}

/// Waits until a good build that began after `from` (when the last change began) has
/// been shown, and no build has finished since for three times the longest build so
/// far (at least 2 s); at most `limit`. Returns when the quiet began. Silence alone is
/// not enough: serve prints nothing while it builds again a site it caught mid-change,
/// or waits for a file being replaced, which on a loaded machine can take seconds.
fn quiet_after(s: &Server, from: Instant, limit: Duration) -> Instant {
    let deadline = from + limit;
    loop {
        let (builds, last, longest, last_began) = s.builds();
        let quiet = Duration::from_millis((3 * longest).max(2000));
        let since = last.map_or(from, |l| l.max(from));
        if last_began.is_some_and(|b| b >= from) && since.elapsed() >= quiet {
            return since;
        }
        assert!(
            Instant::now() < deadline,
            "no quiet after a build that began after the change, in {limit:?} (the builds \
             never stopped, or none began): {builds} builds, longest {longest} ms, the last \
             good one began after the change: {}; last lines: {:?}",
            last_began.is_some_and(|b| b >= from),
            s.last_said(8)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The kernel keeps a watcher's events in a queue of `fs.inotify.max_queued_events`
/// (16,384 by default) and drops what does not fit; a build of a big playbook alone
/// queues an event per file it opens, and a loaded machine may not let serve read them
/// in time. Edits whose events were dropped must still be built. Here serve is paused
/// (SIGSTOP) while another program fills its queue and then every page's body is
/// edited, as a search and replace across files does: none of the edits' events reach
/// serve, only word that some were lost, and the edits must be found by comparing the
/// files with what the last build read.
#[cfg(target_os = "linux")]
#[test]
fn edits_whose_watcher_events_were_lost_are_still_built() {
    let queue: usize = std::fs::read_to_string("/proc/sys/fs/inotify/max_queued_events")
        .expect("read /proc/sys/fs/inotify/max_queued_events")
        .trim()
        .parse()
        .unwrap();
    const N: usize = 300;
    let page = |i: usize, edition: &str| {
        format!(
            "+++\ntitle = \"Prompt {i}\"\npurpose = \"Lost events {i}\"\n+++\n\n\
             Edition {edition} of page {i}: ask what the team would stop doing.\n"
        )
    };
    let p = Project::new();
    for i in 0..N {
        p.write(
            &format!("content/prompts/p{i:04}.md"),
            page(i, "first").as_bytes(),
        );
    }
    let flood = [".flood-a", ".flood-b"].map(|n| p.path().join("content/prompts").join(n));
    for f in &flood {
        std::fs::write(f, "").unwrap();
    }
    let s = Server::start(&p);
    let body = |i: usize| {
        get(&s.addr, &format!("{}prompts/p{i:04}/", s.base), false)
            .ok()
            .filter(|r| r.status == 200)
            .map(|r| r.body)
            .unwrap_or_default()
    };
    wait_until(Duration::from_secs(60), "the first build", || {
        body(N - 1).contains(&format!("Edition first of page {}", N - 1))
    });

    let burst = {
        let _paused = s.pause();
        // Each opening of a file serve ignores is an event in its queue (two files in
        // turn: the kernel merges an event with an identical one queued just before).
        for k in 0..queue + 1000 {
            drop(std::fs::File::open(&flood[k % 2]).unwrap());
        }
        let burst = Instant::now();
        for i in 0..N {
            p.write(
                &format!("content/prompts/p{i:04}.md"),
                page(i, "second").as_bytes(),
            );
        }
        burst
    };
    // A build must follow: without one, the edits went unseen.
    quiet_after(&s, burst, Duration::from_secs(30));

    let stale: Vec<usize> = (0..N)
        .filter(|&i| !body(i).contains(&format!("Edition second of page {i}:")))
        .collect();
    let lines = s.said();
    assert!(
        stale.is_empty(),
        "{} of {N} pages stale after the burst, first p{:04}; serve said: {lines:#?}",
        stale.len(),
        stale[0]
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("The file watcher lost events")),
        "serve never said it lost events; it said: {lines:#?}"
    );
}
