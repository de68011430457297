//! Front matter: splitting the `+++` block off a Markdown file and reading it into typed
//! fields, with every unknown key, wrong type and misplaced key reported at its place in
//! the whole file.

use super::kind::{COMMON_KEYS, Kind};
use crate::diagnostic::{Diagnostic, Source, TomlContext, closest};
use serde::Deserialize;
use std::ops::Range;
use toml::Spanned;

/// A Markdown file cut in two: the TOML between the `+++` lines and the body after them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Byte range of the TOML text in the whole file, if there is front matter.
    pub toml: Option<Range<usize>>,
    /// Byte range of the Markdown body in the whole file.
    pub body: Range<usize>,
}

/// Why a file's front matter could not be cut off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// The opening `+++` has no closing line.
    Unclosed,
    /// The file opens with YAML's `---`.
    Yaml,
}

/// Cuts the front matter off `text`. A file without an opening `+++` line has no front
/// matter; one whose `+++` is never closed is an error.
pub fn split(text: &str) -> Result<Split, SplitError> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[start..];
    let Some(first_len) = opening_line_len(rest, "+++") else {
        if opening_line_len(rest, "---").is_some() && rest[3..].contains("\n---") {
            return Err(SplitError::Yaml);
        }
        return Ok(Split {
            toml: None,
            body: start..text.len(),
        });
    };
    let toml_start = start + first_len;
    let mut pos = toml_start;
    while pos < text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let line = text[pos..line_end].trim_end_matches(['\n', '\r']);
        if line.trim_end() == "+++" {
            return Ok(Split {
                toml: Some(toml_start..pos),
                body: line_end..text.len(),
            });
        }
        pos = line_end;
    }
    Err(SplitError::Unclosed)
}

/// The length of the first line (with its newline) if it is `marker` alone.
fn opening_line_len(text: &str, marker: &str) -> Option<usize> {
    let line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    let line = text[..line_end].trim_end_matches(['\n', '\r']);
    (line.trim_end() == marker && line_end > 0).then_some(line_end)
}

/// How difficult a tool is to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    /// Anyone can run it the first time.
    Easy,
    /// Some facilitation experience helps.
    Moderate,
    /// Needs an experienced facilitator.
    Hard,
}

/// Where a tool can be run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Everyone in one room.
    InPerson,
    /// Over video and shared boards.
    Remote,
}

/// The front matter as written, with spans kept where later checks need a place to point.
/// Keys of every kind live here; which are allowed is checked per kind.
#[derive(Debug, Default, Deserialize)]
pub struct RawFrontMatter {
    /// The page title; for a prompt, the question.
    pub title: Option<Spanned<String>>,
    /// One line for lists and search.
    pub summary: Option<String>,
    /// Free topics.
    #[serde(default)]
    pub tags: Vec<Spanned<String>>,
    /// Who it is for, from the roles vocabulary.
    #[serde(default)]
    pub roles: Vec<Spanned<String>>,
    /// Where in the cycle, from the events vocabulary.
    #[serde(default)]
    pub events: Vec<Spanned<String>>,
    /// Credited on the page.
    #[serde(default)]
    pub authors: Vec<String>,
    /// Where the idea comes from.
    pub source: Option<String>,
    /// Old paths that redirect here.
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
    /// Publication date.
    pub date: Option<Spanned<toml::value::Datetime>>,
    /// Left out of builds unless drafts are asked for.
    #[serde(default)]
    pub draft: bool,
    /// Order within its kind.
    pub weight: Option<i64>,
    /// Any other pages.
    #[serde(default)]
    pub related: Vec<Spanned<String>>,
    /// Overrides the file name in the URL.
    pub slug: Option<Spanned<String>>,
    /// The kind, when written out; must match the folder.
    pub kind: Option<Spanned<String>>,
    /// Free data for themes.
    #[serde(default)]
    pub extra: toml::Table,

    /// Prompt and tool: the outcome aimed at.
    pub purpose: Option<Spanned<String>>,
    /// Prompt: the situation to use it in.
    pub when: Option<String>,
    /// Prompt: the closed question it replaces.
    pub instead_of: Option<String>,
    /// Prompt: questions to ask next.
    #[serde(default)]
    pub follow_ups: Vec<String>,
    /// Prompt and story: tools used.
    #[serde(default)]
    pub tools: Vec<Spanned<String>>,

