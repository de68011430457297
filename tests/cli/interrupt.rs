//! No data lost: a build interrupted by Ctrl-C (SIGINT) or killed (SIGKILL) at any moment
//! leaves the output folder byte for byte as the previous build wrote it, or completely
//! the new site, never a mix; the next build succeeds and leaves nothing beside it.
//!
//! A playbook of a few thousand pages takes long enough to build that a signal lands in
//! every phase: while pages are rendered into the staging folder, after the last page is
//! staged (search index, site files), while the last files are written, and during the
//! swap and the removal of the old site. The points are conditions on the staging and
//! output folders; late ones add a few polls after a condition to spread the moments.

use crate::support::{BOOK, Project};
use rustix::process::{Pid, Signal, kill_process};
use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hasher};
use std::path::Path;
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Pages in the test playbook: enough that a debug build takes a few seconds.
const PAGES: usize = 3000;

/// Every file under `dir` by path relative to it, with a hash of its bytes.
fn manifest(dir: &Path) -> BTreeMap<String, u64> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy();
            // SipHash with fixed keys: the same bytes hash the same in every run.
            let mut h = DefaultHasher::new();
            h.write(&std::fs::read(e.path()).unwrap());
            (rel.replace('\\', "/"), h.finish())
        })
        .collect()
}

/// Writes the pages of `version`: every page names its version, and version 1 has one
/// page more, so the two sites differ in contents and in their list of files.
fn write_version(p: &Project, version: usize) {
    write_pages(p, version, PAGES);
}

/// [`write_version`] with `pages` pages.
fn write_pages(p: &Project, version: usize, pages: usize) {
    let dir = p.path().join("content/prompts");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..pages + version {
        let text = format!(
            "+++\ntitle = \"Question {i}, version {version}?\"\npurpose = \"Purpose {i}\"\n\
             tags = [\"topic-{}\"]\n+++\n\nVersion {version} of question {i}: what would you remove?\n",
            i % 40
        );
        std::fs::write(dir.join(format!("q{i}.md")), text).unwrap();
    }
    if version == 0 {
        let _ = std::fs::remove_file(dir.join(format!("q{pages}.md")));
    }
}

/// A playbook with both versions built once: returns it (holding version 0, built) and
/// the manifest of each version's output.
fn playbook() -> (Project, [BTreeMap<String, u64>; 2]) {
    playbook_of(PAGES)
}

/// [`playbook`] with `pages` pages.
fn playbook_of(pages: usize) -> (Project, [BTreeMap<String, u64>; 2]) {
    let p = Project::empty().file("book.toml", BOOK);
    write_pages(&p, 1, pages);
    p.run(&["build"]).succeeds();
    let one = manifest(&p.path().join("public"));
    write_pages(&p, 0, pages);
    p.run(&["build"]).succeeds();
    let zero = manifest(&p.path().join("public"));
    assert_ne!(zero, one, "the two versions must build different sites");
    assert!(zero.len() > pages, "{} files", zero.len());
    (p, [zero, one])
}

/// Names in the playbook root besides its own three and the spare a build keeps on
/// purpose: what a build left behind.
fn leftovers(p: &Project) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(p.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            !["book.toml", "content", "public", ".public.playbook-spare"].contains(&n.as_str())
        })
        .collect();
    v.sort();
    v
}

/// When to signal a build.
#[derive(Debug, Clone, Copy)]
enum Point {
    /// As soon as it started.
    Started,
    /// Once its staging folder holds this many rendered prompt pages.
    Staged(usize),
    /// This many polls (of about 2 ms) after this file appeared in its staging folder:
    /// the last files are written, and the swap comes.
    Written(&'static str, u32),
    /// As soon as the output folder is another one (or, where the swap takes two
    /// renames, missing): the old site is being removed.
    Swapped,
}

/// The points of `rounds` (at least 10) rounds: at the start, spread over the rendering,
/// then ever later around the final write and the swap.
fn points(rounds: usize) -> Vec<Point> {
    let late = [
        Point::Staged(PAGES),
        Point::Written("sitemap.xml", 0),
        Point::Written("sitemap.xml", 2),
        Point::Written("sitemap.xml", 5),
        Point::Written("sitemap.xml", 10),
        Point::Written("sitemap.xml", 20),
        Point::Swapped,
        Point::Swapped,
    ];
    let spread = rounds - 1 - late.len();
    let mut v = vec![Point::Started];
    v.extend((0..spread).map(|i| Point::Staged(i * PAGES / spread)));
    v.extend(late);
    v
}

/// The identity of the output folder: another after a swap.
fn output_id(p: &Project) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p.path().join("public"))
        .ok()
        .map(|m| m.ino())
}

