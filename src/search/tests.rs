//! Layout and ranking of the written files, read back the way search.js reads them.

use super::encode::{ALPHABET, read_num};
use super::{SearchDoc, analyze, build_index};
use crate::content::Kind;
use std::collections::HashMap;

struct Files(HashMap<String, Vec<u8>>);

/// A posting as read back: page id, impact level.
type ReadPosting = (u64, u8);

impl Files {
    fn json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        serde_json::from_slice(self.0.get(path).unwrap_or_else(|| panic!("{path} missing")))
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn manifest(&self) -> serde_json::Value {
        self.json("search/manifest.json")
    }

    /// Postings of `term` as (page id, level), found as search.js finds them.
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
                out.push((next, level));
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
            for (id, level) in self.postings(&term).map(|p| p.1).unwrap_or_default() {
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

/// The pair term of two words as written: their terms joined as search.js joins them.
fn pair(a: &str, b: &str) -> String {
    let term = |w: &str| analyze(w, "en").concat();
    format!("{}{}{}", term(a), super::index::PAIR_JOIN, term(b))
}

/// The pages of a term, without levels.
fn pages_of(f: &Files, term: &str) -> Vec<u64> {
    f.postings(term)
        .map(|(_, p)| p.into_iter().map(|(id, _)| id).collect())
        .unwrap_or_default()
}

#[test]
fn writes_each_pair_of_consecutive_title_words_as_a_term() {
    let f = site();
    // Pages by kind, then URL: 0 japan, 1 learn, 2 map, 3 starfish, 4 park.
    assert_eq!(pages_of(&f, &pair("retrospective", "starfish")), [3]);
    assert_eq!(pages_of(&f, &pair("stakeholder", "map")), [2]);
    assert_eq!(pages_of(&f, &pair("what", "did")), [1]);
    assert_eq!(pages_of(&f, &pair("the", "park")), [4]);
    // In order only, and only in titles ("retrospective" is in page 1's body).
    assert_eq!(
        pages_of(&f, &pair("starfish", "retrospective")),
        [] as [u64; 0]
    );
    assert_eq!(pages_of(&f, &pair("what", "learn")), [] as [u64; 0]);
    // CJK bigrams pair up as words do: 振り, り返.
    assert_eq!(pages_of(&f, "振り!り返"), [0]);
    // A pair is no word a typo is corrected to.
    let m = f.manifest();
    for i in 0..m["t"].as_array().unwrap().len() {
        let lines: Vec<String> = f.json(&format!("search/t/{i}.json"));
        assert!(lines.iter().all(|l| !l.contains('!')), "{lines:?}");
    }
}

#[test]
fn a_pair_sorts_right_after_its_first_word() {
    // "planet" begins with "plan": the pair `plan!poker` must come between them, in the
    // file the browser reads "plan" from, not after every word that begins with "plan".
    let docs = vec![
        doc(Kind::Tool, "tools/poker", "Plan poker", "x", FILLER),
        doc(Kind::Tool, "tools/planet", "Planet", "x", FILLER),
    ];
    let f = Files(build_index(&docs, "en").into_iter().collect());
    let m = f.manifest();
    let mut terms = Vec::new();
    for i in 0..m["p"].as_array().unwrap().len() {
        let lines: Vec<String> = f.json(&format!("search/p/{i}.json"));
        let mut prev = String::new();
        for l in lines {
            prev = super::encode::unfront(&prev, l.split_once(' ').unwrap().0);
            terms.push(prev.clone());
        }
    }
    let at = |t: &str| terms.iter().position(|x| x == t).unwrap();
    let plan = at("plan");
    assert_eq!(terms[plan + 1], pair("plan", "poker"), "{terms:?}");
    assert_eq!(terms[plan + 2], "planet", "{terms:?}");
}

#[test]
fn counts_a_repeated_title_pair_once_a_page() {
    let docs = vec![
        doc(
            Kind::Tool,
            "tools/move",
            "Move the work before the work, the end",
            "x",
            FILLER,
        ),
        // Two words with one stem ("plans", "planning") make one term of the pair.
        doc(Kind::Tool, "tools/plans", "Plans for planning", "x", FILLER),
    ];
    let f = Files(build_index(&docs, "en").into_iter().collect());
    let (df, p) = f.postings(&pair("the", "work")).unwrap();
    assert_eq!((df, p.len()), (1, 1));
    assert_eq!(pages_of(&f, &pair("work", "the")), [0]);
    assert_eq!(pages_of(&f, &pair("plans", "for")), [1]);
    assert_eq!(pages_of(&f, &pair("for", "planning")), [1]);
    // Twice in a title scores above once, as a word would.
    let (_, once) = f.postings(&pair("move", "the")).unwrap();
    assert!(p[0].1 > once[0].1, "{p:?} {once:?}");
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