    /// Tool and story: how long it takes.
    pub duration: Option<String>,
    /// Tool: preparation needed.
    pub prep: Option<String>,
    /// Tool: how many people.
    pub group_size: Option<String>,
    /// Tool: how hard it is to run.
    pub difficulty: Option<Difficulty>,
    /// Tool: in person, remote or both.
    #[serde(default)]
    pub formats: Vec<Format>,
    /// Tool: who takes part.
    #[serde(default)]
    pub participants: Vec<String>,
    /// Tool: what to bring.
    #[serde(default)]
    pub materials: Vec<String>,
    /// Tool and story: prompts used.
    #[serde(default)]
    pub prompts: Vec<Spanned<String>>,

    /// Takeaway: the stories behind it.
    #[serde(default)]
    pub stories: Vec<Spanned<String>>,
    /// Takeaway: a quote.
    pub quote: Option<String>,
    /// Takeaway: who said the quote.
    pub quote_by: Option<String>,

    /// Story: the situation.
    pub context: Option<String>,
    /// Story: what was tried.
    pub intervention: Option<String>,
    /// Story: what changed, as numbers or sentences.
    #[serde(default)]
    pub outcomes: Vec<Spanned<RawOutcome>>,

    /// Playbook: the ordered path.
    pub steps: Option<Vec<Spanned<RawStep>>>,
}

/// A story outcome as written: a sentence or a measured change.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawOutcome {
    /// "The PO invited stakeholder feedback before development".
    Text(String),
    /// `{ label = "Story churn", before = 14, after = 5, unit = "…", better = "lower" }`.
    Measure(toml::Table),
}

/// A playbook step as written: a ref, or a table with `ref` and `note`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawStep {
    /// `"tools/story-mapping-sessions"`.
    Ref(String),
    /// `{ ref = "…", note = "…" }`.
    Table(toml::Table),
}

/// A measured outcome, checked.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Measure {
    /// What was measured.
    pub label: String,
    /// The value before.
    pub before: f64,
    /// The value after.
    pub after: f64,
    /// The unit, e.g. "stories per sprint".
    pub unit: Option<String>,
    /// Whether lower values are better.
    pub lower_is_better: bool,
}

/// A story outcome, checked.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A sentence.
    Text(String),
    /// A number that moved.
    Measure(Measure),
}

/// A playbook step, checked but not yet resolved to a page.
#[derive(Debug, Clone)]
pub struct Step {
    /// The ref as written.
    pub target: String,
    /// Where the ref is, for errors.
    pub span: Range<usize>,
    /// What to do at this step.
    pub note: Option<String>,
}

