//! Every kind of mistake a coach can make gets a message with `file:line:column`, what
//! was expected and how to fix it; all of a run's errors are reported together, exit 1.

use crate::support::Project;

const PROMPT: &str = "+++\ntitle = \"What would you remove?\"\npurpose = \"Test prioritization clarity\"\n+++\n\nBody.\n";
const TOOL: &str = "+++\ntitle = \"Story Mapping\"\npurpose = \"Shared picture\"\n+++\n\n## How to run it\n\nSteps.\n";

fn with_prompt(text: &str) -> Project {
    Project::new().file("content/prompts/remove-one.md", text)
}

#[test]
fn check_rejects_unknown_key_with_suggestion() {
    with_prompt(
        "+++\ntitle = \"Q?\"\npurpse = \"Test prioritization clarity\"\npurpose = \"x\"\n+++\n",
    )
    .run(&["check"])
    .fails()
    .error_count(1)
    .stderr_has("error: unknown front matter key `purpse`")
    .stderr_has("--> content/prompts/remove-one.md:3:1")
    .stderr_has("help: did you mean `purpose`?");
}

#[test]
fn check_rejects_missing_required_key() {
    with_prompt("+++\ntitle = \"Q?\"\nsummary = \"s\"\n+++\n")
        .run(&["check"])
        .fails()
        .stderr_has("error: missing required key `purpose` for a prompt")
        .stderr_has("--> content/prompts/remove-one.md:1:1")
        .stderr_has("help: add the outcome it aims at");
}

#[test]
fn check_rejects_wrong_type_at_the_value() {
    with_prompt("+++\ntitle = \"Q?\"\npurpose = \"p\"\nweight = \"first\"\n+++\n")
        .run(&["check"])
        .fails()
        .stderr_has("error: wrong type for `weight`: expected a whole number, found text \"first\"")
        .stderr_has("--> content/prompts/remove-one.md:4:10")
        .stderr_has("help: write a whole number without quotes: `weight = 10`");
}

#[test]
fn check_rejects_bad_toml_with_line_of_the_whole_file() {
    with_prompt("+++\ntitle = \"Q?\"\npurpose = Test clarity\n+++\n")
        .run(&["check"])
        .fails()
        .stderr_has("error: invalid TOML")
        .stderr_has("--> content/prompts/remove-one.md:3:11")
        .stderr_has("help: check the quotes");
}

#[test]
fn an_unclosed_quote_points_at_the_end_of_its_line_and_names_the_key() {
    // The parser's error sits on the line break; the caret goes after the last
    // character, on that line alone, not across the next one.
    with_prompt("+++\ntitle = \"What would you remove?\npurpose = \"p\"\n+++\n")
        .run(&["check"])
        .fails()
        .error_count(1)
        .stderr_has("error: unclosed quote: `title` runs to the end of the line")
        .stderr_has("--> content/prompts/remove-one.md:2:32")
        .stderr_has("2 | title = \"What would you remove?\n  |                                ^\n")
        .stderr_has("help: add the closing `\"` at the end of the text");
}

#[test]
fn a_list_never_closed_points_at_the_end_of_its_own_line() {
    // The parser stops on the next line; the list to close is the one above it.
    with_prompt("+++\ntitle = \"Q?\"\npurpose = \"p\"\ntags = [\"a\", \"b\"\nweight = 1\n+++\n")
        .run(&["check"])
        .fails()
        .error_count(1)
        .stderr_has("error: unclosed list: `tags` on line 4 has no closing `]`")
        .stderr_has("--> content/prompts/remove-one.md:4:17")
        .stderr_has("help: add `]` after the list's last item");
}

#[test]
fn a_list_written_over_several_lines_is_not_taken_for_an_unclosed_one() {
    with_prompt("+++\ntitle = \"Q?\"\npurpose = \"p\"\ntags = [\n  \"a\",\n  \"b\",\n]\n+++\n")
        .run(&["check"])
        .succeeds();
}

