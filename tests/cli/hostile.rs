//! Hostile file systems: links that loop or lead out of the playbook, files nobody may
//! read, empty and binary pages, a pipe named like a page, file names with spaces,
//! Unicode and capitals, and two files that would be published at one URL. Each case
//! gives one clear message, the same from `check` and `build`, and never a panic.

use crate::build::{names, tree};
use crate::support::{Project, Run};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PROMPT: &str = "+++\ntitle = \"What would you remove?\"\npurpose = \"Focus\"\n+++\n\nBody.\n";

/// A playbook with one prompt, so a build has something to publish.
fn playbook() -> Project {
    Project::new().file("content/prompts/remove.md", PROMPT)
}

/// Runs `check`, then `build`, and returns both runs. `build` on a playbook with errors
/// must leave no output behind.
fn check_and_build(p: &Project) -> [Run; 2] {
    let check = bounded(p.command(&["check"]), &["check"]);
    let build = bounded(p.command(&["build"]), &["build"]);
    [check, build]
}

/// Asserts both runs fail with exactly `errors` errors, each message in `has`, no panic,
/// and that the failed build wrote nothing.
fn assert_both_fail(p: &Project, runs: &[Run; 2], errors: usize, has: &[&str]) {
    for run in runs {
        run.fails().no_panic().error_count(errors);
        for s in has {
            run.stderr_has(s);
        }
    }
    assert!(
        !p.path().join("public").exists(),
        "a failed build wrote public/"
    );
}

/// Asserts both runs succeed, each with every text of `has` on stderr and no panic.
fn assert_both_succeed(runs: &[Run; 2], has: &[&str]) {
    for run in runs {
        run.succeeds().no_panic();
        for s in has {
            run.stderr_has(s);
        }
    }
}

/// Runs a prepared command to its end, killing it (and failing the test) if it is still
/// running after a minute: a case that makes the binary hang must not hang the tests.
fn bounded(mut cmd: Command, args: &[&str]) -> Run {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start playbook");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let read_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut v).map(|_| v)
    });
    let read_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut err, &mut v).map(|_| v)
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for playbook") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`playbook {}` still ran after 60 s: it hangs",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = std::process::Output {
        status,
        stdout: read_out.join().unwrap().unwrap(),
        stderr: read_err.join().unwrap().unwrap(),
    };
    Run::new(output, args)
}

// ---------------------------------------------------------------------------------------
// Symbolic links

#[test]
fn symlink_to_a_parent_folder_is_skipped_with_a_warning() {
    let p = playbook().file("content/guides/intro.md", "# Intro\n");
    symlink("..", p.path().join("content/guides/loop")).unwrap();
    let runs = check_and_build(&p);
    assert_both_succeed(
        &runs,
        &[
            "warning: `content/guides/loop` is a symbolic link to `..`, a folder that contains it; it is skipped",
            "help: following it would read the same files again and again: remove the link",
        ],
    );
    assert!(p.path().join("public/guides/intro/index.html").is_file());
    assert!(
        !p.path().join("public/guides/loop").exists(),
        "the loop was followed"
    );
}

#[test]
fn symlink_to_the_playbook_root_is_a_loop_too() {
    // The root is inside the playbook, but it holds `content/` itself.
    let p = playbook();
    symlink("..", p.path().join("content/everything")).unwrap();
    let runs = check_and_build(&p);
    assert_both_succeed(
        &runs,
        &[
            "warning: `content/everything` is a symbolic link to `..`, a folder that contains it; it is skipped",
        ],
    );
    assert!(!p.path().join("public/everything").exists());
}

/// A folder outside the playbook with one page in it, and its canonical path.
fn outside_folder() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.md"), "# Secret salaries\n").unwrap();
    let canonical = dir.path().canonicalize().unwrap();
    (dir, canonical)
}

/// Asserts no file of the output mentions the outside page.
fn assert_not_published(p: &Project) {
    let leaks: Vec<String> = tree(&p.path().join("public"))
        .into_iter()
        .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains("Secret salaries"))
        .map(|(rel, _)| rel)
        .collect();
    assert!(leaks.is_empty(), "outside content published in {leaks:?}");
}