/// Parses the TOML of a page's front matter, checking its keys against the kind.
/// `offset` is where the TOML starts in the file. Returns the diagnostics it found; the
/// front matter is `None` only when nothing could be read.
pub fn parse(
    source: &Source,
    toml_range: Range<usize>,
    kind: Kind,
    is_index: bool,
) -> (Option<RawFrontMatter>, Vec<Diagnostic>) {
    let text = source.text.as_deref().unwrap_or("");
    let toml_text = &text[toml_range.clone()];
    let offset = toml_range.start;
    let mut diags = Vec::new();
    let known: Vec<&str> = COMMON_KEYS.iter().chain(kind.own_keys()).copied().collect();
    let ctx = TomlContext {
        key_noun: "front matter key",
        known_keys: &known,
    };
    let table = match toml::de::DeTable::parse(toml_text) {
        Ok(t) => t,
        Err(e) => {
            diags.push(Diagnostic::from_toml(&e, source, offset, ctx));
            return (None, diags);
        }
    };
    let mut misspelt_required: Vec<&str> = Vec::new();
    // Found once, not per unknown key: with 100,000 keys looking up each suggestion in
    // the whole table was quadratic.
    let missing_required: Vec<&str> = std::iter::once("title")
        .chain(kind.required_keys().iter().copied())
        .filter(|c| absent(table.get_ref(), c))
        .collect();
    for (key, _) in table.get_ref().iter() {
        let name: &str = key.get_ref();
        if kind.accepts(name) {
            continue;
        }
        let span = key.span().start + offset..key.span().end + offset;
        let others = Kind::kinds_accepting(name);
        let d = if !others.is_empty() {
            let names: Vec<String> = others.iter().map(|k| k.plural().to_string()).collect();
            Diagnostic::error(format!("`{name}` is not a key of a {kind}")).with_help(format!(
                "`{name}` belongs to {}; remove it here, or move the page to that kind's folder",
                names.join(" and ")
            ))
        } else {
            let suggestion = closest(name, known.iter().copied());
            // A misspelt required key is one mistake, not two: remember it so the
            // "missing required key" error is not reported as well.
            let required = suggestion.filter(|c| missing_required.contains(c));
            misspelt_required.extend(required);
            let help = suggestion
                .map(|c| match required {
                    Some(_) => format!("did you mean `{c}`? (a {kind} requires it)"),
                    None => format!("did you mean `{c}`?"),
                })
                .unwrap_or_else(|| {
                    format!(
                        "a {kind} accepts {}; free data for themes goes under `[extra]`",
                        known
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                });
            Diagnostic::error(format!("unknown front matter key `{name}`")).with_help(help)
        };
        diags.push(d.at(source, span));
    }
    // Serde stops at the first wrong value; to report every one, drop the key at fault
    // and try again (bounded: one more try per key). The page is then left out.
    let mut table = table;
    let mut type_errors = 0;
    let fm = loop {
        let attempt = RawFrontMatter::deserialize(toml::de::Deserializer::from(table.clone()));
        match attempt {
            Ok(fm) => break fm,
            Err(e) => {
                type_errors += 1;
                let mut d = Diagnostic::from_toml(&e, source, offset, ctx);
                if d.message.contains("did not match any variant") {
                    d.message = "this value has the wrong shape".into();
                }
                diags.push(d);
                let at = e.span().map_or(usize::MAX, |s| s.start);
                let culprit = table
                    .get_ref()
                    .iter()
                    .find(|(_, v)| {
                        v.span().start <= at && at < v.span().end.max(v.span().start + 1)
                    })
                    .map(|(k, _)| k.get_ref().to_string());
                match culprit {
                    Some(k) if type_errors <= 32 => {
                        table.get_mut().remove(k.as_str());
                    }
                    _ => return (None, diags),
                }
            }
        }
    };
    if type_errors > 0 {
        return (None, diags);
    }
    let open = toml_range.start.saturating_sub(4)..toml_range.start.saturating_sub(1);
    if fm.title.is_none() && !is_index && !misspelt_required.contains(&"title") {
        diags.push(
            Diagnostic::error("missing required key `title`")
                .at(source, open.clone())
                .with_help(if kind == Kind::Prompt {
                    "add the question itself: `title = \"What makes this story truly valuable?\"`"
                        .to_string()
                } else {
                    "add `title = \"…\"` to the front matter".to_string()
                }),
        );
    }
    if !is_index {
        for key in kind.required_keys() {
            let present = match *key {
                "purpose" => fm.purpose.is_some(),
                "context" => fm.context.is_some(),
                "steps" => fm.steps.is_some(),
                _ => true,
            };
            if !present && !misspelt_required.contains(key) {
                diags.push(
                    Diagnostic::error(format!("missing required key `{key}` for a {kind}"))
                        .at(source, open.clone())
                        .with_help(required_hint(key, "add")),
                );
            }
        }
        // Written but left blank, as `playbook new` writes it: a warning, so the page
        // still previews while the coach writes; cards show nothing under its title.
        if kind.required_keys().contains(&"purpose")
            && let Some(p) = &fm.purpose
            && p.get_ref().trim().is_empty()
        {
            let span = p.span().start + toml_range.start..p.span().end + toml_range.start;
            diags.push(
                Diagnostic::warning(format!(
                    "`purpose` is empty: the {kind}'s card and search result show nothing under its title"
                ))
                .at(source, span)
                .with_help(required_hint("purpose", "write")),
            );
        }
    }
    (Some(fm), diags)
}

/// Returns true if and only if the table has no key `key`.
fn absent(table: &toml::de::DeTable<'_>, key: &str) -> bool {
    !table.iter().any(|(k, _)| k.get_ref() == key)
}

/// The help for the required `key`, led by `verb`: `add` where it is missing, `write`
/// where it is left blank.
fn required_hint(key: &str, verb: &str) -> String {
    match key {
        "purpose" => {
            format!("{verb} the outcome it aims at: `purpose = \"Shift from tasks to outcomes\"`")
        }
        "context" => format!("{verb} the situation the story starts from: `context = \"…\"`"),
        "steps" => format!(
            "{verb} the ordered path: `steps = [\"prompts/…\", {{ ref = \"tools/…\", note = \"…\" }}]`"
        ),
        _ => format!("{verb} `{key} = …`"),
    }
}

/// Checks the story outcomes: each a sentence or a table with a label and two numbers.
pub fn outcomes(
    raw: &[Spanned<RawOutcome>],
    source: &Source,
    offset: usize,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Outcome> {
    let mut out = Vec::new();
    for o in raw {
        let span = o.span().start + offset..o.span().end + offset;
        match o.get_ref() {
            RawOutcome::Text(t) => out.push(Outcome::Text(t.clone())),
            RawOutcome::Measure(t) => {
                let mut bad = |msg: String, help: &str| {
                    diags.push(
                        Diagnostic::error(msg)
                            .at(source, span.clone())
                            .with_help(help.to_string()),
                    )
                };
                const KEYS: [&str; 5] = ["label", "before", "after", "unit", "better"];
                let mut ok = true;
                for k in t.keys() {
                    if !KEYS.contains(&k.as_str()) {
                        let hint = crate::diagnostic::did_you_mean(k, KEYS).unwrap_or_else(|| {
                            "an outcome has `label`, `before`, `after`, `unit` and `better`".into()
                        });
                        bad(format!("unknown key `{k}` in an outcome"), &hint);
                        ok = false;
                    }
                }
                let num = |k: &str| match t.get(k) {
                    Some(toml::Value::Integer(i)) => Some(*i as f64),
                    Some(toml::Value::Float(f)) => Some(*f),
                    _ => None,
                };
                let label = t.get("label").and_then(|v| v.as_str()).map(str::to_string);
                let (Some(label), Some(before), Some(after)) = (label, num("before"), num("after"))
                else {
                    bad(
                        "an outcome table needs `label` (text), `before` and `after` (numbers)"
                            .into(),
                        "write `{ label = \"Story churn\", before = 14, after = 5, unit = \"stories per sprint\", better = \"lower\" }`, or a plain sentence in quotes",
                    );
                    continue;
                };
                let lower_is_better = match t.get("better").map(|v| v.as_str()) {
                    None => false,
                    Some(Some("higher")) => false,
                    Some(Some("lower")) => true,
                    Some(_) => {
                        bad(
                            "`better` in an outcome must be \"higher\" or \"lower\"".into(),
                            "write `better = \"lower\"` when a smaller number is the improvement",
                        );
                        ok = false;
                        false
                    }
                };
                let unit = match t.get("unit") {
                    None => None,
                    Some(toml::Value::String(s)) => Some(s.clone()),
                    Some(_) => {
                        bad(
                            "`unit` in an outcome must be text".into(),
                            "write `unit = \"stories per sprint\"`",
                        );
                        ok = false;
                        None
                    }
                };
                if ok {
                    out.push(Outcome::Measure(Measure {
                        label,
                        before,
                        after,
                        unit,
                        lower_is_better,
                    }));
                }
            }
        }
    }
    out
}

/// Checks playbook steps: each a ref, or a table with `ref` and an optional `note`.
pub fn steps(
    raw: &[Spanned<RawStep>],
    source: &Source,
    offset: usize,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Step> {
    let mut out = Vec::new();
    for s in raw {
        let span = s.span().start + offset..s.span().end + offset;
        match s.get_ref() {
            RawStep::Ref(r) => out.push(Step {
                target: r.clone(),
                span,
                note: None,
            }),
            RawStep::Table(t) => {
                let mut fine = true;
                for k in t.keys() {
                    if k != "ref" && k != "note" {
                        let hint = crate::diagnostic::did_you_mean(k, ["ref", "note"])
                            .unwrap_or_else(|| "a step has `ref` and `note`".into());
                        diags.push(
                            Diagnostic::error(format!("unknown key `{k}` in a playbook step"))
                                .at(source, span.clone())
                                .with_help(hint),
                        );
                        fine = false;
                    }
                }
                let target = t.get("ref").and_then(|v| v.as_str());
                let note = t.get("note").map(|v| v.as_str());
                match (target, note) {
                    (Some(target), None | Some(Some(_))) if fine => out.push(Step {
                        target: target.to_string(),
                        span,
                        note: note.flatten().map(str::to_string),
                    }),
                    (None, _) => diags.push(
                        Diagnostic::error("a playbook step table needs `ref`")
                            .at(source, span.clone())
                            .with_help(
                                "write `{ ref = \"tools/story-mapping-sessions\", note = \"…\" }`",
                            ),
                    ),
                    (_, Some(None)) => diags.push(
                        Diagnostic::error("`note` in a playbook step must be text")
                            .at(source, span.clone())
                            .with_help("put the note in quotes: `note = \"…\"`"),
                    ),
                    _ => {}
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn can_split_front_matter_and_body() {
        let text = "+++\ntitle = \"A\"\n+++\nBody\n";
        let s = split(text).unwrap();
        assert_eq!(&text[s.toml.unwrap()], "title = \"A\"\n");
        assert_eq!(&text[s.body], "Body\n");
    }

    #[test]
    fn can_split_crlf_and_bom() {
        let text = "\u{feff}+++\r\ntitle = \"A\"\r\n+++\r\nBody";
        let s = split(text).unwrap();
        assert_eq!(&text[s.toml.unwrap()], "title = \"A\"\r\n");
        assert_eq!(&text[s.body], "Body");
    }

    #[test]
    fn file_without_front_matter_is_all_body() {
        let s = split("# Hello\n").unwrap();
        assert_eq!(s.toml, None);
        assert_eq!(s.body, 0..8);
    }

    #[test]
    fn errors_on_unclosed_and_yaml() {
        assert_eq!(split("+++\ntitle = \"A\"\n"), Err(SplitError::Unclosed));
        assert_eq!(split("---\ntitle: A\n---\n"), Err(SplitError::Yaml));
    }

    fn parse_str(text: &str, kind: Kind) -> (Option<RawFrontMatter>, Vec<Diagnostic>) {
        let source = Source {
            path: "content/prompts/a.md".into(),
            text: Some(Arc::from(text)),
        };
        let s = split(text).unwrap();
        parse(&source, s.toml.unwrap(), kind, false)
    }

    #[test]
    fn reports_every_unknown_key_at_its_line() {
        let (_, d) = parse_str(
            "+++\ntitle = \"Q?\"\npurpse = \"x\"\npurpose = \"y\"\ntgas = []\n+++\n",
            Kind::Prompt,
        );
        let short: Vec<String> = d.iter().map(|d| d.short()).collect();
        assert_eq!(
            short,
            vec![
                "content/prompts/a.md:3:1: error: unknown front matter key `purpse`",
                "content/prompts/a.md:5:1: error: unknown front matter key `tgas`",
            ]
        );
        assert_eq!(d[0].help.as_deref(), Some("did you mean `purpose`?"));
        assert_eq!(d[1].help.as_deref(), Some("did you mean `tags`?"));
    }

    #[test]
    fn errors_on_key_of_another_kind() {
        let (_, d) = parse_str(
            "+++\ntitle = \"Q?\"\npurpose = \"y\"\ndifficulty = \"easy\"\n+++\n",
            Kind::Prompt,
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].message, "`difficulty` is not a key of a prompt");
    }

    #[test]
    fn errors_on_missing_required_keys() {
        let (_, d) = parse_str("+++\nsummary = \"s\"\n+++\n", Kind::Prompt);
        let msgs: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            vec![
                "missing required key `title`",
                "missing required key `purpose` for a prompt"
            ]
        );
    }

    #[test]
    fn wrong_type_points_at_the_value_in_the_whole_file() {
        let (_, d) = parse_str(
            "+++\ntitle = \"Q?\"\npurpose = \"p\"\ntags = \"one\"\n+++\n",
            Kind::Prompt,
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].short()
                .starts_with("content/prompts/a.md:4:8: error: wrong type for `tags`"),
            "{}",
            d[0].short()
        );
    }

    #[test]
    fn reports_every_wrong_type_not_just_the_first() {
        let (fm, d) = parse_str(
            "+++\ntitle = \"Q?\"\npurpose = \"p\"\ndraft = \"yes\"\ntags = \"one\"\nweight = 1.5\n+++\n",
            Kind::Prompt,
        );
        assert!(fm.is_none());
        let lines: Vec<usize> = d
            .iter()
            .map(|d| d.location.as_ref().unwrap().line)
            .collect();
        assert_eq!(lines, vec![4, 5, 6], "{d:?}");
    }
}