#[test]
fn items_without_a_comma_and_yaml_colons_get_the_toml_way_to_write_them() {
    with_prompt("+++\ntitle = \"Q?\"\npurpose = \"p\"\ntags = [\"a\" \"b\"]\n+++\n")
        .run(&["check"])
        .fails()
        .stderr_has("error: missing comma between the list's items")
        .stderr_has("--> content/prompts/remove-one.md:4:13")
        .stderr_has("help: separate the items with commas");
    with_prompt("+++\ntitle = \"Q?\"\npurpose: \"p\"\n+++\n")
        .run(&["check"])
        .fails()
        .stderr_has("error: expected `=` after `purpose`, found `:`")
        .stderr_has("--> content/prompts/remove-one.md:3:8")
        .stderr_has("help: TOML sets a key with `=`: write `purpose = …`");
}

#[test]
fn a_purpose_left_blank_is_a_warning_and_check_counts_it() {
    // As `playbook new` writes it: the page previews, and says what is left to write.
    let run =
        with_prompt("+++\ntitle = \"Q?\"\npurpose = \"\"  # what it is for\n+++\n").run(&["check"]);
    run.succeeds()
        .stderr_has("warning: `purpose` is empty: the prompt's card and search result show nothing under its title")
        .stderr_has("--> content/prompts/remove-one.md:3:11")
        .stderr_has("help: write the outcome it aims at")
        .stdout_has("no errors, 1 warning");
    assert!(!run.stdout().contains("no problems"), "{}", run.stdout());
}

#[test]
fn a_key_set_twice_names_the_line_it_was_first_set_on() {
    with_prompt("+++\ntitle = \"Q?\"\npurpose = \"p\"\ntitle = \"Again?\"\n+++\n")
        .run(&["check"])
        .fails()
        .error_count(1)
        .stderr_has("error: `title` is set twice")
        .stderr_has("--> content/prompts/remove-one.md:4:1")
        .stderr_has("help: it is first set on line 2: keep one of the two");
}

#[test]
fn a_table_written_twice_in_book_toml_names_its_first_heading() {
    Project::new()
        .file(
            "book.toml",
            "[book]\ntitle = \"T\"\n\n[search]\nenabled = true\n\n[search]\nenabled = false\n",
        )
        .run(&["check"])
        .fails()
        .error_count(1)
        .stderr_has("error: table `[search]` appears twice")
        .stderr_has("--> book.toml:7:2")
        .stderr_has("help: it first appears on line 4");
}

#[test]
fn a_date_without_two_digit_months_says_how_dates_are_written() {
    with_prompt("+++\ntitle = \"Q?\"\npurpose = \"p\"\ndate = 2026-1-5\n+++\n")
        .run(&["check"])
        .fails()
        .error_count(1)
        .stderr_has("--> content/prompts/remove-one.md:4:8")
        .stderr_has("help: write a date as year-month-day with two-digit months and days, without quotes: `date = 2026-01-05`");
}

#[test]
fn a_page_with_broken_front_matter_is_the_only_error_not_every_reference_to_it() {
    // The prompt exists; its front matter does not parse. References to it from a
    // playbook's steps, a story's list and a Markdown link are not reported as pointing
    // nowhere: the one thing to fix is the prompt. A truly missing page still is.
    Project::new()
        .file("content/prompts/remove-one.md", "+++\ntitle = \"Q?\npurpose = \"p\"\n+++\n")
        .file(
            "content/playbooks/start.md",
            "+++\ntitle = \"Start\"\nsteps = [\"prompts/remove-one\"]\n+++\n",
        )
        .file(
            "content/stories/one.md",
            "+++\ntitle = \"One\"\ncontext = \"c\"\nprompts = [\"remove-one\", \"remove-two\"]\n+++\n\nSee [it](../prompts/remove-one.md).\n",
        )
        .run(&["check"])
        .fails()
        .error_count(2)
        .stderr_has("error: unclosed quote: `title`")
        .stderr_has("--> content/prompts/remove-one.md:2:12")
        .stderr_has("error: dangling reference in `prompts`: no page `prompts/remove-two`");
}

#[test]
fn check_rejects_unclosed_front_matter() {
    with_prompt("+++\ntitle = \"Q?\"\npurpose = \"p\"\n\nBody without the closing line.\n")
        .run(&["check"])
        .fails()
        .stderr_has("error: front matter is never closed")
        .stderr_has("--> content/prompts/remove-one.md:1:1")
        .stderr_has("help: add a line with `+++` alone");
}

