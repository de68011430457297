//! Records the commit the binary is built from, for `playbook --version`
//! (`playbook 0.1.0 (abc1234 2026-11-25)`).
//!
//! Where it comes from, first found wins:
//! 1. `git`, when the crate's folder is the top of a git work tree (a clone);
//! 2. the environment variable `PLAYBOOK_COMMIT` (release builds may set it);
//! 3. `.cargo_vcs_info.json`, which `cargo package` writes into the published crate, so
//!    `cargo install playbook-ssg` still names the commit (without its date);
//! 4. `unknown`.
//!
//! Cargo reruns this script only when HEAD moves (`.git/HEAD`, the branch's ref file or
//! `packed-refs`) or `PLAYBOOK_COMMIT` changes, so ordinary edits don't rebuild it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PLAYBOOK_COMMIT");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());

    let commit = from_git(&manifest_dir)
        .or_else(from_env)
        .or_else(|| from_vcs_info(&manifest_dir))
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=PLAYBOOK_COMMIT_INFO={commit}");
}

/// `abc1234 2026-11-25` from git, when `dir` is the top of a work tree. A crate unpacked
/// inside some other repository (cargo's registry under a dotfiles repo, `cargo package`'s
/// `target/package/`) must not report that repository's commit.
fn from_git(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same(Path::new(&top), dir) {
        return None;
    }
    watch_head(dir);
    let out = git(dir, &["log", "-1", "--format=%h %cs"])?;
    let mut parts = out.split_whitespace();
    let hash = parts.next()?;
    if !hash.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    Some(match parts.next() {
        Some(date) => format!("{hash} {date}"),
        None => hash.to_string(),
    })
}

/// Asks cargo to rerun this script when HEAD moves: `HEAD` itself (checkout), the file of
/// the branch it points at (commit), and `packed-refs` (where `git gc` moves refs). Only
/// files that exist are named: cargo reruns every time for a missing one.
fn watch_head(dir: &Path) {
    let path = |args: &[&str]| git(dir, args).map(|p| dir.join(p));
    let Some(git_dir) = path(&["rev-parse", "--git-dir"]) else {
        return;
    };
    let common = path(&["rev-parse", "--git-common-dir"]).unwrap_or_else(|| git_dir.clone());
    let mut watched = vec![git_dir.join("HEAD"), common.join("packed-refs")];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watched.push(common.join(branch));
    }
    for file in watched.iter().filter(|f| f.is_file()) {
        println!("cargo:rerun-if-changed={}", file.display());
    }
}

fn from_env() -> Option<String> {
    std::env::var("PLAYBOOK_COMMIT")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The short hash from `{"git": {"sha1": "…"}}`, without a JSON parser (build scripts
/// get no dependencies here).
fn from_vcs_info(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(".cargo_vcs_info.json")).ok()?;
    let after = &text[text.find("\"sha1\"")? + "\"sha1\"".len()..];
    let start = after.find('"')? + 1;
    let hash: String = after[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    (hash.len() >= 7).then(|| hash[..7].to_string())
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}
