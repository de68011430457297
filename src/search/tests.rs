//! Layout and ranking of the written files, read back the way search.js reads them.

use super::encode::{ALPHABET, POSITIONS, read_num};
use super::{SearchDoc, analyze, build_index};
use crate::content::Kind;
use std::collections::HashMap;

struct Files(HashMap<String, Vec<u8>>);

/// A posting as read back: page id, impact level, title positions.
type ReadPosting = (u64, u8, Vec<usize>);

impl Files {
    fn json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        serde_json::from_slice(self.0.get(path).unwrap_or_else(|| panic!("{path} missing")))
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn manifest(&self) -> serde_json::Value {
        self.json("search/manifest.json")
    }

    /// Postings of `term` as (page id, level, title positions), found as search.js
    /// finds them.
    fn postings(&self, term: &str) -> Option<(u64, Vec<ReadPosting>)> {
        let m = self.manifest();
        let firsts: Vec<String> = serde_json::from_value(m["p"].clone()).unwrap();
        let file = firsts
            .partition_point(|f| f.as_str() <= term)
            .saturating_sub(1);
        let lines: Vec<String> = self.json(&format!("search/p/{file}.json"));
        let mut prev = String::new();
        for l in lines {
            let (coded, rest) = l.split_once(' ').unwrap();
            let t = super::encode::unfront(&prev, coded);
            prev = t.clone();
            if t != term {
                continue;
            }
            let (df, mut s) = read_num(rest.as_bytes()).unwrap();
            let mut out = Vec::new();
            let mut id: Option<u64> = None;
            while !s.is_empty() {
                let (gap, r) = read_num(s).unwrap();
                let next = id.map_or(gap, |i| i + gap + 1);
                let level = ALPHABET.iter().position(|&a| a == r[0]).unwrap() as u8;
                s = &r[1..];
                let mut at = Vec::new();
                while let Some(p) = s
                    .first()
                    .and_then(|c| POSITIONS.iter().position(|p| p == c))
                {
                    at.push(p);
                    s = &s[1..];
                }
                out.push((next, level, at));
                id = Some(next);
            }
            return Some((df, out));
        }
        None
    }

    /// Page ids for `query`, ranked by words matched, then impact (exact words only).
    fn search(&self, query: &str) -> Vec<u64> {
        let mut pages: HashMap<u64, (usize, f64)> = HashMap::new();
        for term in analyze(query, "en") {
            for (id, level, _) in self.postings(&term).map(|p| p.1).unwrap_or_default() {
                let e = pages.entry(id).or_default();
                e.0 += 1;
                e.1 += 2f64.powf((f64::from(level) - 63.0) / 8.0);
            }
        }
        let mut ids: Vec<u64> = pages.keys().copied().collect();
        ids.sort_by(|a, b| {
            let (x, y) = (pages[a], pages[b]);
            y.0.cmp(&x.0).then(y.1.total_cmp(&x.1)).then(a.cmp(b))
        });
        ids
    }

    fn title(&self, id: u64) -> String {
        let m = self.manifest();
        let rg = m["rg"].as_u64().unwrap();
        let group: Vec<Vec<String>> = self.json(&format!("search/r/{}.json", id / rg));
        group[(id % rg) as usize][1].clone()
    }
}

fn doc<'a>(
    kind: Kind,
    url: &str,
    title: &'a str,
    purpose: &'a str,
    body: &'a str,
) -> SearchDoc<'a> {
    SearchDoc {
        url: format!("/playbook/{url}/"),
        kind,
        title,
        summary: None,
        purpose: Some(purpose),
        fields: vec![],
        headings: vec![],
        body,
        roles: vec!["team"],
        events: vec![],
        tags: vec![],
    }
}

const FILLER: &str = "The team talks about the work and the plan. A coach listens and asks. ";

