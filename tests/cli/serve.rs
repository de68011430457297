//! `playbook serve` with real files, a real watcher and real HTTP on loopback: edits,
//! broken front matter, fixes, deletions and renames show up without a restart, and no
//! request can read outside the site. Every wait is a bounded poll, never a bare sleep.

use crate::support::{Project, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const PROMPT: &str = "+++\ntitle = \"What would you remove?\"\npurpose = \"Test prioritization clarity\"\n+++\n\nFirst version.\n";

impl Server {
    /// Waits until serve has printed `n` build lines, for at most 10 s; returns the last.
    fn build_line(&self, n: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let builds: Vec<String> = self
                .lines
                .lock()
                .unwrap()
                .iter()
                .filter(|(_, l)| l.starts_with("Built "))
                .map(|(_, l)| l.clone())
                .collect();
            if builds.len() >= n {
                return builds[n - 1].clone();
            }
            assert!(Instant::now() < deadline, "no build line {n}: {builds:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn get(&self, path: &str) -> (u16, String, String) {
        http_get(&self.origin, path)
    }

    /// Polls `path` until `check` holds on (status, body), for at most 10 s.
    fn wait_for(&self, path: &str, what: &str, check: impl Fn(u16, &str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (status, _, body) = self.get(path);
            if check(status, &body) {
                return body;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} at {path}: last status {status}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A minimal HTTP/1.1 GET over a real socket: (status, headers, body).
fn http_get(origin: &str, path: &str) -> (u16, String, String) {
    let addr = origin.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

/// Reads the live-reload stream until `needle` appears, for at most 10 s.
fn sse_until(origin: &str, needle: &str, trigger: impl FnOnce()) -> String {
    let addr = origin.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    write!(s, "GET /__playbook/events HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    let mut trigger = Some(trigger);
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(n) = s.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        if seen.contains("event: ")
            && let Some(t) = trigger.take()
        {
            t();
        }
        if trigger.is_none() && seen.contains(needle) {
            return seen;
        }
    }
    panic!("live-reload stream never carried {needle:?}; got:\n{seen}");
}

#[test]
fn serve_shows_an_edit_without_a_restart() {
    let p = Project::new().file("content/prompts/remove-one.md", PROMPT);
    let s = Server::start(&p);
    assert_eq!(s.base, "/playbook/");
    let page = format!("{}prompts/remove-one/", s.base);
    let body = s.wait_for(&page, "first build", |st, _| st == 200);
    assert!(body.contains("First version."));
    assert!(
        body.contains("/__playbook/live.js"),
        "live reload client injected"
    );
    p.write(
        "content/prompts/remove-one.md",
        PROMPT
            .replace("First version.", "Second version.")
            .as_bytes(),
    );
    s.wait_for(&page, "the edit", |st, b| {
        st == 200 && b.contains("Second version.")
    });
}

#[test]
fn a_body_edit_renders_only_that_page_and_a_title_edit_the_pages_that_show_it() {
    let tool = "+++\ntitle = \"Story Mapping\"\npurpose = \"Shared picture\"\nprompts = [\"remove-one\"]\n+++\n\nSteps.\n";
    let p = Project::new()
        .file("content/prompts/remove-one.md", PROMPT)
        .file(
            "content/prompts/unrelated.md",
            &PROMPT.replace("remove?", "keep?"),
        )
        .file("content/tools/story-mapping.md", tool);
    let s = Server::start(&p);
    let first = s.build_line(1);
    assert!(first.contains("0 reused"), "{first}");
    p.write(
        "content/prompts/remove-one.md",
        PROMPT.replace("First", "Second").as_bytes(),
    );
    let second = s.build_line(2);
    assert!(second.contains("(1 files rendered"), "{second}");
    // A new title shows on the tool that links to it, on the prompt index and on the
    // home page's cards, so those render again; the unrelated prompt does not.
    p.write(
        "content/prompts/remove-one.md",
        PROMPT
            .replace("What would you remove?", "What goes?")
            .as_bytes(),
    );
    let third = s.build_line(3);
    let rendered: usize = third
        .split('(')
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!((2..6).contains(&rendered), "{third}");
    let (_, _, tool_page) = s.get(&format!("{}tools/story-mapping/", s.base));
    assert!(tool_page.contains("What goes?"));
    let (_, _, other) = s.get(&format!("{}prompts/unrelated/", s.base));
    assert!(other.contains("What would you keep?"));
}

#[test]
fn a_body_edit_that_adds_a_warning_shows_the_page_and_the_warning() {
    let p = Project::new().file("content/prompts/remove-one.md", PROMPT);
    let s = Server::start(&p);
    s.build_line(1);
    // A raw HTML link from the domain root: a warning, not an error.
    p.write(
        "content/prompts/remove-one.md",
        PROMPT
            .replace(
                "First version.",
                "Second version, <a href=\"/elsewhere/\">away</a>.",
            )
            .as_bytes(),
    );
    let second = s.build_line(2);
    assert!(second.contains("(1 files rendered"), "{second}");
    let page = format!("{}prompts/remove-one/", s.base);
    let body = s.wait_for(&page, "the edit", |st, b| {
        st == 200 && b.contains("Second version")
    });
    assert!(body.contains("href=\"/elsewhere/\""));
    let lines = s.said();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("warning: the raw HTML link `/elsewhere/`")),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|l| l.contains("build failed")),
        "{lines:?}"
    );
    // Removing the link removes the warning: the next build prints none.
    let before = s.lines.lock().unwrap().len();
    p.write(
        "content/prompts/remove-one.md",
        PROMPT.replace("First", "Third").as_bytes(),
    );
    s.build_line(3);
    s.wait_for(&page, "the fix", |st, b| {
        st == 200 && b.contains("Third version")
    });
    let after = &s.said()[before..];
    assert!(!after.iter().any(|l| l.contains("warning:")), "{after:?}");
}

#[test]
fn serve_tells_open_tabs_to_reload_after_a_good_build() {
    let p = Project::new().file("content/prompts/remove-one.md", PROMPT);
    let s = Server::start(&p);
    let seen = sse_until(&s.origin, "event: reload", || {
        p.write(
            "content/prompts/remove-one.md",
            PROMPT.replace("First", "Third").as_bytes(),
        );
    });
    assert!(
        seen.contains("id: "),
        "events carry the build number: {seen}"
    );
}

#[test]
fn broken_front_matter_shows_errors_and_keeps_the_last_good_page() {
    let p = Project::new().file("content/prompts/remove-one.md", PROMPT);
    let s = Server::start(&p);
    let page = format!("{}prompts/remove-one/", s.base);
    s.wait_for(&page, "first build", |st, _| st == 200);
    let seen = sse_until(&s.origin, "event: errors", || {
        p.write(
            "content/prompts/remove-one.md",
            b"+++\ntitle = \"What would you remove?\"\npurpse = \"x\"\n+++\n\nBroken.\n",
        );
    });
    assert!(seen.contains("content/prompts/remove-one.md:3:1"), "{seen}");
    assert!(seen.contains("did you mean `purpose`?"), "{seen}");
    // The last good page is still served.
    let (status, _, body) = s.get(&page);
    assert_eq!(status, 200);
    assert!(body.contains("First version."));
    // A tab opened now learns about the errors as soon as it connects.
    let seen = sse_until(&s.origin, "event: errors", || {});
    assert!(seen.contains("unknown front matter key `purpse`"));
    // The fix clears them: the next message is a reload, and the new text is served.
    let seen = sse_until(&s.origin, "event: reload", || {
        p.write(
            "content/prompts/remove-one.md",
            PROMPT.replace("First", "Fixed").as_bytes(),
        );
    });
    assert!(seen.contains("event: reload"));
    s.wait_for(&page, "the fix", |st, b| {
        st == 200 && b.contains("Fixed version.")
    });
}

#[test]
fn a_body_edit_that_breaks_a_link_elsewhere_is_an_error_until_fixed() {
    // The tool links to a heading of the prompt; the prompt's body loses that heading.
    let prompt = "+++\ntitle = \"What would you remove?\"\npurpose = \"Clarity\"\n+++\n\n## How to ask\n\nFirst version.\n";
    let tool = "+++\ntitle = \"Story Mapping\"\npurpose = \"Shared picture\"\n+++\n\nSee [asking](../prompts/remove-one.md#how-to-ask).\n";
    let p = Project::new()
        .file("content/prompts/remove-one.md", prompt)
        .file("content/tools/story-mapping.md", tool);
    let s = Server::start(&p);
    let page = format!("{}prompts/remove-one/", s.base);
    s.wait_for(&page, "first build", |st, _| st == 200);
    let seen = sse_until(&s.origin, "event: errors", || {
        p.write(
            "content/prompts/remove-one.md",
            prompt
                .replace("## How to ask", "## How to listen")
                .as_bytes(),
        );
    });
    assert!(seen.contains("missing anchor `#how-to-ask`"), "{seen}");
    assert!(
        seen.contains("content/tools/story-mapping.md:6:5"),
        "{seen}"
    );
    assert!(seen.contains("did you mean `#how-to-listen`?"), "{seen}");
    let (_, _, body) = s.get(&page);
    assert!(body.contains("How to ask"), "the last good page stays");
    // A body edit that is fine again is served, and so is the next one.
    p.write(
        "content/prompts/remove-one.md",
        prompt.replace("First", "Second").as_bytes(),
    );
    s.wait_for(&page, "the fix", |st, b| {
        st == 200 && b.contains("Second version.")
    });
    p.write(
        "content/prompts/remove-one.md",
        prompt.replace("First", "Third").as_bytes(),
    );
    s.wait_for(&page, "an edit after the fix", |st, b| {
        st == 200 && b.contains("Third version.")
    });
    // A page whose body did not change kept its own file.
    let (_, _, tool_page) = s.get(&format!("{}tools/story-mapping/", s.base));
    assert!(
        tool_page.contains("prompts/remove-one/#how-to-ask"),
        "{tool_page}"
    );
}

#[test]
fn deleted_and_renamed_pages_disappear_and_move() {
    let p = Project::new()
        .file("content/prompts/remove-one.md", PROMPT)
        .file(
            "content/prompts/other.md",
            &PROMPT.replace("remove?", "change?"),
        );
    let s = Server::start(&p);
    let other = format!("{}prompts/other/", s.base);
    s.wait_for(&other, "first build", |st, _| st == 200);
    std::fs::remove_file(p.path().join("content/prompts/other.md")).unwrap();
    s.wait_for(&other, "deletion", |st, _| st == 404);
    std::fs::rename(
        p.path().join("content/prompts/remove-one.md"),
        p.path().join("content/prompts/removed.md"),
    )
    .unwrap();
    s.wait_for(&format!("{}prompts/removed/", s.base), "rename", |st, _| {
        st == 200
    });
    let (status, _, _) = s.get(&format!("{}prompts/remove-one/", s.base));
    assert_eq!(status, 404);
}

#[test]
fn first_build_failure_still_serves_the_errors() {
    let p = Project::new().file("content/prompts/a.md", "+++\ntitle = \"A?\"\n+++\n");
    let s = Server::start(&p);
    assert_eq!(s.base, "/playbook/");
    let (status, _, body) = s.get(&s.base);
    assert_eq!(status, 500);
    assert!(body.contains("/__playbook/live.js"));
    // The overlay reads this to say there is no site yet, not "the last good build".
    assert!(body.contains("<body data-playbook-no-site>"), "{body}");
    let seen = sse_until(&s.origin, "event: errors", || {});
    assert!(seen.contains("missing required key `purpose`"));
    // No good build yet: the terminal does not claim to serve one.
    let said = |text: &str| {
        s.lines
            .lock()
            .unwrap()
            .iter()
            .any(|(_, l)| l.contains(text))
    };
    // stderr is read by its own thread: give the line a bounded moment to arrive.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !said("the browser shows these errors until they are fixed") {
        assert!(
            std::time::Instant::now() < deadline,
            "no line saying the errors show in the browser"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(!said("still serving the last good site"));
    p.write(
        "content/prompts/a.md",
        b"+++\ntitle = \"A?\"\npurpose = \"p\"\n+++\n",
    );
    s.wait_for(&s.base, "the fix", |st, _| st == 200);
}

#[test]
fn serve_redirects_root_and_folders_and_sets_content_types() {
    let p = Project::new().file("content/prompts/remove-one.md", PROMPT);
    p.write(
        "content/images/a.svg",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    let s = Server::start(&p);
    s.wait_for(&s.base, "first build", |st, _| st == 200);
    let (status, head, _) = s.get("/");
    assert_eq!(status, 302);
    assert!(head.contains("Location: /playbook/"), "{head}");
    let (status, head, _) = s.get("/playbook/prompts/remove-one");
    assert_eq!(status, 302);
    assert!(
        head.contains("Location: /playbook/prompts/remove-one/"),
        "{head}"
    );
    for (path, ct) in [
        ("/playbook/style.css", "text/css"),
        ("/playbook/playbook.js", "text/javascript"),
        ("/playbook/images/a.svg", "image/svg+xml"),
        ("/playbook/playbook.json", "application/json"),
        ("/playbook/feed.xml", "application/xml"),
    ] {
        let (status, head, _) = s.get(path);
        assert_eq!(status, 200, "{path}");
        assert!(
            head.contains(&format!("Content-Type: {ct}")),
            "{path}: {head}"
        );
    }
    let (status, _, body) = s.get("/playbook/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"));
}

#[test]
fn no_request_reads_outside_the_site() {
    let p = Project::new().file("content/prompts/remove-one.md", PROMPT);
    let s = Server::start(&p);
    s.wait_for(&s.base, "first build", |st, _| st == 200);
    for attack in [
        "/playbook/../book.toml",
        "/playbook/%2e%2e/book.toml",
        "/playbook/%2E%2E%2Fbook.toml",
        "/playbook/..%2f..%2fbook.toml",
        "/playbook/..\\book.toml",
        "/playbook/%5c..%5cbook.toml",
        "/playbook/%00../book.toml",
        "/book.toml",
        "/content/prompts/remove-one.md",
        "/playbook/content/prompts/remove-one.md",
        "//etc/passwd",
        "/playbook//etc/passwd",
        "/playbook/%2fetc%2fpasswd",
    ] {
        let (status, _, body) = s.get(attack);
        assert!(status == 400 || status == 404, "{attack}: status {status}");
        assert!(!body.contains("[book]"), "{attack} leaked book.toml");
        assert!(!body.contains("root:"), "{attack} leaked /etc/passwd");
        assert!(
            !body.contains("purpose = "),
            "{attack} leaked a source file"
        );
    }
}

#[test]
fn busy_explicit_port_is_a_clear_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let p = Project::new();
    p.run(&["serve", "--port", &port])
        .fails()
        .stderr_has(&format!("cannot listen on 127.0.0.1:{port}"))
        .stderr_has("--port 0");
}

#[test]
fn serve_has_help() {
    Project::empty()
        .run(&["serve", "--help"])
        .succeeds()
        .stdout_has("Usage: playbook serve")
        .stdout_has("--port");
}

#[test]
fn a_stylesheet_edit_swaps_css_without_a_reload() {
    let p = Project::new()
        .file("content/prompts/remove-one.md", PROMPT)
        .file("themes/default/static/extra.css", "body { color: red; }\n");
    let s = Server::start(&p);
    let seen = sse_until(&s.origin, "event: css", || {
        p.write(
            "themes/default/static/extra.css",
            b"body { color: blue; }\n",
        );
    });
    assert!(!seen.contains("event: reload"), "{seen}");
    s.wait_for(
        &format!("{}extra.css", s.base),
        "the new stylesheet",
        |st, b| st == 200 && b.contains("blue"),
    );
}

#[test]
fn a_burst_of_saves_and_new_files_settles_on_the_last_version() {
    let p = Project::new().file("content/prompts/remove-one.md", PROMPT);
    let s = Server::start(&p);
    s.wait_for(&s.base, "first build", |st, _| st == 200);
    // Like an editor's atomic saves and a `git checkout` of many files at once.
    for i in 0..30 {
        let tmp = p.path().join("content/prompts/.remove-one.md.tmp");
        std::fs::write(
            &tmp,
            PROMPT.replace("First version.", &format!("Version {i}.")),
        )
        .unwrap();
        std::fs::rename(&tmp, p.path().join("content/prompts/remove-one.md")).unwrap();
    }
    for i in 0..40 {
        p.write(
            &format!("content/prompts/new-{i}.md"),
            PROMPT.replace("remove?", &format!("do {i}?")).as_bytes(),
        );
    }
    s.wait_for(
        &format!("{}prompts/remove-one/", s.base),
        "the last save",
        |st, b| st == 200 && b.contains("Version 29."),
    );
    s.wait_for(
        &format!("{}prompts/new-39/", s.base),
        "the last new file",
        |st, _| st == 200,
    );
    let (_, _, index) = s.get(&format!("{}prompts/", s.base));
    assert_eq!(index.matches("class=\"card kind-prompt\"").count(), 41);
}

#[test]
fn the_search_index_follows_edits_without_holding_up_the_reload() {
    let p = Project::new().file("content/prompts/remove-one.md", PROMPT);
    let s = Server::start(&p);
    // The index is built after the pages are served, then added to the site.
    s.wait_for(
        &format!("{}search/manifest.json", s.base),
        "the first index",
        |st, _| st == 200,
    );
    let lines_before = s.lines.lock().unwrap().len();
    p.write(
        "content/prompts/remove-one.md",
        PROMPT
            .replace("First version.", "Quuxplorative word.")
            .as_bytes(),
    );
    s.build_line(2);
    // The build line comes before the index line: the reload did not wait for it.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let lines = s.lines.lock().unwrap().clone();
        let new: Vec<&String> = lines[lines_before..].iter().map(|(_, l)| l).collect();
        // The new build's index is announced after the build itself (the first
        // build's index may still be announced just before it).
        let built = new.iter().position(|l| l.starts_with("Built "));
        if let Some(b) = built
            && new[b..]
                .iter()
                .any(|l| l.starts_with("Search index updated"))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no index update after the edit: {new:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
