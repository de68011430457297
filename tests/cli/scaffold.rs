//! `playbook init` and `playbook new`: a playbook that builds from the first minute, pages
//! with every key of their kind, never a file overwritten; and usage errors (exit 2).

use crate::build::{names, tree};
use crate::support::Project;

/// A playbook created by `init` in an empty folder.
fn initialised() -> Project {
    let p = Project::empty();
    p.run(&["init"]).succeeds().no_panic();
    p
}

// ---------------------------------------------------------------------------------------
// init

#[test]
fn init_creates_book_content_workflow_and_gitignore() {
    let p = initialised();
    for f in ["book.toml", ".github/workflows/pages.yml", ".gitignore"] {
        assert!(p.path().join(f).is_file(), "init did not write {f}");
    }
    assert!(
        p.path().join("content").is_dir(),
        "init did not write content/"
    );
}

#[test]
fn init_says_what_to_run_next_from_inside_the_new_folder() {
    let p = Project::empty();
    let run = p.run(&["init", "our playbook"]);
    run.succeeds();
    let out = run.stdout();
    // `cd` first (quoted: the name holds a space), so `serve` and `git init` run in
    // the playbook, not in the folder above it.
    let cd = out.find("  cd 'our playbook'\n").expect(&out);
    let serve = out.find("  playbook serve").expect(&out);
    // On `main`: the workflow publishes pushes to `main`.
    let git = out.find("  git init -b main && ").expect(&out);
    assert!(cd < serve && serve < git, "{out}");

    // Created where it runs: nothing to change into.
    let here = Project::empty();
    let run = here.run(&["init"]);
    run.succeeds().stdout_has("  playbook serve");
    assert!(!run.stdout().contains("  cd "), "{}", run.stdout());
}

#[test]
fn init_writes_one_page_of_every_kind() {
    let p = initialised();
    for folder in ["prompts", "tools", "stories", "takeaways", "playbooks"] {
        let pages: Vec<String> = names(&p.path().join("content").join(folder))
            .into_iter()
            .filter(|n| n.ends_with(".md"))
            .collect();
        assert!(!pages.is_empty(), "no page in content/{folder}");
    }
    let free: Vec<String> = names(&p.path().join("content"))
        .into_iter()
        .filter(|n| n.ends_with(".md") && n != "_index.md")
        .collect();
    assert!(!free.is_empty(), "no free page in content/");
}

#[test]
fn init_pages_cover_every_kind_once_built() {
    let p = initialised();
    p.run(&["build"]).succeeds();
    let json: serde_json::Value =
        serde_json::from_str(&p.read("public/playbook.json")).expect("JSON");
    let kinds: std::collections::BTreeSet<&str> = json["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    for kind in ["prompt", "tool", "story", "takeaway", "playbook", "page"] {
        assert!(kinds.contains(kind), "no {kind} page: {kinds:?}");
    }
}

#[test]
fn init_workflow_deploys_to_github_pages() {
    let p = initialised();
    let workflow = p.read(".github/workflows/pages.yml");
    for s in [
        "actions/configure-pages",
        "actions/deploy-pages",
        "--base-url",
    ] {
        assert!(
            workflow.contains(s),
            "the workflow lacks {s:?}:\n{workflow}"
        );
    }
}

#[test]
fn init_gitignore_ignores_the_output() {
    let p = initialised();
    let ignore = p.read(".gitignore");
    assert!(ignore.lines().any(|l| l.contains("public")), "{ignore}");
}

#[test]
fn init_result_builds() {
    let p = initialised();
    p.run(&["build"]).succeeds().no_panic();
    assert!(p.path().join("public/index.html").is_file());
}

#[test]
fn init_result_checks() {
    initialised().run(&["check"]).succeeds().no_panic();
}

#[test]
fn init_tells_how_to_turn_on_github_pages() {
    Project::empty()
        .run(&["init"])
        .succeeds()
        .stdout_has("Settings → Pages");
}

#[test]
fn init_with_a_dir_creates_it() {
    let p = Project::empty();
    p.run(&["init", "site"]).succeeds();
    assert!(p.path().join("site/book.toml").is_file());
    assert!(p.path().join("site/content").is_dir());
    assert_eq!(names(p.path()), ["site"]);
    p.run(&["build", "site"]).succeeds();
    assert!(p.path().join("site/public/index.html").is_file());
}

#[test]
fn init_refuses_a_folder_with_a_book_toml() {
    let p = Project::new();
    let before = tree(p.path());
    p.run(&["init"]).fails().no_panic();
    assert_eq!(tree(p.path()), before, "init changed files");
    assert_eq!(names(p.path()), ["book.toml", "content"]);
}