#[test]
fn check_rejects_kind_folder_page_without_front_matter() {
    Project::new()
        .file("content/tools/canvas.md", "# Canvas\n\nNo front matter.\n")
        .run(&["check"])
        .fails()
        .stderr_has("error: no front matter: a tool in `content/tools/` must start with `+++`")
        .stderr_has("--> content/tools/canvas.md:1:1")
        .stderr_has("purpose = \"…\"");
}

#[test]
fn free_page_without_front_matter_takes_its_first_heading() {
    let p = Project::new().file("content/about.md", "# About us\n\nHello.\n");
    p.run(&["build"]).succeeds();
    assert!(
        p.read("public/about/index.html")
            .contains("<h1>About us</h1>")
    );
}

#[test]
fn check_rejects_yaml_front_matter_with_a_fix() {
    with_prompt("---\ntitle: Q?\n---\n")
        .run(&["check"])
        .fails()
        .stderr_has("front matter must be TOML between `+++` lines, not YAML");
}

#[test]
fn check_rejects_dangling_reference_with_closest_page() {
    Project::new()
        .file("content/tools/story-mapping.md", TOOL)
        .file(
            "content/prompts/remove-one.md",
            "+++\ntitle = \"Q?\"\npurpose = \"p\"\ntools = [\"story-maping\"]\n+++\n",
        )
        .run(&["check"])
        .fails()
        .error_count(1)
        .stderr_has("error: dangling reference in `tools`: no page `tools/story-maping`")
        .stderr_has("--> content/prompts/remove-one.md:4:10")
        .stderr_has("help: did you mean `tools/story-mapping`?");
}

#[test]
fn a_kind_folder_renamed_points_each_broken_reference_and_link_at_the_moved_page() {
    // `tools/` renamed to `methods/`: the tool is now a plain page of another folder.
    Project::new()
        .file(
            "content/methods/story-mapping.md",
            "+++\ntitle = \"Story Mapping\"\n+++\n\nSteps.\n",
        )
        .file(
            "content/prompts/remove-one.md",
            "+++\ntitle = \"Q?\"\npurpose = \"p\"\ntools = [\"story-mapping\"]\n+++\n\nSee [the map](../tools/story-mapping.md).\n",
        )
        .run(&["check"])
        .fails()
        .error_count(2)
        .stderr_has("error: dangling reference in `tools`: no page `tools/story-mapping`")
        .stderr_has(
            "help: `methods/story-mapping` has that name, but it is a page, not a tool: move it into `content/tools/`, or remove it from this list",
        )
        .stderr_has("error: link to a missing page `../tools/story-mapping.md`")
        .stderr_has("help: did you mean `../methods/story-mapping.md`?");
}

#[test]
fn a_key_of_another_kind_names_the_kinds_that_take_it_in_plain_english() {
    Project::new()
        .file(
            "content/takeaways/quote.md",
            "+++\ntitle = \"A takeaway\"\nquote = \"q\"\nduration = \"30 min\"\n+++\n",
        )
        .run(&["check"])
        .fails()
        .stderr_has("`duration` belongs to tools and stories;");
}

#[test]
fn check_rejects_dangling_playbook_step() {
    Project::new()
        .file("content/prompts/remove-one.md", PROMPT)
        .file(
            "content/playbooks/path.md",
            "+++\ntitle = \"Path\"\nsteps = [\n  \"prompts/remove-one\",\n  { ref = \"prompts/remove-two\", note = \"n\" },\n]\n+++\n",
        )
        .run(&["check"])
        .fails()
        .stderr_has("error: dangling reference in step 2: no page `prompts/remove-two`")
        .stderr_has("--> content/playbooks/path.md:5:3")
        .stderr_has("did you mean `prompts/remove-one`?");
}

#[test]
fn a_well_written_reference_to_a_deleted_page_says_the_file_is_missing_not_how_to_write_it() {
    // Nothing is near `tools/story-mapping`: the reference is right, the page is gone.
    Project::new()
        .file(
            "content/prompts/remove-one.md",
            "+++\ntitle = \"Q?\"\npurpose = \"p\"\ntools = [\"story-mapping\"]\n+++\n",
        )
        .file(
            "content/playbooks/path.md",
            "+++\ntitle = \"Path\"\nsteps = [\"tools/story-mapping\"]\n+++\n",
        )
        .run(&["check"])
        .fails()
        .error_count(2)
        .stderr_has("error: dangling reference in `tools`: no page `tools/story-mapping`")
        .stderr_has("error: dangling reference in step 1: no page `tools/story-mapping`")
        .stderr_has("help: there is no `content/tools/story-mapping.md`: create the page, or remove this reference");
}

