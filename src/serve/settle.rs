//! Telling a change that is finished from one still under way, so `serve` never publishes
//! a site read halfway through it: a git command rewriting the working tree holds the
//! index lock; git (and some editors) replace a file by removing it and writing it anew,
//! so for a moment it is gone; and a file being saved can be read half written.

use crate::diagnostic::Diagnostics;
use crate::site::Site;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// The lock file git holds while it changes the index and the working tree (`checkout`,
/// `switch`, `merge`, `pull`, `reset`, `stash`, `rebase`).
#[derive(Debug, Clone)]
pub struct GitLock(Option<PathBuf>);

impl GitLock {
    /// Finds the repository holding `root`: the nearest `.git` folder at or above it, or
    /// the folder a `.git` file names (a worktree or a submodule). Outside a repository
    /// the lock is never held.
    pub fn find(root: &Path) -> GitLock {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        for dir in root.ancestors() {
            let dot_git = dir.join(".git");
            if dot_git.is_dir() {
                return GitLock(Some(dot_git.join("index.lock")));
            }
            if dot_git.is_file() {
                let named = std::fs::read_to_string(&dot_git).ok().and_then(|text| {
                    text.lines()
                        .find_map(|l| l.strip_prefix("gitdir:"))
                        .map(|d| dir.join(d.trim()))
                });
                return GitLock(named.map(|d| d.join("index.lock")));
            }
        }
        GitLock(None)
    }

    /// Whether a git command holds the lock now.
    pub fn held(&self) -> bool {
        self.0.as_deref().is_some_and(Path::exists)
    }

    /// Waits while the lock is held, checking every 20 ms, for at most `limit`: a lock
    /// left by a crashed git, or held by `git commit` while its message is being written,
    /// must not stop the preview for good. True if it waited at all.
    pub fn wait(&self, limit: Duration) -> bool {
        if !self.held() {
            return false;
        }
        let deadline = Instant::now() + limit;
        while self.held() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }
}

/// The pages of `before` (paths under `content/`) that the new site `now` lacks although
/// their file is on disk again: the build read the folder while the file was being
/// replaced. Publishing that site would answer 404 for a page that exists.
pub fn caught_mid_replace<'a>(root: &Path, before: &'a [String], now: &Site) -> Option<&'a str> {
    let content = root.join("content");
    before
        .iter()
        .find(|p| !now.by_content_path.contains_key(*p) && content.join(p).is_file())
        .map(String::as_str)
}

/// Whether a file that one of the errors points at changed after `since`, when the build
/// began: the build may have read it half written, and its errors may be gone already.
pub fn errors_outdated(root: &Path, diags: &Diagnostics, since: SystemTime) -> bool {
    diags.iter().filter(|d| d.is_error()).any(|d| {
        d.location.as_ref().is_some_and(|l| {
            std::fs::metadata(root.join(&l.path))
                .and_then(|m| m.modified())
                // A file removed since the build also makes its errors stale.
                .map_or(true, |modified| modified > since)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_is_found_from_a_playbook_in_a_subfolder_of_the_repository() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path();
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("docs/playbook")).unwrap();
        let lock = GitLock::find(&repo.join("docs/playbook"));
        assert!(!lock.held());
        std::fs::write(repo.join(".git/index.lock"), "").unwrap();
        assert!(lock.held());
        std::fs::remove_file(repo.join(".git/index.lock")).unwrap();
        assert!(!lock.held());
    }

    #[test]
    fn a_worktree_names_its_git_folder_in_a_dot_git_file() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("main/.git/worktrees/wt");
        std::fs::create_dir_all(&main).unwrap();
        let wt = dir.path().join("wt");
        std::fs::create_dir_all(&wt).unwrap();
        std::fs::write(wt.join(".git"), "gitdir: ../main/.git/worktrees/wt\n").unwrap();
        let lock = GitLock::find(&wt);
        std::fs::write(main.join("index.lock"), "").unwrap();
        assert!(lock.held());
    }

    /// The site as a build reads `root` now.
    fn site_of(root: &Path) -> Site {
        let config = crate::config::Config::from_dir(root).unwrap();
        let (content, _) = crate::content::load(root, true);
        Site::assemble(config, content).0
    }

    #[test]
    fn a_page_read_while_its_file_was_away_is_told_from_a_page_removed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("book.toml"), "[book]\ntitle = \"T\"\n").unwrap();
        std::fs::create_dir_all(root.join("content/prompts")).unwrap();
        let page = "+++\ntitle = \"Ask\"\npurpose = \"Why\"\n+++\nBody\n";
        std::fs::write(root.join("content/prompts/ask.md"), page).unwrap();
        std::fs::write(root.join("content/prompts/stay.md"), page).unwrap();
        let before = vec!["prompts/ask.md".to_string(), "prompts/stay.md".to_string()];
        assert_eq!(caught_mid_replace(root, &before, &site_of(root)), None);

        // Read while `ask.md` was away, and it is back: that site must not be shown.
        std::fs::remove_file(root.join("content/prompts/ask.md")).unwrap();
        let read_meanwhile = site_of(root);
        std::fs::write(root.join("content/prompts/ask.md"), page).unwrap();
        assert_eq!(
            caught_mid_replace(root, &before, &read_meanwhile),
            Some("prompts/ask.md")
        );

        // Removed for good: the site without it is the right one.
        std::fs::remove_file(root.join("content/prompts/ask.md")).unwrap();
        assert_eq!(caught_mid_replace(root, &before, &read_meanwhile), None);
    }

    #[test]
    fn errors_are_outdated_once_their_file_changes_after_the_build_began() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/prompts")).unwrap();
        let path = root.join("content/prompts/half.md");
        std::fs::write(&path, "+++\ntitle = ").unwrap();
        let began = SystemTime::now();
        let mut diags = Diagnostics::new();
        diags.push(
            crate::diagnostic::Diagnostic::error("unfinished front matter")
                .in_file(Path::new("content/prompts/half.md")),
        );
        assert!(!errors_outdated(root, &diags, began));
        // File times advance by kernel ticks (4–10 ms), coarser than the clock.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&path, "+++\ntitle = \"Whole\"\n+++\n").unwrap();
        assert!(errors_outdated(root, &diags, began));
        std::fs::remove_file(&path).unwrap();
        assert!(
            errors_outdated(root, &diags, began),
            "a removed file's errors are gone too"
        );
    }

    #[test]
    fn a_stale_lock_holds_the_wait_only_up_to_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join(".git/index.lock"), "").unwrap();
        let lock = GitLock::find(dir.path());
        assert!(lock.wait(Duration::from_millis(60)));
        assert!(
            lock.held(),
            "the wait gives up; it never removes git's lock"
        );
    }
}