#[test]
fn symlink_to_a_file_outside_the_playbook_is_skipped_with_a_warning() {
    let (_outside, dir) = outside_folder();
    let p = playbook();
    let target = dir.join("secret.md");
    symlink(&target, p.path().join("content/secret.md")).unwrap();
    let runs = check_and_build(&p);
    let warning = format!(
        "warning: `content/secret.md` is a symbolic link to `{}`, outside the playbook; it is skipped",
        target.display()
    );
    assert_both_succeed(
        &runs,
        &[
            &warning,
            "help: links are followed only inside the playbook: copy the file or folder into it, or remove the link",
        ],
    );
    assert!(!p.path().join("public/secret").exists());
    assert_not_published(&p);
}

#[test]
fn symlink_to_a_folder_outside_the_playbook_is_skipped_with_a_warning() {
    let (_outside, dir) = outside_folder();
    let p = playbook();
    symlink(&dir, p.path().join("content/shared")).unwrap();
    let runs = check_and_build(&p);
    let warning = format!(
        "warning: `content/shared` is a symbolic link to `{}`, outside the playbook; it is skipped",
        dir.display()
    );
    assert_both_succeed(&runs, &[&warning]);
    assert!(!p.path().join("public/shared").exists());
    assert_not_published(&p);
}

#[test]
fn relative_symlink_out_of_the_playbook_names_where_it_leads() {
    let (_outside, dir) = outside_folder();
    let p = playbook();
    // `content/x.md` → `../../<outside>/secret.md`, written relative as people do.
    let rel = Path::new("../..")
        .join(dir.file_name().unwrap())
        .join("secret.md");
    // Both temporary folders sit side by side in the system's temporary folder.
    assert_eq!(
        p.path().canonicalize().unwrap().parent(),
        dir.parent(),
        "the test needs both temporary folders in one parent"
    );
    symlink(&rel, p.path().join("content/x.md")).unwrap();
    let runs = check_and_build(&p);
    let warning = format!(
        "warning: `content/x.md` is a symbolic link to `{}` (`{}`), outside the playbook; it is skipped",
        rel.display(),
        dir.join("secret.md").display()
    );
    assert_both_succeed(&runs, &[&warning]);
    assert_not_published(&p);
}

#[test]
fn symlinks_inside_the_playbook_are_followed() {
    let p = playbook().file("shared/team.md", "# Team charter\n");
    symlink("../shared", p.path().join("content/shared")).unwrap();
    symlink("../shared/team.md", p.path().join("content/charter.md")).unwrap();
    let runs = check_and_build(&p);
    for run in &runs {
        run.succeeds().no_panic();
        assert!(
            !run.stderr().contains("warning"),
            "unexpected warning\n{}",
            run.stderr()
        );
    }
    let page = p.read("public/charter/index.html");
    assert!(page.contains("Team charter"), "{page}");
    assert!(p.path().join("public/shared/team/index.html").is_file());
}

#[test]
fn dangling_symlink_is_an_error_naming_it_and_its_target() {
    let p = playbook();
    symlink("gone.md", p.path().join("content/about.md")).unwrap();
    let runs = check_and_build(&p);
    assert_both_fail(
        &p,
        &runs,
        1,
        &[
            "error: `content/about.md` is a symbolic link to `gone.md`, which does not exist\n--> content/about.md:1:1\n  = help: point the link at an existing file, or remove it",
        ],
    );
}

#[test]
fn symlink_to_itself_is_an_error() {
    let p = playbook();
    symlink("self.md", p.path().join("content/self.md")).unwrap();
    let runs = check_and_build(&p);
    assert_both_fail(
        &p,
        &runs,
        1,
        &["error: `content/self.md` is a symbolic link to `self.md`, which leads back to itself"],
    );
}

// ---------------------------------------------------------------------------------------
// Unreadable files and folders

