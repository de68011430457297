//! Every committed fuzz input, replayed on stable: the minimised corpora under
//! `fuzz/corpus/<target>/` and the crashes under `fuzz/artifacts/<target>/` go through
//! the same functions as the fuzz targets (`tests/fuzz_harness/mod.rs`), so a crash
//! fuzzing once found cannot come back unnoticed, and `cargo test` needs no nightly.

mod fuzz_harness;

use std::path::{Path, PathBuf};

/// The files of one target's corpus and artifacts, sorted so failures name the same file
/// every run.
fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for dir in [
        fuzz.join("corpus").join(target),
        fuzz.join("artifacts").join(target),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        files.extend(
            entries
                .map(|e| e.expect("read corpus entry").path())
                .filter(|p| p.is_file()),
        );
    }
    files.sort();
    files
}

/// Runs each input through `run`, naming the input that panicked.
fn replay(target: &str, run: fn(&[u8])) {
    let files = inputs(target);
    // The corpus is committed: an empty one means it was lost, not that all is well.
    assert!(
        files.len() >= 20,
        "only {} inputs for `{target}`: is fuzz/corpus/{target}/ committed?",
        files.len()
    );
    let mut failed = Vec::new();
    for f in &files {
        let data = std::fs::read(f).expect("read corpus file");
        if std::panic::catch_unwind(|| run(&data)).is_err() {
            failed.push(f.display().to_string());
        }
    }
    assert!(failed.is_empty(), "panicked on: {failed:#?}");
}

#[test]
fn front_matter_corpus_never_panics() {
    replay("front_matter", fuzz_harness::front_matter);
}

#[test]
fn markdown_corpus_never_panics() {
    replay("markdown", fuzz_harness::markdown);
}

#[test]
fn book_toml_corpus_never_panics() {
    replay("book_toml", fuzz_harness::book_toml);
}
