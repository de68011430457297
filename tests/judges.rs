//! The judges: what a reader's browser and the Nu Html Checker see of a built site.
//!
//! Each test builds a playbook with the real binary into a temporary folder, then runs
//! - the Nu Html Checker (`vnu.jar`, pinned in `tests/browser/package.json`) on every
//!   HTML, CSS and SVG file: zero errors allowed;
//! - `node tests/browser/judge.mjs`: every link answers 200 under the base path, the 404
//!   page works at any depth, and axe-core finds no violation in the light and the dark
//!   colour scheme (see the script's header).
//!
//! They need `node`, `java`, Chromium and `tests/browser/node_modules`; `.ci/run` installs
//! them with `.ci/install-judges.sh`. Without them the tests fail; outside CI,
//! `PLAYBOOK_SKIP_JUDGES=1` skips them with a loud line instead. Set
//! `PLAYBOOK_JUDGES_SHOTS=DIR` to also write screenshots (one folder per site).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const BASE_URL: &str = "https://org.github.io/playbook/";
const STEP_TIMEOUT: Duration = Duration::from_secs(300);

/// One judge at a time: each already uses both cores, and their timings stay readable.
static SERIAL: Mutex<()> = Mutex::new(());

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn browser_dir() -> PathBuf {
    repo().join("tests/browser")
}

fn vnu_jar() -> PathBuf {
    browser_dir().join("node_modules/vnu-jar/build/dist/vnu.jar")
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// What the judges need and this machine lacks.
fn missing_tools() -> Vec<String> {
    let mut missing = Vec::new();
    if !runs("node", "--version") {
        missing.push("`node` (Node.js 20 or later) on PATH".to_string());
    }
    if !runs("java", "-version") {
        missing.push("`java` (Java 11 or later, for the Nu Html Checker) on PATH".to_string());
    }
    for module in ["playwright-core", "axe-core", "vnu-jar"] {
        if !browser_dir().join("node_modules").join(module).is_dir() {
            missing.push(format!(
                "tests/browser/node_modules/{module} (run `npm ci` in tests/browser)"
            ));
        }
    }
    if !vnu_jar().is_file() && browser_dir().join("node_modules/vnu-jar").is_dir() {
        missing.push(format!("{}", vnu_jar().display()));
    }
    if !chromium().is_file() {
        missing.push(format!(
            "Chromium at {} (apt-get install chromium, or set CHROMIUM)",
            chromium().display()
        ));
    }
    missing
}

/// True when the judges can run; panics when they cannot and must (CI, or no opt-out).
fn judges_can_run(test: &str) -> bool {
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    let skip = std::env::var("PLAYBOOK_SKIP_JUDGES").is_ok_and(|v| v == "1");
    if skip && !in_ci {
        eprintln!(
            "\n!!!!!!!! SKIPPED {test}: PLAYBOOK_SKIP_JUDGES=1, the judges (HTML validator, links, \
             axe) did NOT run !!!!!!!!\n"
        );
        return false;
    }
    let missing = missing_tools();
    if missing.is_empty() {
        return true;
    }
    let list = missing
        .iter()
        .map(|m| format!("  - {m}"))
        .collect::<Vec<_>>()
        .join("\n");
    if in_ci {
        panic!(
            "the judges cannot run in CI, missing:\n{list}\n`.ci/run` installs them through \
             `.ci/install-judges.sh` (apt chromium, npm ci in tests/browser); make sure it ran"
        );
    }
    panic!(
        "the judges cannot run, missing:\n{list}\n`.ci/run` installs them (`.ci/install-judges.sh`); \
         run that script here, or set PLAYBOOK_SKIP_JUDGES=1 to skip the judges locally"
    );
}

/// Output of a finished step.
struct Step {
    ok: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    secs: f64,
}

/// Runs a command with a timeout, its output collected through files (no pipe deadlock).
fn run(mut cmd: Command, scratch: &Path, name: &str) -> Step {
    let out_path = scratch.join(format!("{name}.stdout"));
    let err_path = scratch.join(format!("{name}.stderr"));
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out_path).unwrap())
        .stderr(fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > STEP_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = fs::read_to_string(&out_path).unwrap_or_default();
    let mut stderr = fs::read_to_string(&err_path).unwrap_or_default();
    if status.is_none() {
        stderr.push_str(&format!(
            "\n{name} timed out after {} s and was killed\n",
            STEP_TIMEOUT.as_secs()
        ));
    }
    Step {
        ok: status.is_some_and(|s| s.success()),
        code: status.and_then(|s| s.code()),
        stdout,
        stderr,
        secs: start.elapsed().as_secs_f64(),
    }
}

