//! `init` and `new`: create a working playbook, or one page with every key of its kind.
//! Neither ever overwrites a file.

use crate::content::{Kind, slugify};
use crate::diagnostic::Diagnostic;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Files `init` writes, relative to the playbook root.
const INIT_FILES: &[(&str, &str)] = &[
    ("book.toml", include_str!("scaffold/book.toml")),
    (".gitignore", "/public/\n"),
    (
        ".github/workflows/pages.yml",
        include_str!("scaffold/pages.yml"),
    ),
    ("content/_index.md", include_str!("scaffold/_index.md")),
    ("content/about.md", include_str!("scaffold/about.md")),
    (
        "content/prompts/what-makes-this-story-truly-valuable.md",
        include_str!("scaffold/prompt.md"),
    ),
    (
        "content/tools/story-mapping.md",
        include_str!("scaffold/tool.md"),
    ),
    (
        "content/stories/planning-the-backlog-together.md",
        include_str!("scaffold/story.md"),
    ),
    (
        "content/takeaways/collaboration-not-control.md",
        include_str!("scaffold/takeaway.md"),
    ),
    (
        "content/playbooks/first-steps.md",
        include_str!("scaffold/playbook.md"),
    ),
];

/// `playbook init [DIR]`: writes a playbook that builds. Refuses a folder that already
/// has a `book.toml`, and never overwrites any file. Returns the files written.
pub fn init(root: &Path, title: Option<&str>) -> Result<Vec<PathBuf>, Diagnostic> {
    if root.join("book.toml").exists() {
        return Err(Diagnostic::error(format!(
            "`{}` already holds a playbook (it has a `book.toml`)",
            root.display()
        ))
        .with_help("run `playbook init` in a new or empty folder; nothing was changed"));
    }
    for (rel, _) in INIT_FILES {
        if root.join(rel).exists() {
            return Err(Diagnostic::error(format!(
                "`{}` already exists",
                root.join(rel).display()
            ))
            .with_help("`init` never overwrites files: move it away, or start in an empty folder; nothing was changed"));
        }
    }
    let title = title.map(str::to_string).unwrap_or_else(|| {
        let name = std::fs::canonicalize(root)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "Our coaching playbook".into());
        if name.is_empty() || name == "." {
            "Our coaching playbook".into()
        } else {
            name
        }
    });
    let mut written = Vec::new();
    for (rel, text) in INIT_FILES {
        let path = root.join(rel);
        let text = text
            .replace("{{title}}", &title.replace('"', "\\\""))
            .replace("{{version}}", env!("CARGO_PKG_VERSION"));
        write_new(&path, &text)?;
        written.push(path);
    }
    Ok(written)
}

/// `playbook new KIND "Title" [DIR]`: writes `content/<kind folder>/<slug>.md` with every
/// key of its kind (optional ones commented). Refuses to overwrite.
pub fn new_page(root: &Path, kind: Kind, title: &str) -> Result<PathBuf, Diagnostic> {
    let slug = slugify(title);
    if slug.is_empty() {
        return Err(
            Diagnostic::error(format!("cannot make a file name from the title `{title}`"))
                .with_help("give a title with at least one letter or digit"),
        );
    }
    if !root.join("book.toml").exists() {
        return Err(crate::config::no_book_toml(root)
            .with_help("run `playbook new` inside a playbook, or `playbook init` first"));
    }
    let dir = match kind.folder() {
        Some(f) => root.join("content").join(f),
        None => root.join("content"),
    };
    let path = dir.join(format!("{slug}.md"));
    if let Some(other) = same_url(&dir, &path, &slug) {
        let url = match kind.folder() {
            Some(f) => format!("/{f}/{slug}/"),
            None => format!("/{slug}/"),
        };
        return Err(Diagnostic::error(format!(
            "`{}` already has the URL of the new page, `{url}`",
            other.display()
        ))
        .with_help("edit that file, or choose another title; nothing was written"));
    }
    write_new(&path, &page_template(kind, title))?;
    Ok(path)
}