fn site() -> Files {
    let body_mention = format!("{FILLER} Once we held a retrospective in the park. {FILLER}");
    let docs = vec![
        doc(
            Kind::Story,
            "stories/park",
            "A walk in the park",
            "Walking meetings",
            &body_mention,
        ),
        doc(
            Kind::Tool,
            "tools/starfish",
            "Retrospective Starfish",
            "Five arms",
            FILLER,
        ),
        doc(
            Kind::Prompt,
            "prompts/learn",
            "What did we learn?",
            "Close every retrospective with learning",
            FILLER,
        ),
        doc(
            Kind::Tool,
            "tools/map",
            "Stakeholder Map",
            "Chart influence",
            FILLER,
        ),
        doc(
            Kind::Prompt,
            "prompts/japan",
            "振り返りの進め方",
            "チームで学ぶ",
            "振り返りを行う",
        ),
    ];
    Files(build_index(&docs, "en").into_iter().collect())
}

#[test]
fn writes_every_file_kind_under_search() {
    let f = site();
    let m = f.manifest();
    assert_eq!(m["n"], 5);
    assert_eq!(m["base"], "/playbook/");
    assert_eq!(m["stem"], "en");
    // Pages are numbered by kind, so a kind filter is an id range.
    assert_eq!(
        m["kinds"],
        serde_json::json!([["prompt", 0], ["tool", 2], ["story", 4]])
    );
    for path in f.0.keys() {
        assert!(
            path.starts_with("search/") && path.ends_with(".json"),
            "{path}"
        );
    }
    assert!(f.0.contains_key("search/p/0.json"));
    assert!(f.0.contains_key("search/t/0.json"));
    assert!(f.0.contains_key("search/f/0.json"));
    // Records: RECORD_GROUP pages a file (the manifest says how many), URLs under
    // the base; page 4 is the story.
    let rg = super::files::RECORD_GROUP;
    assert_eq!(m["rg"], rg);
    let r0: Vec<Vec<String>> = f.json("search/r/0.json");
    assert_eq!(r0.len(), rg.min(5));
    assert_eq!(r0[0][0], "prompts/japan/");
    let story: Vec<Vec<String>> = f.json(&format!("search/r/{}.json", 4 / rg));
    assert_eq!(story[4 % rg][1], "A walk in the park");
    assert_eq!(story[4 % rg][2], "Walking meetings");
    assert_eq!(
        f.0.keys().filter(|p| p.starts_with("search/r/")).count(),
        5usize.div_ceil(rg)
    );
    // Facets: roles.events.tags as indexes.
    let facets: Vec<String> = f.json("search/f/0.json");
    assert_eq!(facets, vec!["0.."; 5]);
    assert_eq!(m["roles"], serde_json::json!(["team"]));
}

#[test]
fn ranks_title_then_purpose_then_body() {
    let f = site();
    let titles: Vec<String> = f
        .search("retrospective")
        .into_iter()
        .map(|i| f.title(i))
        .collect();
    assert_eq!(
        titles,
        [
            "Retrospective Starfish",
            "What did we learn?",
            "A walk in the park"
        ]
    );
    // More words matched first.
    let titles: Vec<String> = f
        .search("stakeholder map retrospective")
        .into_iter()
        .map(|i| f.title(i))
        .collect();
    assert_eq!(titles[0], "Stakeholder Map");
}

#[test]
fn finds_japanese_by_bigrams() {
    let f = site();
    let ids = f.search("振り返り");
    assert_eq!(f.title(ids[0]), "振り返りの進め方");
}