/// Builds the playbook at `dir` into `<scratch>/site`.
fn build(dir: &Path, scratch: &Path, base_url: &str) -> PathBuf {
    let site = scratch.join("site");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_playbook"));
    cmd.arg("build")
        .arg(dir)
        .arg("--out")
        .arg(&site)
        .args(["--base-url", base_url])
        .env("NO_COLOR", "1");
    let step = run(cmd, scratch, "build");
    assert!(
        step.ok,
        "playbook build {} --base-url {base_url} failed (status {:?})\n{}{}",
        dir.display(),
        step.code,
        step.stdout,
        step.stderr
    );
    println!("build: {} ({:.1} s)", step.stdout.trim(), step.secs);
    site
}

/// Every file of the site the checker reads: HTML, CSS and SVG.
fn checkable_files(site: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(site)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("html" | "css" | "svg")
            )
        })
        .collect();
    files.sort();
    files
}

/// The Nu Html Checker on every HTML, CSS and SVG file: returns the error lines.
fn validate(site: &Path, scratch: &Path) -> Vec<String> {
    let files = checkable_files(site);
    assert!(!files.is_empty(), "no HTML in {}", site.display());
    let mut cmd = Command::new("java");
    cmd.arg("-Xss4m")
        .arg("-jar")
        .arg(vnu_jar())
        .args([
            "--also-check-css",
            "--also-check-svg",
            "--format",
            "gnu",
            "--stdout",
        ])
        .args(&files);
    let step = run(cmd, scratch, "vnu");
    let prefix = format!("\"file:{}/", site.display());
    let output = format!("{}{}", step.stdout, step.stderr).replace(&prefix, "\"site/");
    let errors: Vec<String> = output
        .lines()
        .filter(|l| l.contains(": error:") || l.contains(": fatal:") || l.starts_with("error"))
        .map(str::to_string)
        .collect();
    let others = output
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count()
        .saturating_sub(errors.len());
    println!(
        "validator (Nu Html Checker): {} files, {} error(s), {} warning/info line(s) ({:.1} s)",
        files.len(),
        errors.len(),
        others,
        step.secs
    );
    if !errors.is_empty() || !step.ok {
        println!("{output}");
    } else {
        for line in output.lines().filter(|l| !l.trim().is_empty()).take(20) {
            println!("  note: {line}");
        }
    }
    if errors.is_empty() && !step.ok {
        return vec![format!(
            "the checker exited with status {:?} and no error lines:\n{output}",
            step.code
        )];
    }
    errors
}

/// `node tests/browser/judge.mjs SITE ARGS`: returns its report when it failed.
fn judge(site: &Path, scratch: &Path, args: &[&str], shots: Option<&str>) -> Option<String> {
    let mut cmd = Command::new("node");
    cmd.current_dir(repo())
        .arg(browser_dir().join("judge.mjs"))
        .arg(site)
        .args(args)
        .env("CHROMIUM", chromium());
    if let (Some(dir), Some(name)) = (std::env::var_os("PLAYBOOK_JUDGES_SHOTS"), shots) {
        cmd.arg("--screenshots").arg(PathBuf::from(dir).join(name));
    }
    let step = run(cmd, scratch, "judge");
    println!("{}", step.stdout.trim_end());
    if !step.stderr.trim().is_empty() {
        println!("{}", step.stderr.trim_end());
    }
    println!("judge.mjs: {:.1} s", step.secs);
    (!step.ok).then(|| {
        let failures: Vec<&str> = step
            .stdout
            .lines()
            .filter(|l| l.starts_with("FAIL "))
            .collect();
        format!(
            "judge.mjs {} failed (status {:?}), {} problem(s):\n{}\n{}",
            args.join(" "),
            step.code,
            failures.len(),
            failures.join("\n"),
            step.stderr.trim_end()
        )
    })
}