/// Starts `playbook build` on `p`, waits until `point` (or until the build ends), sends
/// `signal`, and returns the exit status and whether the signal reached a running build.
fn build_and_signal(p: &Project, point: Point, signal: Signal) -> (ExitStatus, bool) {
    let before = output_id(p);
    let mut child: Child = p
        .command(&["build"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start playbook build");
    let staging = p
        .path()
        .join(format!(".public.playbook-new-{}", child.id()));
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut polls_after = 0;
    let reached = loop {
        if child.try_wait().unwrap().is_some() {
            break false;
        }
        let ready = match point {
            Point::Started => true,
            Point::Staged(n) => std::fs::read_dir(staging.join("prompts"))
                .map(|d| d.count() >= n.max(1))
                .unwrap_or(false),
            Point::Written(file, polls) => {
                if staging.join(file).exists() {
                    polls_after += 1;
                }
                polls_after > polls
            }
            Point::Swapped => output_id(p) != before,
        };
        if ready {
            break true;
        }
        assert!(
            Instant::now() < deadline,
            "the build reached neither {point:?} nor its end in 300 s"
        );
        std::thread::sleep(Duration::from_millis(2));
    };
    if reached {
        let pid = Pid::from_raw(child.id() as i32).unwrap();
        // The build may end between the check and the signal: then there is no process.
        let _ = kill_process(pid, signal);
    }
    // Reaped here, so its id no longer names a process for the next build's clean-up.
    (child.wait().unwrap(), reached)
}

/// Asserts the output is exactly one of the two sites, and says which.
fn which_site(p: &Project, sites: &[BTreeMap<String, u64>; 2], context: &str) -> usize {
    let now = manifest(&p.path().join("public"));
    match sites.iter().position(|s| *s == now) {
        Some(i) => i,
        None => {
            let diff = |s: &BTreeMap<String, u64>| {
                s.iter().filter(|(k, v)| now.get(*k) != Some(v)).count()
                    + now.keys().filter(|k| !s.contains_key(*k)).count()
            };
            panic!(
                "{context}: the output is neither site: {} files, {} differ from version 0, \
                 {} from version 1",
                now.len(),
                diff(&sites[0]),
                diff(&sites[1])
            );
        }
    }
}

/// Runs `n` rounds on a new playbook: each one switches the content to the other version
/// and signals its build at the next point; the output must then be the previous site or
/// the new one. Returns the playbook, both sites, and one line per round: the point,
/// whether the signal reached a running build, the exit status and the site now out.
fn rounds(signal: Signal, n: usize) -> (Project, [BTreeMap<String, u64>; 2], Vec<String>) {
    let (p, sites) = playbook();
    let mut current = 0;
    let mut log = Vec::new();
    for (round, point) in points(n).into_iter().enumerate() {
        let target = 1 - current;
        write_version(&p, target);
        let (status, reached) = build_and_signal(&p, point, signal);
        let context = format!("round {round}, {signal:?} at {point:?}");
        let now = which_site(&p, &sites, &context);
        assert!(
            now == current || now == target,
            "{context}: the output is a site of neither the old nor the new content"
        );
        if !reached {
            assert!(status.success(), "{context}: the build failed: {status}");
            assert_eq!(now, target, "{context}: a finished build left the old site");
        }
        log.push(format!(
            "{point:?}: signalled={reached}, {status}, output=version {now}"
        ));
        current = now;
    }
    (p, sites, log)
}

#[test]
fn ctrl_c_at_any_moment_leaves_the_old_or_the_new_site_and_no_staging_folder() {
    let (p, sites, log) = rounds(Signal::INT, 20);
    let log = log.join("\n");
    // Ctrl-C is handled: the build removes its own staging folder before it exits.
    assert_eq!(leftovers(&p), Vec::<String>::new(), "{log}");
    assert!(
        log.contains("signalled=true") && log.contains("exit status: 130"),
        "no round interrupted a running build:\n{log}"
    );
    assert!(
        log.contains("output=version 0") && log.contains("output=version 1"),
        "every round kept one site: the test proves nothing\n{log}"
    );
    // And the next build is a normal one.
    let target = if which_site(&p, &sites, "after the rounds") == 0 {
        1
    } else {
        0
    };
    write_version(&p, target);
    p.run(&["build"]).succeeds().no_panic();
    assert_eq!(which_site(&p, &sites, "the next build"), target);
    assert_eq!(leftovers(&p), Vec::<String>::new());
}

#[test]
fn ctrl_c_says_the_previous_output_was_left_unchanged() {
    let (p, sites) = playbook();
    write_version(&p, 1);
    let child = p
        .command(&["build"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let staging = p
        .path()
        .join(format!(".public.playbook-new-{}", child.id()));
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut child = child;
    // Signal as soon as the first page is staged: far from the end of the build.
    while !std::fs::read_dir(staging.join("prompts")).is_ok_and(|mut d| d.next().is_some()) {
        assert!(child.try_wait().unwrap().is_none(), "the build ended first");
        assert!(Instant::now() < deadline, "no page was staged in 300 s");
        std::thread::sleep(Duration::from_millis(2));
    }
    kill_process(Pid::from_raw(child.id() as i32).unwrap(), Signal::INT).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted: the previous output was left unchanged"),
        "{stderr}"
    );
    assert_eq!(which_site(&p, &sites, "after Ctrl-C"), 0);
    assert_eq!(leftovers(&p), Vec::<String>::new());
}

#[test]
fn kill_at_any_moment_leaves_the_old_or_the_new_site_and_the_next_build_cleans_up() {
    let (p, sites, log) = rounds(Signal::KILL, 20);
    let log = log.join("\n");
    assert!(
        log.contains("signalled=true") && log.contains("signal: 9"),
        "no round killed a running build:\n{log}"
    );
    assert!(
        log.contains("output=version 0") && log.contains("output=version 1"),
        "every round kept one site: the test proves nothing\n{log}"
    );
    // A killed build leaves its staging folder; the next build removes it.
    let target = 1 - which_site(&p, &sites, "after the rounds");
    write_version(&p, target);
    p.run(&["build"]).succeeds().no_panic();
    assert_eq!(which_site(&p, &sites, "the next build"), target, "{log}");
    assert_eq!(leftovers(&p), Vec::<String>::new(), "{log}");
}

/// A folder beside the output named as a build of process `pid` would name it.
fn sibling(p: &Project, role: &str, pid: u64) -> std::path::PathBuf {
    p.path().join(format!(".public.playbook-{role}-{pid}"))
}

/// A process id that names no process: above Linux's largest (2^22).
const DEAD: u64 = 90_000_000;

#[test]
fn output_set_aside_by_a_killed_swap_is_put_back_before_anything_else() {
    // Where the file system cannot exchange two folders in one step, the swap is two
    // renames; a kill between them leaves no `public`, and the old site set aside.
    let (p, sites) = playbook_of(20);
    std::fs::rename(p.path().join("public"), sibling(&p, "old", DEAD)).unwrap();
    // ... and the staging folder of the same build, complete or not.
    std::fs::create_dir(sibling(&p, "new", DEAD)).unwrap();
    std::fs::write(sibling(&p, "new", DEAD).join(".playbook-output"), "x").unwrap();
    // The next build fails on a content error: the old site must come back all the same.
    p.write("content/prompts/broken.md", b"+++\ntitle = \n+++\n");
    p.run(&["build"]).fails().no_panic();
    assert_eq!(which_site(&p, &sites, "after the failed build"), 0);
    assert_eq!(leftovers(&p), Vec::<String>::new());
}

#[test]
fn clean_up_leaves_folders_that_are_not_ours_or_whose_build_still_runs() {
    let (p, _) = playbook_of(20);
    // Named like ours, but without the marker: someone else's files.
    let foreign = sibling(&p, "new", DEAD);
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
    // Ours, of a build still running (this test process stands for it).
    let running = sibling(&p, "new", u64::from(std::process::id()));
    std::fs::create_dir(&running).unwrap();
    std::fs::write(running.join(".playbook-output"), "x").unwrap();
    // Ours, of a build that was killed.
    let stale = sibling(&p, "old", DEAD + 1);
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join(".playbook-output"), "x").unwrap();
    p.run(&["build"]).succeeds().no_panic();
    let mut expected = vec![
        foreign.file_name().unwrap().to_string_lossy().into_owned(),
        running.file_name().unwrap().to_string_lossy().into_owned(),
    ];
    expected.sort();
    assert_eq!(leftovers(&p), expected);
    assert_eq!(
        std::fs::read_to_string(foreign.join("notes.txt")).unwrap(),
        "mine"
    );
}
