//! Finding out whether anything changed when the file watcher lost events. On Linux the
//! kernel keeps at most `fs.inotify.max_queued_events` (16,384) events per watcher and
//! drops the rest, saying only that it did (notify's "rescan" event, which names no
//! file). A build of a big playbook alone queues an event per file it opens, so on a
//! loaded machine a burst of saves or a `git checkout` can overflow the queue, and the
//! edits whose events were dropped would never be built.
//!
//! The build records nothing for this: it only notes when it began, and a rescan looks
//! for a file or folder whose times are later. Any write, creation or rename sets a
//! file's change time (ctime, which no program can set back), and any creation, removal
//! or rename in a folder sets the folder's. Only metadata is read: reading every file
//! would queue an event per file and could overflow the queue again, for ever.

use super::{Change, classify};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// File times come from a clock that advances in ticks of a few milliseconds and may
/// lag the system clock by one: a file changed this long before a build began may
/// still have been changed after the build read it.
const RACY: Duration = Duration::from_millis(100);

/// The first watched file (`book.toml`, and everything under `content/` and `themes/`
/// that [`classify`] does not ignore) or folder changed since `since`, less [`RACY`];
/// `None` if nothing was. `out_dir` is the build output, never looked at.
pub fn changed_since(root: &Path, out_dir: &Path, since: SystemTime) -> Option<PathBuf> {
    let since = since.checked_sub(RACY).unwrap_or(SystemTime::UNIX_EPOCH);
    let changed = |meta: &std::fs::Metadata| {
        let modified = meta.modified().ok();
        #[cfg(unix)]
        let changed = {
            use std::os::unix::fs::MetadataExt;
            let nanos = u32::try_from(meta.ctime_nsec()).unwrap_or(0);
            u64::try_from(meta.ctime())
                .ok()
                .map(|secs| SystemTime::UNIX_EPOCH + Duration::new(secs, nanos))
        };
        #[cfg(not(unix))]
        let changed = meta.created().ok();
        // A time that cannot be read counts as changed.
        [modified, changed]
            .iter()
            .any(|t| t.is_none_or(|t| t >= since))
    };
    let book = root.join("book.toml");
    if std::fs::metadata(&book).is_ok_and(|m| changed(&m)) {
        return Some(book);
    }
    for dir in ["content", "themes"] {
        let top = root.join(dir);
        // A playbook without themes of its own has no `themes/`. (A whole folder removed
        // since the build goes unseen here; the next event about it brings a build.)
        if !top.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&top).follow_links(true) {
            let Ok(entry) = entry else {
                // A file or folder that vanished or cannot be read while we looked.
                return Some(top);
            };
            let path = entry.path();
            if path.starts_with(out_dir)
                || (entry.file_type().is_file() && classify(root, path, out_dir) == Change::Ignored)
            {
                continue;
            }
            if entry.metadata().map_or(true, |m| changed(&m)) {
                return Some(entry.into_path());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A playbook folder, and a moment after every file in it was written (less
    /// [`RACY`]): the test's own changes come later.
    fn playbook() -> (tempfile::TempDir, PathBuf, PathBuf, SystemTime) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let out = root.join("public");
        for (path, text) in [
            ("book.toml", "[book]\ntitle = \"T\"\n"),
            ("README.md", "# T\n"),
            ("content/prompts/a.md", "+++\ntitle = \"A\"\n+++\nBody a.\n"),
            ("content/prompts/b.md", "+++\ntitle = \"B\"\n+++\nBody b.\n"),
            ("content/prompts/.a.md.swp", "swap"),
            ("themes/t/static/style.css", "body {}\n"),
            ("public/index.html", "<p>old</p>\n"),
        ] {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
        }
        // Change times cannot be set back: let them age past the racy window instead.
        std::thread::sleep(RACY + Duration::from_millis(50));
        (dir, root, out, SystemTime::now())
    }

    #[test]
    fn nothing_changed_since_the_build_began() {
        let (_dir, root, out, began) = playbook();
        assert_eq!(changed_since(&root, &out, began), None);
    }

    #[test]
    fn a_playbook_without_themes_has_nothing_changed_either() {
        let (_dir, root, out, _) = playbook();
        std::fs::remove_dir_all(root.join("themes")).unwrap();
        std::thread::sleep(RACY + Duration::from_millis(50));
        assert_eq!(changed_since(&root, &out, SystemTime::now()), None);
    }

    #[test]
    fn an_edit_a_new_file_a_removal_and_a_replacement_are_each_seen() {
        fn edit(root: &Path) {
            std::fs::write(root.join("content/prompts/a.md"), "+++\n+++\nEdited.\n").unwrap();
        }
        fn new_file(root: &Path) {
            std::fs::write(root.join("content/prompts/c.md"), "+++\n+++\n").unwrap();
        }
        fn new_folder(root: &Path) {
            std::fs::create_dir(root.join("content/tools")).unwrap();
        }
        fn removal(root: &Path) {
            std::fs::remove_file(root.join("content/prompts/b.md")).unwrap();
        }
        /// Written aside, given the old file's modification time, and renamed over it.
        fn replacement(root: &Path) {
            let b = root.join("content/prompts/b.md");
            let aside = root.join("content/prompts/.b.md.tmp");
            let old = std::fs::metadata(&b).unwrap().modified().unwrap();
            std::fs::write(&aside, "+++\ntitle = \"X\"\n+++\nBody x.\n").unwrap();
            let file = std::fs::File::options().write(true).open(&aside).unwrap();
            file.set_modified(old).unwrap();
            std::fs::rename(&aside, &b).unwrap();
        }
        fn theme(root: &Path) {
            std::fs::write(root.join("themes/t/static/style.css"), "p {}\n").unwrap();
        }
        fn book(root: &Path) {
            std::fs::write(root.join("book.toml"), "[book]\ntitle = \"U\"\n").unwrap();
        }
        type Case = (&'static str, fn(&Path));
        let changes: [Case; 7] = [
            ("an edit", edit),
            ("a new file", new_file),
            ("a new folder", new_folder),
            ("a removal", removal),
            ("a replacement with the old modification time", replacement),
            ("a theme's style sheet", theme),
            ("book.toml", book),
        ];
        for (what, change) in changes {
            let (_dir, root, out, began) = playbook();
            change(&root);
            assert!(
                changed_since(&root, &out, began).is_some(),
                "{what} went unseen"
            );
        }
    }

    #[test]
    fn the_output_editor_files_and_other_files_are_not_looked_at() {
        let (_dir, root, out, began) = playbook();
        std::fs::write(out.join("index.html"), "<p>new</p>\n").unwrap();
        std::fs::write(root.join("content/prompts/.a.md.swp"), "swap 2").unwrap();
        std::fs::write(root.join("README.md"), "# U\n").unwrap();
        assert_eq!(changed_since(&root, &out, began), None);
    }

    #[test]
    fn a_file_changed_just_before_the_build_began_counts_as_changed() {
        let (_dir, root, out, _) = playbook();
        std::fs::write(root.join("content/prompts/a.md"), "+++\n+++\n").unwrap();
        let began = SystemTime::now();
        assert_eq!(
            changed_since(&root, &out, began),
            Some(root.join("content/prompts/a.md"))
        );
    }
}
