//! Pathological inputs through the real binary: huge pages, deep nesting, very many links
//! and keys. Each must build (or fail with the right errors, counted right and printed
//! in a bounded, usable form) and never panic. No timings here: `benches/pathological.py`
//! measures how the time grows with the size of these inputs.

use crate::support::Project;

/// A tool page that the odd pages link to, with an anchor.
const TOOL: &str = "+++\ntitle = \"Canvas\"\npurpose = \"p\"\n+++\n\n## How {#how}\n\nText.\n";

/// A playbook with the tool and `content/big.md` holding `body` under `front` keys.
fn playbook(front: &str, body: &str) -> Project {
    Project::new().file("content/tools/canvas.md", TOOL).file(
        "content/big.md",
        &format!("+++\ntitle = \"Big\"\n{front}+++\n\n{body}"),
    )
}

/// The number of occurrences of `needle` in `hay`.
fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

#[test]
fn a_twenty_megabyte_page_builds_whole() {
    let para = "Coaching the Product Owner means asking, not telling: *what outcome* do we \
                want, **who** benefits? See [the tool](tools/canvas.md#how) and `code`.\n\n";
    let mut body = String::with_capacity(21_000_000);
    let mut sections = 0;
    while body.len() < 20_000_000 {
        body.push_str(&format!("## Section {sections}\n\n"));
        for _ in 0..20 {
            body.push_str(para);
        }
        sections += 1;
    }
    let p = playbook("", &body);
    p.run(&["build"])
        .succeeds()
        .no_panic()
        .stdout_has("Built 2 pages");
    let html = p.read("public/big/index.html");
    assert!(html.len() > 20_000_000, "{} bytes", html.len());
    assert_eq!(
        count(&html, "href=\"/playbook/tools/canvas/#how\""),
        sections * 20
    );
    let last = format!("<h2 id=\"section-{}\">", sections - 1);
    assert!(html.contains(&last), "the last section is missing");
}

#[test]
fn ten_thousand_nested_list_items_build() {
    // `- - - … item` nests each item in the one before, 10,000 levels deep on one line.
    let body = format!("{}item\n", "- ".repeat(10_000));
    let p = playbook("", &body);
    p.run(&["build"]).succeeds().no_panic();
    let html = p.read("public/big/index.html");
    // Each item but the innermost holds the next list.
    assert_eq!(count(&html, "<li>\n<ul>\n"), 9_999);
    assert_eq!(count(&html, "<li>item</li>"), 1);
    assert!(count(&html, "</ul>") >= 10_000);
}

#[test]
fn deeply_nested_blockquotes_and_emphasis_build() {
    let quotes = format!("{}deep quote\n", "> ".repeat(10_000));
    let opens: String = (0..10_000)
        .map(|i| if i % 2 == 0 { '*' } else { '_' })
        .collect();
    let closes: String = opens.chars().rev().collect();
    let body = format!("{quotes}\n\n{opens}deep emphasis{closes}\n");
    let p = playbook("", &body);
    p.run(&["build"]).succeeds().no_panic();
    let html = p.read("public/big/index.html");
    assert_eq!(count(&html, "<blockquote>"), 10_000);
    assert!(html.contains("deep quote"));
    assert!(html.contains("deep emphasis"));
    // Still nested thousands deep, not flattened or dropped.
    let ems = count(&html, "<em>");
    assert!(ems > 5_000, "{ems} <em>");
    assert_eq!(ems, count(&html, "</em>"));
}

/// 100,000 links: most to a page and its anchor, every 10th to a missing page and every
/// 100th to a missing anchor.
fn hundred_thousand_links() -> (String, usize, usize) {
    let mut body = String::new();
    let (mut broken, mut bad_anchor) = (0, 0);
    for i in 0..100_000 {
        if i % 10 == 5 {
            body.push_str(&format!("[gone {i}](tools/missing-{i}.md) "));
            broken += 1;
        } else if i % 100 == 0 {
            body.push_str(&format!("[anchor {i}](tools/canvas.md#nope) "));
            bad_anchor += 1;
        } else {
            body.push_str(&format!("[ok {i}](tools/canvas.md#how) "));
        }
        if i % 10 == 9 {
            body.push_str("\n\n");
        }
    }
    (body, broken, bad_anchor)
}