#[test]
fn init_refuses_when_a_file_it_would_write_exists() {
    let p = Project::empty().file(".gitignore", "# my own rules\n*.log\n");
    p.run(&["init"]).fails().no_panic();
    assert_eq!(p.read(".gitignore"), "# my own rules\n*.log\n");
    assert_eq!(names(p.path()), [".gitignore"], "init wrote other files");
}

#[test]
fn init_into_a_non_empty_folder_keeps_every_file_there() {
    let p = Project::empty()
        .file("README.md", "# Our team\n")
        .file("notes/retro.txt", "keep me\n");
    p.run(&["init"]).succeeds().no_panic();
    assert_eq!(p.read("README.md"), "# Our team\n");
    assert_eq!(p.read("notes/retro.txt"), "keep me\n");
    assert!(p.path().join("book.toml").is_file());
}

#[test]
fn init_refuses_when_a_page_it_would_write_is_a_folder() {
    let p = Project::empty().file("content/about.md/draft.txt", "mine\n");
    p.run(&["init"])
        .fails()
        .no_panic()
        .stderr_has("content/about.md` already exists");
    assert_eq!(p.read("content/about.md/draft.txt"), "mine\n");
    assert_eq!(names(p.path()), ["content"], "init wrote other files");
}

// ---------------------------------------------------------------------------------------
// new

/// Whether a front matter has `key = …`, commented (`# key = …`) or not.
fn line_of<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find(|l| {
        let l = l.trim_start_matches('#').trim_start();
        l.strip_prefix(key)
            .is_some_and(|r| r.trim_start().starts_with('='))
    })
}

fn assert_keys(text: &str, keys: &[&str]) {
    let missing: Vec<&&str> = keys.iter().filter(|k| line_of(text, k).is_none()).collect();
    assert!(missing.is_empty(), "keys missing: {missing:?}\n{text}");
}

const COMMON: &[&str] = &[
    "summary", "tags", "roles", "events", "authors", "source", "aliases", "date", "draft",
    "weight", "related", "slug",
];

#[test]
fn new_prompt_prints_the_path_it_wrote() {
    let p = Project::new();
    p.run(&["new", "prompt", "What would you remove?"])
        .succeeds()
        .stdout_has("content/prompts/what-would-you-remove.md");
    assert!(
        p.path()
            .join("content/prompts/what-would-you-remove.md")
            .is_file()
    );
}

#[test]
fn new_prompt_fills_title_and_purpose_and_comments_optional_keys() {
    let p = Project::new();
    p.run(&["new", "prompt", "What would you remove?"])
        .succeeds();
    let text = p.read("content/prompts/what-would-you-remove.md");
    assert!(text.starts_with("+++\n"), "{text}");
    assert!(
        text.lines()
            .any(|l| l == "title = \"What would you remove?\""),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("purpose =")), "{text}");
    for key in ["when", "tools"] {
        let line = line_of(&text, key).unwrap_or_else(|| panic!("no `{key}`:\n{text}"));
        assert!(line.starts_with("# "), "`{key}` is not commented: {line}");
    }
}

#[test]
fn new_prompt_has_every_key_of_its_kind() {
    let p = Project::new();
    p.run(&["new", "prompt", "What would you remove?"])
        .succeeds();
    let text = p.read("content/prompts/what-would-you-remove.md");
    assert_keys(
        &text,
        &[
            "title",
            "purpose",
            "when",
            "instead_of",
            "follow_ups",
            "tools",
        ],
    );
}

#[test]
fn new_prompt_page_builds() {
    let p = Project::new();
    p.run(&["new", "prompt", "What would you remove?"])
        .succeeds();
    // It builds, and says what is left to write.
    p.run(&["build"])
        .succeeds()
        .no_panic()
        .stderr_has("warning: `purpose` is empty");
    assert!(
        p.path()
            .join("public/prompts/what-would-you-remove/index.html")
            .is_file()
    );
}

#[test]
fn new_refuses_to_overwrite_a_page() {
    let p = Project::new();
    p.run(&["new", "prompt", "What would you remove?"])
        .succeeds();
    let rel = "content/prompts/what-would-you-remove.md";
    let edited = format!("{}\nMy own notes.\n", p.read(rel));
    p.write(rel, edited.as_bytes());
    p.run(&["new", "prompt", "What would you remove?"])
        .fails()
        .no_panic();
    assert_eq!(p.read(rel), edited, "the page was overwritten");
}