#[test]
fn keeps_true_document_frequency_beside_capped_postings() {
    let f = site();
    let (df, p) = f.postings("retrospect").unwrap();
    assert_eq!(df, 3);
    assert_eq!(p.len(), 3);
    assert!(p.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(f.postings("nonexistent").is_none());
}

#[test]
fn writes_where_each_term_stands_in_a_title() {
    let f = site();
    let at = |term: &str| -> Vec<(u64, Vec<usize>)> {
        let (_, p) = f.postings(term).unwrap();
        p.into_iter().map(|(id, _, at)| (id, at)).collect()
    };
    // Pages by kind, then URL: 0 japan, 1 learn, 2 map, 3 starfish, 4 park.
    // "Retrospective Starfish": its first word; the others have it elsewhere.
    assert_eq!(at("retrospect"), [(1, vec![]), (3, vec![0]), (4, vec![])]);
    assert_eq!(at("starfish"), [(3, vec![1])]);
    // "What did we learn?": the fourth word; "A walk in the park": the fifth.
    assert_eq!(at("learn"), [(1, vec![3])]);
    assert_eq!(at("park"), [(4, vec![4])]);
    // CJK bigrams count as words: 振り 0, り返 1, 返り 2.
    assert_eq!(at("返り"), [(0, vec![2])]);
}

#[test]
fn writes_the_first_two_places_of_a_repeated_title_word() {
    let docs = vec![
        doc(
            Kind::Tool,
            "tools/move",
            "Move the work before the deadline, the end",
            "x",
            FILLER,
        ),
        // Two words with one stem ("plans", "planning") count as one term.
        doc(Kind::Tool, "tools/plans", "Plans for planning", "x", FILLER),
    ];
    let f = Files(build_index(&docs, "en").into_iter().collect());
    let (_, the) = f.postings("the").unwrap();
    assert_eq!(the[0].2, [1, 4]);
    // Page 1; page 0 has "plan" in its body only.
    let (_, plan) = f.postings("plan").unwrap();
    assert_eq!(plan[0].2, Vec::<usize>::new());
    assert_eq!(plan[1].2, [0, 2]);
}

#[test]
fn splits_a_large_vocabulary_into_small_sorted_files() {
    // 3,000 pages of 60 distinct made-up words each.
    let words: Vec<String> = (0..3000 * 60)
        .map(|i: usize| {
            let mut w = String::new();
            let mut v = (i * 7919) % 40_000 + 40_000;
            while v > 0 {
                w.push((b'a' + (v % 26) as u8) as char);
                v /= 26;
            }
            w
        })
        .collect();
    let bodies: Vec<String> = words.chunks(60).map(|c| c.join(" ")).collect();
    let titles: Vec<String> = (0..3000).map(|i| format!("Page {i}")).collect();
    let docs: Vec<SearchDoc<'_>> = bodies
        .iter()
        .zip(&titles)
        .enumerate()
        .map(|(i, (b, t))| {
            let mut d = doc(Kind::Tool, &format!("tools/p{i}"), t, "", b);
            d.purpose = None;
            d
        })
        .collect();
    let f = Files(build_index(&docs, "en").into_iter().collect());
    let m = f.manifest();
    let firsts: Vec<String> = serde_json::from_value(m["p"].clone()).unwrap();
    assert!(firsts.len() > 10, "{} postings files", firsts.len());
    assert!(
        firsts.windows(2).all(|w| w[0] < w[1]),
        "files cover sorted, disjoint ranges"
    );
    for i in 0..firsts.len() {
        let bytes = &f.0[&format!("search/p/{i}.json")];
        assert!(
            bytes.len() < 16_000,
            "postings file {i}: {} bytes",
            bytes.len()
        );
    }
    let typo: Vec<String> = serde_json::from_value(m["t"].clone()).unwrap();
    assert!(!typo.is_empty());
    assert_eq!(
        f.0.keys().filter(|k| k.starts_with("search/r/")).count(),
        3000 / super::files::RECORD_GROUP
    );
    // The manifest stays small.
    assert!(f.0["search/manifest.json"].len() < 8_000);
}

#[test]
fn an_empty_site_has_a_manifest() {
    let files = build_index(&[], "en");
    let f = Files(files.into_iter().collect());
    assert_eq!(f.manifest()["n"], 0);
}
