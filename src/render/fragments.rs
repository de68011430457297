//! Markup the default theme prints on every page, made in Rust: the table of contents,
//! the page's role, event and tag chips, the header's links to the kinds, and each
//! page's card for the lists.
//!
//! Tera spends about 600 instructions on each value a template looks up and prints (18
//! million for the 9,926 entries of three values each in the tables of contents of the
//! 1,000-page playbook). There, the page's three small loops were 39 of the 91 million
//! instructions of the pages' templates: 18 million for the tables of contents, 12
//! million for the chips and 9 million for the header's links (callgrind, one thread,
//! each loop taken out of the template in turn). Made here, they cost the build 32
//! million fewer instructions (5.8 %), and the cards another 23 million (see [`card`]).
//! The page's fragments are strings the templates print as they are; their data stays
//! in the context (`toc`, `page.roles`…) for themes that lay it out another way.

use super::KindLink;
use super::lists::{Card, difficulty_name};
use super::view::TermLink;
use crate::markdown::Heading;

/// Appends `text` to `out`, escaped as Tera escapes what a template prints.
fn push_escaped(out: &mut Vec<u8>, text: &str) {
    // Writing into a Vec cannot fail.
    let _ = tera::escape_html(text, out);
}

/// Appends `text`, escaped, between the markup `before` and `after`.
fn push_wrapped(out: &mut Vec<u8>, before: &str, text: &str, after: &str) {
    out.extend_from_slice(before.as_bytes());
    push_escaped(out, text);
    out.extend_from_slice(after.as_bytes());
}

/// `<ol>` of the table of contents: what the default `page.html` printed from `toc`.
pub(super) fn toc(toc: &[&Heading]) -> String {
    // `<ol></ol>`, and 36 bytes of markup around each entry's id and text.
    let mut out = Vec::with_capacity(
        9 + toc
            .iter()
            .map(|h| 36 + h.id.len() + h.text.len())
            .sum::<usize>(),
    );
    out.extend_from_slice(b"<ol>");
    for h in toc {
        out.extend_from_slice(b"<li class=\"toc-h");
        // A heading's level is one digit, 1 to 6.
        out.push(b'0' + h.level);
        push_wrapped(&mut out, "\"><a href=\"#", &h.id, "\">");
        push_wrapped(&mut out, "", &h.text, "</a></li>");
    }
    out.extend_from_slice(b"</ol>");
    into_string(out)
}