/// Another page in `dir` whose file name gives the same URL as `slug` (`Retro.md` for
/// `retro`, `a b.md` for `a-b`): writing `path` beside it would only make the build fail.
fn same_url(dir: &Path, path: &Path, slug: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p != path
                && p.extension().is_some_and(|e| e == "md")
                && p.file_stem()
                    .is_some_and(|s| slugify(&s.to_string_lossy()) == slug)
        })
}

/// The text `new` writes: every key of the kind, the required ones filled in.
pub fn page_template(kind: Kind, title: &str) -> String {
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut s = String::from("+++\n");
    s.push_str(&format!("title = {}\n", q(title)));
    let own: &[(&str, &str, bool)] = match kind {
        Kind::Prompt => &[
            (
                "purpose",
                "\"\"  # the outcome the question aims at, e.g. \"Shift from tasks to outcomes\"",
                true,
            ),
            ("when", "\"\"  # the situation to use it in", false),
            (
                "instead_of",
                "\"\"  # the closed question it replaces",
                false,
            ),
            ("follow_ups", "[\"\"]", false),
            ("tools", "[\"tools/…\"]", false),
        ],
        Kind::Tool => &[
            ("purpose", "\"\"  # what the tool is for", true),
            ("duration", "\"60–90 min\"", false),
            ("prep", "\"\"", false),
            ("group_size", "\"3–12\"", false),
            ("difficulty", "\"easy\"  # easy, moderate or hard", false),
            ("formats", "[\"in-person\", \"remote\"]", false),
            ("participants", "[\"product-owner\", \"team\"]", false),
            ("materials", "[\"sticky notes\"]", false),
            ("prompts", "[\"prompts/…\"]", false),
        ],
        Kind::Takeaway => &[
            ("stories", "[\"stories/…\"]", false),
            ("quote", "\"\"", false),
            ("quote_by", "\"\"", false),
        ],
        Kind::Story => &[
            (
                "context",
                "\"\"  # the situation the story starts from",
                true,
            ),
            ("intervention", "\"\"  # what was tried", false),
            ("duration", "\"3 sprints\"", false),
            ("prompts", "[\"prompts/…\"]", false),
            ("tools", "[\"tools/…\"]", false),
            (
                "outcomes",
                "[{ label = \"Story churn\", before = 14, after = 5, unit = \"stories per sprint\", better = \"lower\" }]",
                false,
            ),
        ],
        Kind::Playbook => &[(
            "steps",
            "[]  # the ordered path: [\"prompts/…\", { ref = \"tools/…\", note = \"…\" }]",
            true,
        )],
        Kind::Page => &[],
    };
    for (k, v, required) in own {
        let prefix = if *required { "" } else { "# " };
        s.push_str(&format!("{prefix}{k} = {v}\n"));
    }
    s.push_str(
        "# summary = \"\"\n# tags = []\n# roles = []     # product-owner, scrum-master, team, developers, stakeholders, manager, coach\n# events = []    # refinement, sprint-planning, daily-scrum, sprint-review, retrospective, one-on-one, workshop\n# authors = []\n# source = \"\"\n# date = 2026-01-01\n# weight = 1\n# related = []\n# aliases = []\n# slug = \"\"\n# draft = true\n+++\n\n",
    );
    s
}

/// Creates a file that must not exist yet, with its folders.
fn write_new(path: &Path, text: &str) -> Result<(), Diagnostic> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            Diagnostic::error(format!("cannot create `{}`: {e}", parent.display()))
                .with_help("check the folder's permissions")
        })?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Diagnostic::error(format!("`{}` already exists", path.display())).with_help(
                    "choose another title, or edit the existing file; nothing was overwritten",
                )
            } else {
                Diagnostic::error(format!("cannot create `{}`: {e}", path.display()))
                    .with_help("check the folder's permissions")
            }
        })?;
    f.write_all(text.as_bytes()).map_err(|e| {
        Diagnostic::error(format!("cannot write `{}`: {e}", path.display()))
            .with_help("check free space")
    })
}