/// Returns true if and only if the tests run as root, who reads any file whatever its
/// permission bits.
fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// Runs `check` and `build` as a user for whom `chmod 000` means "unreadable". As root
/// (CI), the binary runs as `nobody` through `setpriv` (util-linux), on a project made
/// world-writable; `unreadable` are the paths to make unreadable (relative to the
/// project), restored afterwards so the temporary folder can be removed.
fn check_and_build_unprivileged(p: &Project, unreadable: &[&str]) -> [Run; 2] {
    let root = is_root();
    let mut program = vec![];
    if root {
        let probe = Command::new("setpriv").arg("--version").output();
        assert!(
            probe.as_ref().is_ok_and(|o| o.status.success()),
            "these tests run as root, who can read any file: they need `setpriv` (util-linux) \
             to run playbook as an unprivileged user, and it is missing: {probe:?}"
        );
        // The binary may sit under a folder `nobody` cannot enter (such as /root): link or
        // copy it into the project, which is made world-accessible.
        let bin = p.path().join(".playbook-bin");
        if std::fs::hard_link(env!("CARGO_BIN_EXE_playbook"), &bin).is_err() {
            std::fs::copy(env!("CARGO_BIN_EXE_playbook"), &bin).unwrap();
        }
        for entry in walkdir::WalkDir::new(p.path()) {
            let entry = entry.unwrap();
            let mode = if entry.file_type().is_dir() || entry.path() == bin {
                0o777
            } else {
                0o666
            };
            std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(mode)).unwrap();
        }
        program = vec![
            "setpriv".to_string(),
            "--reuid=65534".into(),
            "--regid=65534".into(),
            "--clear-groups".into(),
            bin.display().to_string(),
        ];
    }
    let mut modes = Vec::new();
    for rel in unreadable {
        let path = p.path().join(rel);
        modes.push((
            path.clone(),
            std::fs::metadata(&path).unwrap().permissions(),
        ));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let runs = ["check", "build"].map(|what| {
        let cmd = if root {
            let mut c = Command::new(&program[0]);
            c.args(&program[1..])
                .arg(what)
                .current_dir(p.path())
                .env("NO_COLOR", "1");
            c
        } else {
            p.command(&[what])
        };
        bounded(cmd, &[what])
    });
    for (path, mode) in modes {
        std::fs::set_permissions(&path, mode).unwrap();
    }
    runs
}

#[test]
fn unreadable_page_is_an_error_naming_it() {
    let p = playbook().file("content/about.md", "# About\n");
    let runs = check_and_build_unprivileged(&p, &["content/about.md"]);
    assert_both_fail(
        &p,
        &runs,
        1,
        &[
            "error: cannot read `content/about.md`: permission denied\n--> content/about.md:1:1\n  = help: make it readable (e.g. `chmod a+r content/about.md`), or move it out of `content/`",
        ],
    );
}

#[test]
fn unreadable_folder_is_an_error_naming_it() {
    let p = playbook().file("content/guides/intro.md", "# Intro\n");
    let runs = check_and_build_unprivileged(&p, &["content/guides"]);
    assert_both_fail(
        &p,
        &runs,
        1,
        &[
            "error: cannot read the folder `content/guides`: permission denied\n  = help: make it readable (e.g. `chmod a+rx content/guides`), or move it out of `content/`",
        ],
    );
}

#[test]
fn unreadable_image_is_an_error_from_check_too() {
    let p = playbook().file("content/img/team.png", "not really a png");
    let runs = check_and_build_unprivileged(&p, &["content/img/team.png"]);
    assert_both_fail(
        &p,
        &runs,
        1,
        &["error: cannot read `content/img/team.png`: permission denied"],
    );
}

// ---------------------------------------------------------------------------------------
// Empty, binary and special files

#[test]
fn empty_free_page_is_published_with_a_warning() {
    let p = playbook().file("content/notes.md", "");
    let runs = check_and_build(&p);
    assert_both_succeed(
        &runs,
        &[
            "warning: `content/notes.md` is empty: it is published as a page with a title and no text\n--> content/notes.md:1:1\n  = help: write the page, or remove the file",
        ],
    );
    assert!(p.read("public/notes/index.html").contains("Notes"));
}

#[test]
fn empty_prompt_is_an_error_saying_it_is_empty() {
    let p = playbook().file("content/prompts/why.md", "\n");
    let runs = check_and_build(&p);
    assert_both_fail(
        &p,
        &runs,
        1,
        &[
            "error: `content/prompts/why.md` is empty: a prompt in `content/prompts/` must start with front matter\n--> content/prompts/why.md:1:1\n  = help: start the file with:\n    +++\n    title = \"…\"\n    purpose = \"…\"\n    +++",
        ],
    );
}