/// The `<dl class="terms">` of a page's roles, events and tags, or nothing when it has
/// none.
pub(super) fn terms(
    roles: &[TermLink<'_>],
    events: &[TermLink<'_>],
    tags: &[TermLink<'_>],
) -> String {
    if roles.is_empty() && events.is_empty() && tags.is_empty() {
        return String::new();
    }
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"<dl class=\"terms\">\n");
    for (terms, label, prefix) in [
        (roles, "For", ""),
        (events, "When", ""),
        (tags, "Tags", "#"),
    ] {
        if !terms.is_empty() {
            out.extend_from_slice(b"<dt>");
            out.extend_from_slice(label.as_bytes());
            out.extend_from_slice(b"</dt><dd><ul class=\"chips\">");
            for t in terms {
                push_wrapped(&mut out, "<li><a class=\"chip\" href=\"", &t.url, "\">");
                push_wrapped(&mut out, prefix, t.name, "</a></li>");
            }
            out.extend_from_slice(b"</ul></dd>");
        }
        out.push(b'\n');
    }
    out.extend_from_slice(b"</dl>");
    into_string(out)
}

/// One `<li>` link for each kind that has pages: the header's navigation in the
/// default `base.html`.
pub(super) fn nav(kinds: &[KindLink]) -> String {
    let mut out = Vec::with_capacity(64 * kinds.len());
    for k in kinds.iter().filter(|k| k.count > 0) {
        push_wrapped(&mut out, "<li><a href=\"", &k.url, "\">");
        push_wrapped(&mut out, "", k.label, "</a></li>");
    }
    into_string(out)
}

/// A page's card as the built-in `card.html` prints it ([`super::theme::BUILTIN_CARD`]):
/// without the kind badge (for kind indexes) and with it (for term pages, which mix
/// kinds). A test holds the two to the same bytes. Tera took 14,000 instructions a card,
/// twice a page: a twentieth of the build's instructions (callgrind, 1,000 pages).
pub(super) fn card(card: &Card<'_>) -> [String; 2] {
    let kind = card.link.kind.name();
    let difficulty = card.difficulty.map(difficulty_name);
    let mut head = Vec::with_capacity(256);
    head.extend_from_slice(b"<li class=\"card kind-");
    head.extend_from_slice(kind.as_bytes());
    for (before, value) in [
        ("\" data-role=\"", &card.filter.role),
        ("\" data-event=\"", &card.filter.event),
        ("\" data-tag=\"", &card.filter.tag),
    ] {
        push_wrapped(&mut head, before, value, "");
    }
    head.push(b'"');
    if let Some(d) = difficulty {
        head.extend_from_slice(b" data-difficulty=\"");
        head.extend_from_slice(d.as_bytes());
        head.push(b'"');
    }
    if let Some((low, high)) = card.minutes {
        head.extend_from_slice(format!(" data-min=\"{low}\" data-max=\"{high}\"").as_bytes());
    }
    head.extend_from_slice(b">\n  ");

    let mut rest = Vec::with_capacity(512);
    push_wrapped(&mut rest, "\n  <a href=\"", &card.link.url, "\">");
    push_wrapped(&mut rest, "", card.link.title, "</a>\n  ");
    if let Some(purpose) = given(card.link.purpose) {
        push_wrapped(
            &mut rest,
            "<span class=\"card-purpose\">",
            purpose,
            "</span>",
        );
    } else if let Some(summary) = given(card.link.summary) {
        push_wrapped(
            &mut rest,
            "<span class=\"card-summary\">",
            summary,
            "</span>",
        );
    }
    rest.extend_from_slice(b"\n  ");
    let duration = given(card.duration);
    if duration.is_some() || difficulty.is_some() {
        rest.extend_from_slice(b"<span class=\"card-meta\">");
        if let Some(d) = duration {
            push_escaped(&mut rest, d);
        }
        if duration.is_some() && difficulty.is_some() {
            rest.extend_from_slice(" · ".as_bytes());
        }
        if let Some(d) = difficulty {
            rest.extend_from_slice(d.as_bytes());
        }
        rest.extend_from_slice(b"</span>");
    }
    rest.extend_from_slice(b"\n  ");
    if card.link.kind == crate::content::Kind::Prompt {
        rest.extend_from_slice(b"<span class=\"print-only card-back\">");
        if let Some(when) = given(card.when) {
            push_wrapped(
                &mut rest,
                "<span class=\"card-when\">When: ",
                when,
                "</span>",
            );
        }
        if let Some(instead) = given(card.instead_of) {
            push_wrapped(
                &mut rest,
                "<span class=\"card-instead\">Instead of: “",
                instead,
                "”</span>",
            );
        }
        if !card.follow_ups.is_empty() {
            let then = card.follow_ups.join(" · ");
            push_wrapped(
                &mut rest,
                "<span class=\"card-follow\">Then: ",
                &then,
                "</span>",
            );
        }
        rest.extend_from_slice(b"</span>");
    }
    rest.extend_from_slice(b"\n</li>");

    let badge = format!("<span class=\"kind-badge\">{kind}</span>");
    let mut plain = Vec::with_capacity(head.len() + rest.len());
    plain.extend_from_slice(&head);
    plain.extend_from_slice(&rest);
    let mut with_kind = head;
    with_kind.extend_from_slice(badge.as_bytes());
    with_kind.extend_from_slice(&rest);
    [into_string(plain), into_string(with_kind)]
}

/// The text, when a template's `{% if %}` finds it: not absent, not empty.
fn given(text: Option<&str>) -> Option<&str> {
    text.filter(|t| !t.is_empty())
}

/// The markup as a string: only whole strings and ASCII went into it.
fn into_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Difficulty, Kind};
    use crate::render::lists::CardFilter;
    use crate::render::view::PageLink;

    /// What Tera prints for `template` (escaping as for any `.html` template) with
    /// `ctx`: the default theme printed these loops itself before.
    fn tera(template: &str, ctx: &tera::Context) -> String {
        let mut t = tera::Tera::default();
        t.add_raw_template("t.html", template).unwrap();
        t.render("t.html", ctx).unwrap()
    }

    /// Text with every character an escape changes.
    const AWKWARD: &str = "Q&A <on> \"why\" it's";

    #[test]
    fn the_table_of_contents_is_the_markup_the_template_loop_printed() {
        let headings = [
            Heading {
                level: 2,
                text: "Why".into(),
                id: "why".into(),
            },
            Heading {
                level: 3,
                text: AWKWARD.into(),
                id: "q-a-\"x\"".into(),
            },
        ];
        let list: Vec<&Heading> = headings.iter().collect();
        let mut ctx = tera::Context::new();
        ctx.insert("toc", &list);
        let expected = tera(
            r##"<ol>{% for h in toc %}<li class="toc-h{{ h.level }}"><a href="#{{ h.id }}">{{ h.text }}</a></li>{% endfor %}</ol>"##,
            &ctx,
        );
        assert_eq!(toc(&list), expected);
        assert!(expected.contains("Q&amp;A &lt;on&gt;"), "{expected}");
        assert_eq!(toc(&[]), "<ol></ol>");
    }

    #[test]
    fn the_chips_are_the_markup_the_template_printed_and_nothing_without_terms() {
        let template = r#"{% if page.roles or page.events or page.tags %}<dl class="terms">
{% if page.roles %}<dt>For</dt><dd><ul class="chips">{% for t in page.roles %}<li><a class="chip" href="{{ t.url }}">{{ t.name }}</a></li>{% endfor %}</ul></dd>{% endif %}
{% if page.events %}<dt>When</dt><dd><ul class="chips">{% for t in page.events %}<li><a class="chip" href="{{ t.url }}">{{ t.name }}</a></li>{% endfor %}</ul></dd>{% endif %}
{% if page.tags %}<dt>Tags</dt><dd><ul class="chips">{% for t in page.tags %}<li><a class="chip" href="{{ t.url }}">#{{ t.name }}</a></li>{% endfor %}</ul></dd>{% endif %}
</dl>{% endif %}"#;
        let link = |name| TermLink {
            name,
            url: format!("/pb/tags/{name}/"),
        };
        let roles = [link("scrum-master")];
        let tags = [link("flow"), link(AWKWARD)];
        for (roles, events, tags) in [
            (&roles[..], &[][..], &tags[..]),
            (&[][..], &roles[..], &[][..]),
            (&[][..], &[][..], &[][..]),
        ] {
            let mut ctx = tera::Context::new();
            ctx.insert(
                "page",
                &serde_json::json!({ "roles": roles, "events": events, "tags": tags }),
            );
            assert_eq!(terms(roles, events, tags), tera(template, &ctx));
        }
        assert_eq!(terms(&[], &[], &[]), "");
    }

    #[test]
    fn the_header_links_each_kind_that_has_pages_in_order() {
        let kinds = [
            KindLink {
                kind: Kind::Prompt,
                label: "Prompts",
                url: "/pb/prompts/".into(),
                count: 3,
            },
            KindLink {
                kind: Kind::Tool,
                label: "Tools",
                url: "/pb/tools/".into(),
                count: 0,
            },
            KindLink {
                kind: Kind::Story,
                label: "Stories",
                url: "/pb/a&b/".into(),
                count: 1,
            },
        ];
        let mut ctx = tera::Context::new();
        ctx.insert("site", &serde_json::json!({ "kinds": kinds }));
        let expected = tera(
            r#"{% for k in site.kinds %}{% if k.count > 0 %}<li><a href="{{ k.url }}">{{ k.label }}</a></li>{% endif %}{% endfor %}"#,
            &ctx,
        );
        assert_eq!(nav(&kinds), expected);
        assert_eq!(
            expected,
            r#"<li><a href="/pb/prompts/">Prompts</a></li><li><a href="/pb/a&amp;b/">Stories</a></li>"#
        );
    }

    #[test]
    fn a_card_is_what_the_built_in_card_template_prints_with_and_without_its_badge() {
        let follow_ups = [vec![], vec!["And then?".to_string(), AWKWARD.to_string()]];
        let texts = [None, Some(""), Some(AWKWARD)];
        let mut checked = 0;
        // Every kind, and each field absent, empty and full, in a few combinations: the
        // template's every branch.
        for (i, kind) in [
            Kind::Prompt,
            Kind::Tool,
            Kind::Story,
            Kind::Takeaway,
            Kind::Playbook,
        ]
        .into_iter()
        .enumerate()
        {
            for (j, text) in texts.iter().enumerate() {
                for other in texts {
                    let card = Card {
                        link: PageLink {
                            kind,
                            title: AWKWARD,
                            url: "/pb/prompts/a&b/".into(),
                            summary: other,
                            purpose: *text,
                        },
                        roles: vec![],
                        events: vec![],
                        tags: vec![],
                        tag_slugs: vec![],
                        filter: CardFilter {
                            role: "product owner".into(),
                            event: String::new(),
                            tag: "a&b \"c\"".into(),
                        },
                        difficulty: [None, Some(Difficulty::Easy), Some(Difficulty::Hard)][j],
                        duration: other,
                        minutes: (j == 2).then_some((30, 45)),
                        when: *text,
                        instead_of: other,
                        follow_ups: &follow_ups[(i + j) % 2],
                    };
                    let value = tera::Value::from_serializable(&card);
                    let expected = [false, true].map(|with_kind| {
                        let mut ctx = tera::Context::new();
                        ctx.insert_value("card", value.clone());
                        ctx.insert("with_kind", &with_kind);
                        tera(crate::render::theme::BUILTIN_CARD, &ctx)
                    });
                    assert_eq!(super::card(&card), expected, "{card:?}");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 45);
    }
}