#[test]
fn check_rejects_link_to_missing_page() {
    Project::new()
        .file("content/tools/story-mapping.md", TOOL)
        .file(
            "content/prompts/remove-one.md",
            "+++\ntitle = \"Q?\"\npurpose = \"p\"\n+++\n\nTry [mapping](../tools/story-maping.md).\n",
        )
        .run(&["check"])
        .fails()
        .stderr_has("error: link to a missing page `../tools/story-maping.md`")
        .stderr_has("--> content/prompts/remove-one.md:6:5")
        .stderr_has("did you mean `../tools/story-mapping.md`?");
}

#[test]
fn check_rejects_link_to_missing_anchor() {
    Project::new()
        .file("content/tools/story-mapping.md", TOOL)
        .file(
            "content/prompts/remove-one.md",
            "+++\ntitle = \"Q?\"\npurpose = \"p\"\n+++\n\nSee [how](../tools/story-mapping.md#how-to-run).\n",
        )
        .run(&["check"])
        .fails()
        .stderr_has("error: link to a missing anchor `#how-to-run` in `content/tools/story-mapping.md`")
        .stderr_has("--> content/prompts/remove-one.md:6:5")
        .stderr_has("did you mean `#how-to-run-it`?");
}

#[test]
fn links_to_pages_anchors_and_folders_are_rewritten() {
    let p = Project::new()
        .file("content/tools/story-mapping.md", TOOL)
        .file(
            "content/prompts/remove-one.md",
            "+++\ntitle = \"Q?\"\npurpose = \"p\"\n+++\n\n[a](../tools/story-mapping.md#how-to-run-it) [b](../tools/) [c](#top)\n\n## Top\n",
        );
    p.run(&["build"]).succeeds();
    let html = p.read("public/prompts/remove-one/index.html");
    assert!(
        html.contains("href=\"/playbook/tools/story-mapping/#how-to-run-it\""),
        "{html}"
    );
    assert!(html.contains("href=\"/playbook/tools/\""), "{html}");
    assert!(html.contains("href=\"#top\""), "{html}");
}

/// Found in the Open Practice Library (issue 7): footnotes marked with raw HTML anchors,
/// `<a name="footnote-1"></a>`, as GitHub renders them; links to them are not broken.
#[test]
fn links_to_raw_html_anchors_are_accepted_in_and_across_pages() {
    Project::new()
        .file(
            "content/tools/story-mapping.md",
            "+++\ntitle = \"Story Mapping\"\npurpose = \"p\"\n+++\n\nSee[<sup>1</sup>](#footnote-1).\n\n1. <a name=\"footnote-1\"></a>Patton, 2014\n",
        )
        .file(
            "content/prompts/remove-one.md",
            "+++\ntitle = \"Q?\"\npurpose = \"p\"\n+++\n\n[note](../tools/story-mapping.md#footnote-1) [bad](../tools/story-mapping.md#footnote-2)\n",
        )
        .run(&["check"])
        .fails()
        .error_count(1)
        .stderr_has("error: link to a missing anchor `#footnote-2` in `content/tools/story-mapping.md`")
        .stderr_has("--> content/prompts/remove-one.md:6:46")
        .stderr_has("help: did you mean `#footnote-1`?");
}

#[test]
fn check_rejects_value_outside_vocabulary() {
    with_prompt("+++\ntitle = \"Q?\"\npurpose = \"p\"\nroles = [\"product-owners\"]\nevents = [\"retro\"]\n+++\n")
        .run(&["check"])
        .fails()
        .error_count(2)
        .stderr_has("error: `product-owners` is not in the role vocabulary")
        .stderr_has("--> content/prompts/remove-one.md:4:10")
        .stderr_has("did you mean `product-owner`?")
        .stderr_has("error: `retro` is not in the event vocabulary")
        .stderr_has("did you mean `retrospective`?");
}