#[test]
fn png_saved_as_md_is_an_error_saying_it_is_not_utf8_and_looks_like_an_image() {
    let p = playbook();
    p.write(
        "content/photo.md",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06",
    );
    let runs = check_and_build(&p);
    assert_both_fail(
        &p,
        &runs,
        1,
        &[
            "error: `content/photo.md` is not valid UTF-8 text (byte 0x89)\n--> content/photo.md:1:1\n  = help: it looks like a PNG image: give it the `.png` extension instead of `.md`, or remove it",
        ],
    );
}

#[test]
fn nul_bytes_in_a_page_are_an_error_at_the_first_one() {
    let p = playbook();
    p.write("content/notes.md", b"# Notes\n\nab\0\0cd\n");
    let runs = check_and_build(&p);
    assert_both_fail(
        &p,
        &runs,
        1,
        &[
            "error: `content/notes.md` is not text: it holds a NUL byte (0x00)\n--> content/notes.md:3:3\n  = help: a `.md` file must be UTF-8 text: remove the NUL bytes, or give the file another extension than `.md` if it is not text",
        ],
    );
}

#[test]
fn latin1_page_is_an_error_at_the_first_bad_byte() {
    let p = playbook();
    p.write("content/cafe.md", b"# Caf\xe9\n");
    let runs = check_and_build(&p);
    assert_both_fail(
        &p,
        &runs,
        1,
        &[
            "error: `content/cafe.md` is not valid UTF-8 text (byte 0xE9)\n--> content/cafe.md:1:6\n  = help: save the file as UTF-8 in your editor; if it is not text, give it another extension than `.md`",
        ],
    );
}

#[test]
fn utf16_page_is_an_error_saying_so() {
    let p = playbook();
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend("# Hi\n".encode_utf16().flat_map(u16::to_le_bytes));
    p.write("content/hi.md", &bytes);
    let runs = check_and_build(&p);
    assert_both_fail(
        &p,
        &runs,
        1,
        &[
            "error: `content/hi.md` is not valid UTF-8 text (byte 0xFF)",
            "help: it looks like UTF-16 text: save it as UTF-8 in your editor",
        ],
    );
}

#[test]
fn folder_named_like_a_page_gives_a_warning_and_its_files_are_read() {
    let p = playbook().file("content/guide.md/part.md", "# Part one\n");
    let runs = check_and_build(&p);
    assert_both_succeed(
        &runs,
        &[
            "warning: `content/guide.md` is a folder, not a Markdown file: no page is made from it\n  = help: rename the folder so its name does not end in `.md`; the files inside it are still read",
        ],
    );
    assert!(p.path().join("public/guide-md/part/index.html").is_file());
}

#[test]
fn named_pipe_named_like_a_page_is_an_error_and_never_blocks() {
    let p = playbook();
    let fifo = p.path().join("content/pipe.md");
    let status = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(status.success(), "mkfifo failed");
    let runs = check_and_build(&p);
    assert_both_fail(
        &p,
        &runs,
        1,
        &[
            "error: `content/pipe.md` is a named pipe (FIFO), not a regular file\n--> content/pipe.md:1:1\n  = help: remove it from `content/`, or replace it with a regular file",
        ],
    );
}

#[test]
fn named_pipe_as_an_asset_is_an_error_too() {
    let p = playbook();
    std::fs::create_dir_all(p.path().join("content/img")).unwrap();
    let status = Command::new("mkfifo")
        .arg(p.path().join("content/img/feed"))
        .status()
        .expect("mkfifo");
    assert!(status.success(), "mkfifo failed");
    let runs = check_and_build(&p);
    assert_both_fail(
        &p,
        &runs,
        1,
        &["error: `content/img/feed` is a named pipe (FIFO), not a regular file"],
    );
}

// ---------------------------------------------------------------------------------------
// File names

