//! The floor of the build benchmark: what this machine allows for a build's core work.
//!
//! The performance issue measured, on this kind of machine, "a bare Rust pipeline (scan,
//! read, TOML, pulldown-cmark, one Tera 2 template, write the page files only)" at
//! 0.35 s for the 10,000-page playbook. Machines drift (the same Hugo took 8.4 s then and
//! 12–13 s on later days here), so `benches/build.py` runs this pipeline beside playbook
//! and reports playbook's time as a multiple of it, measured in the same run.
//!
//! It does only that core work, on every core with rayon: find `content/**/*.md`, read
//! each file, parse its TOML front matter, render its Markdown, render one small Tera 2
//! template around it and write `<out>/<folder>/<slug>/index.html`. No lists, links,
//! feeds, search, checks or error messages, and it writes over the previous output in
//! place (no staging folder, nothing removed), as the issue's pipeline did.
//!
//! ```text
//! playbook-floor <playbook folder> <output folder>
//! ```

use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// The front matter fields the template shows; the rest is parsed and dropped.
#[derive(serde::Deserialize)]
struct FrontMatter {
    title: String,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

/// One template, about the size of a page's chrome in playbook's default theme.
const TEMPLATE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · {{ site }}</title>
{% if summary %}<meta name="description" content="{{ summary }}">{% endif %}
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header><a href="/">{{ site }}</a></header>
<main>
<article>
<h1>{{ title }}</h1>
{% if summary %}<p class="lede">{{ summary }}</p>{% endif %}
<ul class="tags">{% for t in tags %}<li><a href="/tags/{{ t }}/">#{{ t }}</a></li>{% endfor %}</ul>
{{ content | safe }}
</article>
</main>
</body>
</html>
"#;

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [root, out] = args.as_slice() else {
        eprintln!("usage: playbook-floor <playbook folder> <output folder>");
        std::process::exit(2);
    };
    let mut tera = tera::Tera::new();
    tera.add_raw_template("page.html", TEMPLATE)
        .expect("the template parses");
    let content = root.join("content");
    let sources: Vec<PathBuf> = walkdir::WalkDir::new(&content)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(walkdir::DirEntry::into_path)
        .collect();
    let written: usize = sources
        .par_iter()
        .map(|path| build_page(&tera, &content, out, path))
        .sum();
    println!("{written} pages");
}

/// Reads, parses, renders and writes one page; 1 if it was written.
fn build_page(tera: &tera::Tera, content: &Path, out: &Path, path: &Path) -> usize {
    let text = std::fs::read_to_string(path).expect("readable UTF-8 page");
    let Some(rest) = text.strip_prefix("+++\n") else {
        return 0;
    };
    let Some(end) = rest.find("\n+++\n") else {
        return 0;
    };
    let fm: FrontMatter = toml::from_str(&rest[..end]).expect("valid front matter");
    let body = &rest[end + 5..];
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(
        &mut html,
        pulldown_cmark::Parser::new_ext(body, pulldown_cmark::Options::ENABLE_TABLES),
    );
    let mut ctx = tera::Context::new();
    ctx.insert("site", "Coaching Playbook");
    ctx.insert("title", &fm.title);
    ctx.insert("summary", &fm.summary);
    ctx.insert("tags", &fm.tags);
    ctx.insert("content", &html);
    let mut page = Vec::with_capacity(html.len() + 2048);
    tera.render_to("page.html", &ctx, &mut page)
        .expect("the template renders");
    let rel = path.strip_prefix(content).expect("under content/");
    let dir = out.join(rel.with_extension(""));
    std::fs::create_dir_all(&dir).expect("output folder");
    std::fs::write(dir.join("index.html"), page).expect("page written");
    1
}