#[test]
fn vocabulary_from_book_toml_replaces_the_defaults() {
    Project::empty()
        .file(
            "book.toml",
            "[book]\ntitle = \"T\"\n[vocabulary]\nroles = [\"tribe-lead\"]\n",
        )
        .file(
            "content/prompts/a.md",
            "+++\ntitle = \"Q?\"\npurpose = \"p\"\nroles = [\"tribe-lead\"]\n+++\n",
        )
        .run(&["check"])
        .succeeds();
}

#[test]
fn check_rejects_kind_that_contradicts_its_folder() {
    with_prompt("+++\ntitle = \"Q?\"\npurpose = \"p\"\nkind = \"tool\"\n+++\n")
        .run(&["check"])
        .fails()
        .stderr_has("error: `kind = \"tool\"` contradicts the folder: files in `content/prompts/` are prompts")
        .stderr_has("--> content/prompts/remove-one.md:4:8")
        .stderr_has("move the file to `content/tools/`");
}

#[test]
fn check_rejects_invalid_utf8_with_position() {
    let p = Project::new();
    p.write(
        "content/prompts/remove-one.md",
        b"+++\ntitle = \"Caf\xe9?\"\npurpose = \"p\"\n+++\n",
    );
    p.run(&["check"])
        .fails()
        .no_panic()
        .stderr_has("error: `content/prompts/remove-one.md` is not valid UTF-8 text (byte 0xE9)")
        .stderr_has("content/prompts/remove-one.md:2:13")
        .stderr_has("save the file as UTF-8");
}

#[test]
fn check_rejects_unknown_key_in_book_toml() {
    Project::empty()
        .file(
            "book.toml",
            "[book]\ntitle = \"T\"\nbase_url = \"https://x.org/\"\n",
        )
        .run(&["check"])
        .fails()
        .stderr_has("error: unknown key `base_url`")
        .stderr_has("--> book.toml:3:1")
        .stderr_has("did you mean `base-url`?");
}

#[test]
fn check_rejects_unknown_table_in_book_toml() {
    Project::empty()
        .file(
            "book.toml",
            "[book]\ntitle = \"T\"\n[serch]\nenabled = false\n",
        )
        .run(&["check"])
        .fails()
        .stderr_has("error: unknown key `serch`")
        .stderr_has("did you mean `search`?");
}

#[test]
fn missing_book_toml_says_how_to_start() {
    Project::empty()
        .run(&["check"])
        .fails()
        .stderr_has("error: no `book.toml`")
        .stderr_has("playbook init");
}

#[test]
fn all_errors_of_a_run_are_reported_together() {
    Project::new()
        .file(
            "content/prompts/a.md",
            "+++\ntitle = \"A?\"\npurpse = \"x\"\n+++\n",
        )
        .file(
            "content/prompts/b.md",
            "+++\ntitle = \"B?\"\npurpose = \"x\"\nroles = [\"ceo\"]\n+++\n",
        )
        .file(
            "content/tools/c.md",
            "+++\ntitle = \"C\"\npurpose = \"x\"\nprompts = [\"zzz\"]\n+++\n\n[x](missing.md)\n",
        )
        .run(&["build"])
        .fails()
        .error_count(4)
        .stderr_has("content/prompts/a.md:3:1")
        .stderr_has("content/prompts/b.md:4:10")
        .stderr_has("content/tools/c.md:4:12")
        .stderr_has("content/tools/c.md:7:1")
        .stderr_has("error: build failed with 4 errors");
}

#[test]
fn a_misspelt_required_key_is_one_error_not_two() {
    with_prompt("+++\ntitle = \"Q?\"\npurpse = \"Test prioritization clarity\"\n+++\n")
        .run(&["check"])
        .fails()
        .error_count(1)
        .stderr_has("error: unknown front matter key `purpse`")
        .stderr_has("help: did you mean `purpose`? (a prompt requires it)");
}

#[test]
fn key_of_another_kind_names_the_kinds_it_belongs_to() {
    with_prompt("+++\ntitle = \"Q?\"\npurpose = \"p\"\ndifficulty = \"easy\"\n+++\n")
        .run(&["check"])
        .fails()
        .stderr_has("error: `difficulty` is not a key of a prompt")
        .stderr_has("`difficulty` belongs to tools");
}