#[test]
fn file_names_with_spaces_unicode_and_capitals_get_slug_urls_and_links_to_them_work() {
    let p = Project::new()
        .file("content/Team Charter.md", "# Team charter\n")
        .file("content/Übung ä.md", "# Übung\n")
        .file("content/ふりかえり.md", "# ふりかえり\n")
        .file("content/Retro.md", "# Retro\n")
        .file(
            "content/prompts/Why Not.md",
            "+++\ntitle = \"Why not?\"\npurpose = \"p\"\n+++\n",
        )
        .file(
            "content/links.md",
            "# Links\n\n[a](Team%20Charter.md) [b](<Übung ä.md>) [c](%C3%9Cbung%20%C3%A4.md) \
             [d](ふりかえり.md) [e](Retro.md) [f](<prompts/Why Not.md>)\n",
        );
    p.run(&["check"]).succeeds().no_panic();
    p.run(&["build"]).succeeds().no_panic();
    let out = p.path().join("public");
    for page in [
        "team-charter",
        "übung-ä",
        "ふりかえり",
        "retro",
        "prompts/why-not",
    ] {
        assert!(
            out.join(page).join("index.html").is_file(),
            "no page at /{page}/: {:?}",
            names(&out)
        );
    }
    let html = p.read("public/links/index.html");
    for href in [
        "href=\"/playbook/team-charter/\"",
        "href=\"/playbook/%C3%BCbung-%C3%A4/\"",
        "href=\"/playbook/%E3%81%B5%E3%82%8A%E3%81%8B%E3%81%88%E3%82%8A/\"",
        "href=\"/playbook/retro/\"",
        "href=\"/playbook/prompts/why-not/\"",
    ] {
        assert!(html.contains(href), "no {href} in\n{html}");
    }
}

#[test]
fn decomposed_unicode_file_name_gets_the_same_url_as_the_composed_one() {
    // macOS tools often write "Ü" as "U" + a combining diaeresis.
    let p = Project::new().file("content/U\u{308}bung.md", "# Übung\n");
    p.run(&["build"]).succeeds().no_panic();
    assert!(
        p.path().join("public/\u{fc}bung/index.html").is_file(),
        "{:?}",
        names(&p.path().join("public"))
    );
}

/// Asserts `check` and `build` both fail with one error: `first` and `second` would be
/// published at `url`, with the help to rename one.
fn assert_one_url(files: &[(&str, &str)], first: &str, second: &str, url: &str) {
    let mut p = Project::new();
    for (rel, text) in files {
        p = p.file(rel, text);
    }
    let runs = check_and_build(&p);
    let message = format!(
        "error: `{first}` and `{second}` would both be published at `{url}`\n--> {second}:1:1\n  = help: rename one of the files, or give one a different `slug`"
    );
    assert_both_fail(&p, &runs, 1, &[&message]);
}

#[test]
fn two_files_differing_in_case_are_one_error_naming_both() {
    assert_one_url(
        &[("content/Retro.md", "# A\n"), ("content/retro.md", "# B\n")],
        "content/Retro.md",
        "content/retro.md",
        "/retro/",
    );
}

#[test]
fn space_and_hyphen_file_names_are_one_error_naming_both() {
    assert_one_url(
        &[("content/a b.md", "# A\n"), ("content/a-b.md", "# B\n")],
        "content/a b.md",
        "content/a-b.md",
        "/a-b/",
    );
}

#[test]
fn page_and_folder_index_at_one_url_are_one_error_naming_both() {
    assert_one_url(
        &[
            ("content/guide.md", "# A\n"),
            ("content/guide/_index.md", "# B\n"),
        ],
        "content/guide/_index.md",
        "content/guide.md",
        "/guide/",
    );
}

#[test]
fn composed_and_decomposed_unicode_names_are_one_error_naming_both() {
    assert_one_url(
        &[
            ("content/\u{dc}bung.md", "# A\n"),
            ("content/U\u{308}bung.md", "# B\n"),
        ],
        "content/U\u{308}bung.md",
        "content/\u{dc}bung.md",
        "/\u{fc}bung/",
    );
}

#[test]
fn slug_equal_to_another_file_name_is_one_error_naming_both() {
    assert_one_url(
        &[
            (
                "content/prompts/why.md",
                "+++\ntitle = \"Why?\"\npurpose = \"p\"\n+++\n",
            ),
            (
                "content/prompts/other.md",
                "+++\ntitle = \"Other?\"\npurpose = \"p\"\nslug = \"why\"\n+++\n",
            ),
        ],
        "content/prompts/other.md",
        "content/prompts/why.md",
        "/prompts/why/",
    );
}