/// Builds `dir` under the project path, validates it and runs every judge on it.
fn judge_playbook(test: &str, dir: &Path) {
    if !judges_can_run(test) {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let start = Instant::now();
    let scratch = tempfile::tempdir().unwrap();
    let site = build(dir, scratch.path(), BASE_URL);
    let errors = validate(&site, scratch.path());
    let judged = judge(&site, scratch.path(), &["--base", "/playbook/"], Some(test));
    println!("{test}: {:.1} s in all", start.elapsed().as_secs_f64());
    let mut problems = Vec::new();
    if !errors.is_empty() {
        problems.push(format!(
            "the Nu Html Checker found {} error(s):\n{}",
            errors.len(),
            errors.join("\n")
        ));
    }
    problems.extend(judged);
    assert!(
        problems.is_empty(),
        "{test}: the judges found problems in the site built from {}\n\n{}",
        dir.display(),
        problems.join("\n\n")
    );
}

#[test]
fn bundled_example_is_valid_accessible_and_has_no_broken_links() {
    judge_playbook("example", repo());
}

#[test]
fn reader_fixture_is_valid_accessible_and_has_no_broken_links() {
    judge_playbook("reader", &repo().join("tests/fixtures/reader"));
}

#[test]
fn bundled_example_at_a_domain_root_has_no_broken_links() {
    let test = "example-root";
    if !judges_can_run(test) {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let scratch = tempfile::tempdir().unwrap();
    let site = build(repo(), scratch.path(), "/");
    if let Some(report) = judge(&site, scratch.path(), &["--base", "/", "--no-axe"], None) {
        panic!("{test}: the site built with --base-url / has problems\n\n{report}");
    }
}

#[test]
fn reader_can_filter_share_pick_a_random_prompt_switch_scheme_and_print() {
    let test = "reader-ui";
    if !judges_can_run(test) {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let scratch = tempfile::tempdir().unwrap();
    let site = build(repo(), scratch.path(), BASE_URL);
    let mut cmd = Command::new("node");
    cmd.current_dir(repo())
        .arg(browser_dir().join("reader-ui.mjs"))
        .arg(&site)
        .env("CHROMIUM", chromium());
    let step = run(cmd, scratch.path(), "reader-ui");
    println!("{}", step.stdout.trim_end());
    assert!(
        step.ok,
        "{test}: the reader's interactions failed (status {:?}):\n{}\n{}",
        step.code,
        step.stdout.trim_end(),
        step.stderr.trim_end()
    );
}

#[test]
fn serve_updates_an_open_tab_by_itself() {
    let test = "live-reload";
    if !judges_can_run(test) {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let scratch = tempfile::tempdir().unwrap();
    let pb = scratch.path().join("pb");
    std::fs::create_dir_all(pb.join("content/prompts")).unwrap();
    std::fs::create_dir_all(pb.join("themes/default/static")).unwrap();
    std::fs::write(
        pb.join("book.toml"),
        "[book]\ntitle = \"Live\"\nbase-url = \"https://org.github.io/playbook/\"\n",
    )
    .unwrap();
    std::fs::write(
        pb.join("content/prompts/live.md"),
        "+++\ntitle = \"What changed?\"\npurpose = \"See edits live\"\n+++\n\nFirst version.\n",
    )
    .unwrap();
    std::fs::write(
        pb.join("themes/default/static/style.css"),
        "body { margin: 1rem; }\n",
    )
    .unwrap();
    let mut cmd = Command::new("node");
    cmd.current_dir(repo())
        .arg(browser_dir().join("live-reload.mjs"))
        .arg(env!("CARGO_BIN_EXE_playbook"))
        .arg(&pb)
        .env("CHROMIUM", chromium());
    let step = run(cmd, scratch.path(), "live-reload");
    println!("{}", step.stdout.trim_end());
    assert!(
        step.ok,
        "{test}: live reload failed in the browser (status {:?}):\n{}\n{}",
        step.code,
        step.stdout.trim_end(),
        step.stderr.trim_end()
    );
}