#[test]
fn bad_difficulty_lists_allowed_values() {
    Project::new()
        .file(
            "content/tools/t.md",
            "+++\ntitle = \"T\"\npurpose = \"p\"\ndifficulty = \"medium\"\n+++\n",
        )
        .run(&["check"])
        .fails()
        .stderr_has("error: `medium` is not an allowed value for `difficulty`")
        .stderr_has("content/tools/t.md:4:14")
        .stderr_has("use one of `easy`, `moderate`, `hard`");
}

#[test]
fn two_files_with_the_same_url_are_named_together() {
    Project::new()
        .file("content/prompts/remove-one.md", PROMPT)
        .file(
            "content/prompts/other.md",
            "+++\ntitle = \"Other?\"\npurpose = \"p\"\nslug = \"remove-one\"\n+++\n",
        )
        .run(&["check"])
        .fails()
        .stderr_has("would both be published at `/prompts/remove-one/`");
}

#[test]
fn a_content_file_at_a_pages_address_is_named_with_the_page() {
    Project::new()
        .file("content/prompts/remove-one.md", PROMPT)
        .file("content/prompts/remove-one/index.html", "<p>old</p>")
        .file("content/index.html", "<p>old home</p>")
        .run(&["check"])
        .fails()
        .stderr_has(
            "error: `content/prompts/remove-one.md` and `content/prompts/remove-one/index.html` would both be published at `/prompts/remove-one/index.html`",
        )
        .stderr_has("error: `content/index.html` would overwrite a generated file")
        // One cause, one error each.
        .stderr_has("check failed with 2 errors");
}

#[test]
fn nothing_panics_on_odd_inputs() {
    let odd: &[&[u8]] = &[
        b"",
        b"+++",
        b"+++\n+++",
        b"+++\n+++\n",
        b"\xef\xbb\xbf+++\ntitle = \"Bom\"\npurpose = \"p\"\n+++\n",
        b"+++\r\ntitle = \"Crlf\"\r\npurpose = \"p\"\r\n+++\r\n",
        b"+++\ntitle = \"x\"\npurpose = \"p\"\noutcomes = [1]\nsteps = 3\n+++\n",
        b"+++\n[[[\n+++\n",
        b"\x00\x01\x02\xff\xfe",
        b"+++\ntitle = \"\"\npurpose = \"\"\n+++\n[x](../../../../etc/passwd) ![i](nope.png) [e](#)\n",
    ];
    let p = Project::new();
    for (i, bytes) in odd.iter().enumerate() {
        p.write(&format!("content/prompts/odd-{i}.md"), bytes);
        p.write(&format!("content/odd-{i}.md"), bytes);
    }
    p.run(&["build"]).no_panic();
}

#[test]
fn a_raw_html_link_from_the_domain_root_is_a_warning_at_its_value() {
    let body = "Body.\n\n<a href=\"/tools/story-mapping/\">map</a> <a href=\"/playbook/tools/\">tools</a>\n<a href=\"//cdn.example.org/x.js\">cdn</a> <img src=\"https://x.org/a.png\" alt=\"a\"> <a href=\"/playbook\">home</a>\n";
    let page = PROMPT.replace("Body.\n", body);
    let p = Project::new()
        .file("content/prompts/remove-one.md", &page)
        .file("content/tools/story-mapping.md", TOOL);
    let run = p.run(&["build"]);
    run.succeeds()
        .stderr_has("warning: the raw HTML link `/tools/story-mapping/` starts at the domain root, outside the base path `/playbook/`")
        .stderr_has("--> content/prompts/remove-one.md:8:10")
        .stderr_has("or `/playbook/tools/story-mapping/` in full");
    // Links under the base path or to it, protocol-relative and absolute ones are fine.
    assert_eq!(
        run.stderr().matches("warning:").count(),
        1,
        "{}",
        run.stderr()
    );

    // At a domain root there is no base path to leave.
    let root = Project::empty()
        .file(
            "book.toml",
            "[book]\ntitle = \"T\"\nbase-url = \"https://coaching.example.org/\"\n",
        )
        .file("content/prompts/remove-one.md", &page)
        .file("content/tools/story-mapping.md", TOOL);
    let run = root.run(&["build"]);
    run.succeeds();
    assert!(!run.stderr().contains("raw HTML link"), "{}", run.stderr());
}