#[test]
fn hundred_thousand_links_count_every_error_and_print_a_bounded_report() {
    let (body, broken, bad_anchor) = hundred_thousand_links();
    assert_eq!((broken, bad_anchor), (10_000, 1_000));
    let p = playbook("", &body);
    let run = p.run(&["build"]);
    run.fails().no_panic();
    let stderr = run.stderr();
    // Every error is counted and reported...
    run.stderr_has("error: build failed with 11,000 errors");
    let short_missing = count(&stderr, ": error: link to a missing page `tools/missing-");
    let full_missing = count(&stderr, "\nerror: link to a missing page `tools/missing-")
        + usize::from(stderr.starts_with("error: link to a missing page"));
    let anchors = count(&stderr, "#nope");
    assert_eq!(
        short_missing + full_missing,
        broken,
        "missing pages reported"
    );
    assert!(anchors >= bad_anchor, "missing anchors reported: {anchors}");
    // ...the first 50 with their line, the rest one line each, in file order.
    assert_eq!(count(&stderr, "\n  = help: "), 50);
    run.stderr_has(
        "note: 10,950 more problems, one line each (the first 50 are shown in full above):",
    );
    assert!(
        stderr.contains("content/big.md:5:"),
        "the first line's errors come first"
    );
    // Bounded: about a line per error, not a snippet per error.
    assert!(
        stderr.len() < 11_000 * 120 + 50 * 1_000,
        "{} bytes of stderr",
        stderr.len()
    );
    assert!(
        !p.path().join("public").exists(),
        "a failed build writes nothing"
    );
}

#[test]
fn twenty_thousand_links_into_twenty_thousand_headings_are_each_checked() {
    // Every link but one finds its heading; the last points one past the end.
    let n = 20_000;
    let heads: String = (0..n)
        .map(|i| format!("## Heading {i}\n\nText.\n\n"))
        .collect();
    let links: String = (1..=n)
        .map(|i| format!("- [h{i}](big.md#heading-{i})\n"))
        .collect();
    let p = playbook("", &heads).file(
        "content/links.md",
        &format!("+++\ntitle = \"Links\"\n+++\n\n{links}"),
    );
    p.run(&["build"])
        .fails()
        .no_panic()
        .error_count(1)
        .stderr_has("link to a missing anchor `#heading-20000` in `content/big.md`")
        .stderr_has("did you mean `#heading-2000`?");
}

#[test]
fn a_one_megabyte_line_builds_and_errors_on_it_point_at_the_right_column() {
    let words = "word *em* `code` ".repeat(1_000_000 / 17);
    let p = playbook("", &format!("{words}[ok](tools/canvas.md) THE END\n"));
    p.run(&["build"]).succeeds().no_panic();
    assert!(p.read("public/big/index.html").contains("THE END"));

    let line = format!("{words}[gone](tools/nope.md) THE END");
    let p = playbook("", &format!("{line}\n"));
    let run = p.run(&["build"]);
    run.fails().no_panic().error_count(1);
    // Line 5 (after the four front matter lines and a blank); the column counts characters.
    let column = line.find("[gone]").unwrap() + 1;
    run.stderr_has(&format!("--> content/big.md:5:{column}\n"));
    // The source line is shown as a window around the link, not a megabyte.
    let stderr = run.stderr();
    assert!(stderr.len() < 2_000, "{} bytes: {stderr}", stderr.len());
    assert!(stderr.contains("[gone](tools/nope.md)"), "{stderr}");
}

#[test]
fn front_matter_with_a_hundred_thousand_keys_or_a_megabyte_string_builds() {
    let keys: String = (0..100_000).map(|i| format!("k{i} = {i}\n")).collect();
    let p = playbook(&format!("[extra]\n{keys}"), "Body.\n");
    p.run(&["build"]).succeeds().no_panic();
    assert!(p.read("public/big/index.html").contains("Body."));

    let long = "x".repeat(1_000_000);
    let p = playbook(&format!("summary = \"{long}\"\n"), "Body.\n");
    p.run(&["build"]).succeeds().no_panic();
    assert!(p.read("public/big/index.html").contains(&long));
}

#[test]
fn a_hundred_thousand_unknown_keys_are_each_reported_once() {
    let keys: String = (0..100_000).map(|i| format!("titl{i} = 1\n")).collect();
    let p = playbook(&keys, "Body.\n");
    let run = p.run(&["build"]);
    run.fails()
        .no_panic()
        .stderr_has("error: build failed with 100,000 errors")
        .stderr_has("note: 99,950 more problems, one line each");
    let stderr = run.stderr();
    assert_eq!(
        count(&stderr, "error: unknown front matter key `titl"),
        100_000
    );
    assert!(
        stderr.contains("content/big.md:100002:1: error: unknown front matter key `titl99999`")
    );
}