#[test]
fn new_refuses_a_page_whose_name_differs_only_in_case() {
    let p = Project::new().file("content/prompts/What-Would-You-Remove.md", "mine\n");
    p.run(&["new", "prompt", "What would you remove?"])
        .fails()
        .no_panic()
        .stderr_has(
            "error: `./content/prompts/What-Would-You-Remove.md` already has the URL of the new page, `/prompts/what-would-you-remove/`",
        )
        .stderr_has("help: edit that file, or choose another title; nothing was written");
    assert_eq!(
        names(&p.path().join("content/prompts")),
        ["What-Would-You-Remove.md"]
    );
    assert_eq!(p.read("content/prompts/What-Would-You-Remove.md"), "mine\n");
}

#[test]
fn new_refuses_a_page_whose_name_gives_the_same_url() {
    let p = Project::new().file("content/about us.md", "mine\n");
    p.run(&["new", "page", "About us"])
        .fails()
        .no_panic()
        .stderr_has("`./content/about us.md` already has the URL of the new page, `/about-us/`");
    assert_eq!(names(&p.path().join("content")), ["about us.md"]);
}

#[test]
fn new_refuses_when_the_page_path_is_a_folder() {
    let p = Project::new().file("content/prompts/why-not.md/notes.txt", "mine\n");
    p.run(&["new", "prompt", "Why not?"])
        .fails()
        .no_panic()
        .stderr_has("error: `./content/prompts/why-not.md` already exists")
        .stderr_has("nothing was overwritten");
    assert_eq!(p.read("content/prompts/why-not.md/notes.txt"), "mine\n");
    assert_eq!(tree(&p.path().join("content")).len(), 1);
}

/// `new KIND TITLE` in a fresh playbook: prints `rel`, writes it with `keys`, and the
/// playbook still builds with it, writing `page`.
fn assert_new_builds(kind: &str, title: &str, rel: &str, keys: &[&str], page: &str) {
    let p = Project::new();
    p.run(&["new", kind, title]).succeeds().stdout_has(rel);
    let text = p.read(rel);
    assert_keys(&text, keys);
    p.run(&["build"]).succeeds().no_panic();
    assert!(p.path().join("public").join(page).is_file(), "no {page}");
}

#[test]
fn new_tool_writes_a_tool_that_builds() {
    assert_new_builds(
        "tool",
        "Story Mapping",
        "content/tools/story-mapping.md",
        &[
            "title",
            "purpose",
            "duration",
            "prep",
            "group_size",
            "difficulty",
            "formats",
            "participants",
            "materials",
            "prompts",
        ],
        "tools/story-mapping/index.html",
    );
}

#[test]
fn new_story_writes_a_story_that_builds() {
    assert_new_builds(
        "story",
        "The bottleneck",
        "content/stories/the-bottleneck.md",
        &[
            "title",
            "context",
            "intervention",
            "duration",
            "prompts",
            "tools",
            "outcomes",
        ],
        "stories/the-bottleneck/index.html",
    );
}

#[test]
fn new_takeaway_writes_a_takeaway_that_builds() {
    assert_new_builds(
        "takeaway",
        "Collaboration not control",
        "content/takeaways/collaboration-not-control.md",
        &["title", "stories", "quote", "quote_by"],
        "takeaways/collaboration-not-control/index.html",
    );
}

#[test]
fn new_playbook_writes_a_playbook_that_builds() {
    assert_new_builds(
        "playbook",
        "First steps",
        "content/playbooks/first-steps.md",
        &["title", "steps"],
        "playbooks/first-steps/index.html",
    );
}

#[test]
fn new_page_writes_a_free_page_that_builds() {
    assert_new_builds(
        "page",
        "Contributing",
        "content/contributing.md",
        &["title"],
        "contributing/index.html",
    );
}

#[test]
fn new_page_lists_every_common_key() {
    let p = Project::new();
    p.run(&["new", "page", "Contributing"]).succeeds();
    assert_keys(&p.read("content/contributing.md"), COMMON);
}

// ---------------------------------------------------------------------------------------
// Usage

#[test]
fn unknown_command_is_a_usage_error() {
    Project::new().run(&["frobnicate"]).fails_with(2).no_panic();
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let p = Project::new();
    p.run(&["build", "--frob"]).fails_with(2).no_panic();
    assert!(!p.path().join("public").exists(), "a bad flag still built");
}

#[test]
fn new_with_an_unknown_kind_is_a_usage_error() {
    let p = Project::new();
    p.run(&["new", "widget", "X"]).fails_with(2).no_panic();
    assert_eq!(
        tree(&p.path().join("content")).len(),
        0,
        "a file was written"
    );
}

#[test]
fn every_command_has_help() {
    let p = Project::empty();
    p.run(&["--help"]).succeeds().stdout_has("Usage: playbook");
    for cmd in ["init", "new", "build", "check"] {
        p.run(&[cmd, "--help"])
            .succeeds()
            .stdout_has(&format!("Usage: playbook {cmd}"));
    }
    assert!(names(p.path()).is_empty(), "--help wrote files");
}
