//! Text analysis shared by the index and the browser: words cut at Unicode word
//! boundaries, lower-cased, diacritics folded, stemmed by language; Chinese, Japanese and
//! Korean text as overlapping character bigrams.
//!
//! `themes/default/static/search.js` does exactly the same to a query (`tokenize`,
//! `fold`, `stem`); `tests/fixtures/search/tokens.json` is the table both sides are
//! tested on, so a word the index holds is a word the browser asks for.

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_segmentation::UnicodeSegmentation;

/// Words longer than this (hashes, URLs run together) are left out of the index.
pub(crate) const MAX_TERM_CHARS: usize = 40;

/// One unit of text the index knows: a folded word, or a run of CJK characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// A word, lower-cased and folded, not yet stemmed.
    Word(&'a str),
    /// A run of Han, Hiragana, Katakana or Hangul characters (indexed as bigrams).
    Cjk(&'a str),
}

/// Returns true if and only if `c` is written as CJK (Han, Hiragana, Katakana, Hangul):
/// explicit blocks, the same as `isCjk` in search.js.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF          // Hangul Jamo
        | 0x2E80..=0x2FDF        // CJK radicals, Kangxi radicals
        | 0x3005 | 0x3007        // 々 〇
        | 0x3021..=0x3029        // Hangzhou numerals
        | 0x3038..=0x303B
        | 0x3040..=0x30FF        // Hiragana, Katakana (ー included)
        | 0x3130..=0x318F        // Hangul compatibility Jamo
        | 0x31F0..=0x31FF        // Katakana phonetic extensions
        | 0x3400..=0x4DBF        // CJK extension A
        | 0x4E00..=0x9FFF        // CJK unified ideographs
        | 0xAC00..=0xD7AF        // Hangul syllables
        | 0xF900..=0xFAFF        // CJK compatibility ideographs
        | 0xFF66..=0xFF9F        // half-width Katakana
        | 0x20000..=0x3FFFF) // CJK extensions B–H
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

fn is_letter(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphabetic() && !is_cjk(c))
}

/// Calls `f` with every token of `text`, in order.
///
/// Words are cut at Unicode word boundaries (UAX #29) and then at anything that is not a
/// letter, digit or mark, so `file.txt` gives `file` and `txt`; an apostrophe between
/// two letters is dropped (`don't` → `dont`, `team's` → `teams`). CJK runs are kept
/// whole for [`bigrams`].
pub(crate) fn tokenize(text: &str, mut f: impl FnMut(Token<'_>)) {
    let mut buf = String::new();
    if text.is_ascii() {
        // ASCII text has the same word boundaries either way; skip the segmenter.
        tokenize_ascii(text, &mut buf, &mut f);
        return;
    }
    // No word spans white space, so only the pieces between spaces that hold
    // non-ASCII characters need the segmenter.
    for piece in text.split(|c: char| c.is_ascii_whitespace()) {
        if piece.is_ascii() {
            tokenize_ascii(piece, &mut buf, &mut f);
        } else {
            tokenize_unicode(piece, &mut buf, &mut f);
        }
    }
}

fn tokenize_unicode(text: &str, buf: &mut String, mut f: impl FnMut(Token<'_>)) {
    let mut word = String::new();
    let mut cjk = String::new();
    let emit_word = |word: &mut String, buf: &mut String, f: &mut dyn FnMut(Token<'_>)| {
        if !word.is_empty() {
            fold_into(word, buf);
            if !buf.is_empty() && buf.chars().count() <= MAX_TERM_CHARS {
                f(Token::Word(buf));
            }
            word.clear();
        }
    };
    let emit_cjk = |cjk: &mut String, f: &mut dyn FnMut(Token<'_>)| {
        if !cjk.is_empty() {
            f(Token::Cjk(cjk));
            cjk.clear();
        }
    };
    for seg in text.split_word_bounds() {
        let mut chars = seg.chars().peekable();
        let mut prev: Option<char> = None;
        while let Some(c) = chars.next() {
            if is_cjk(c) {
                emit_word(&mut word, buf, &mut f);
                cjk.push(c);
            } else if is_word_char(c) {
                emit_cjk(&mut cjk, &mut f);
                word.push(c);
            } else if is_apostrophe(c) && is_letter(prev) && is_letter(chars.peek().copied()) {
                // joined: `don't` is one word
            } else {
                emit_word(&mut word, buf, &mut f);
                emit_cjk(&mut cjk, &mut f);
            }
            prev = Some(c);
        }
        // A segment boundary between two word characters (UAX #29 splits some
        // scripts) ends the word; CJK runs go on across segments.
        emit_word(&mut word, buf, &mut f);
    }
    emit_cjk(&mut cjk, &mut f);
}

fn tokenize_ascii(text: &str, buf: &mut String, f: &mut impl FnMut(Token<'_>)) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        let mut plain = true;
        while i < b.len() {
            let c = b[i];
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
            } else if c.is_ascii_uppercase() {
                plain = false;
            } else if c == b'\''
                && b[i - 1].is_ascii_alphabetic()
                && b.get(i + 1).is_some_and(u8::is_ascii_alphabetic)
            {
                // joined: `don't` is one word
                plain = false;
            } else {
                break;
            }
            i += 1;
        }
        let word = &b[start..i];
        if plain {
            // Most words are already lower case: hand out the text itself.
            if word.len() <= MAX_TERM_CHARS {
                f(Token::Word(&text[start..i]));
            }
            continue;
        }
        buf.clear();
        buf.extend(
            word.iter()
                .filter(|&&c| c != b'\'')
                .map(|&c| c.to_ascii_lowercase() as char),
        );
        if buf.len() <= MAX_TERM_CHARS {
            f(Token::Word(buf));
        }
    }
}

/// Lower-cases `word` and folds its diacritics away: `Übermorgen` → `ubermorgen`,
/// `Straße` → `strasse`, `Ærø` → `aero`.
#[cfg(test)]
pub(crate) fn fold(word: &str) -> String {
    let mut out = String::new();
    fold_into(word, &mut out);
    out
}

fn fold_into(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.push_str(word);
        out.make_ascii_lowercase();
        return;
    }
    let lower = word.to_lowercase();
    for c in lower.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ø' => out.push('o'),
            'đ' | 'ð' => out.push('d'),
            'þ' => out.push_str("th"),
            'ł' => out.push('l'),
            'ı' => out.push('i'),
            'ς' => out.push('σ'),
            c => out.push(c),
        }
    }
}

/// The index terms of a CJK run: overlapping character bigrams, or the character
/// itself for a run of one.
pub(crate) fn bigrams(run: &str, mut f: impl FnMut(&str)) {
    let idx: Vec<usize> = run
        .char_indices()
        .map(|(i, _)| i)
        .chain([run.len()])
        .collect();
    if idx.len() <= 2 {
        f(run);
        return;
    }
    for w in idx.windows(3) {
        f(&run[w[0]..w[2]]);
    }
}

/// The stemmer of a language, where the browser has the same one (search.js `STEMMERS`:
/// English Porter2 and German).
///
/// Only languages whose Snowball stemmer search.js carries are stemmed: a stem the
/// browser could not reproduce would never be found. Others are indexed unstemmed
/// (folded, and prefix and typo matching still apply).
pub(crate) fn stemmer_for(language: &str) -> Option<(&'static str, Stemmer)> {
    let primary = language
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match primary.as_str() {
        "en" => Some(("en", Stemmer::create(Algorithm::English))),
        "de" => Some(("de", Stemmer::create(Algorithm::German))),
        _ => None,
    }
}

/// Returns true if and only if the stemmer is applied to `word`: ASCII letters only,
/// three or more (the same test as search.js).
pub(crate) fn stemmable(word: &str) -> bool {
    word.len() >= 3 && word.bytes().all(|b| b.is_ascii_lowercase())
}

/// The terms of `text` as the index holds them, in order (for tests and tools).
pub fn analyze(text: &str, language: &str) -> Vec<String> {
    let stemmer = stemmer_for(language);
    let mut out = Vec::new();
    tokenize(text, |t| match t {
        Token::Word(w) => match &stemmer {
            Some((_, s)) if stemmable(w) => out.push(s.stem(w).into_owned()),
            _ => out.push(w.to_string()),
        },
        Token::Cjk(run) => bigrams(run, |b| out.push(b.to_string())),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut v = Vec::new();
        tokenize(text, |t| match t {
            Token::Word(w) => v.push(w.to_string()),
            Token::Cjk(r) => v.push(format!("cjk:{r}")),
        });
        v
    }

    #[test]
    fn splits_at_word_boundaries_and_punctuation() {
        assert_eq!(
            words("Don't skip the Sprint-Review, e.g. file.txt (v2.0)!"),
            [
                "dont", "skip", "the", "sprint", "review", "e", "g", "file", "txt", "v2", "0"
            ]
        );
        assert_eq!(
            words("team’s  'quoted'  x_y"),
            ["teams", "quoted", "x", "y"]
        );
    }

    #[test]
    fn folds_case_and_diacritics() {
        assert_eq!(fold("Übermorgen"), "ubermorgen");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("Ærø"), "aero");
        assert_eq!(fold("CAFÉ"), "cafe");
        assert_eq!(fold("İstanbul"), "istanbul");
        assert_eq!(fold("ΟΔΟΣ"), "οδοσ");
        assert_eq!(words("Über-morgen naïve"), ["uber", "morgen", "naive"]);
    }

    #[test]
    fn keeps_cjk_runs_for_bigrams() {
        assert_eq!(
            words("振り返りをする Retro会議"),
            ["cjk:振り返りをする", "retro", "cjk:会議"]
        );
        let mut b = Vec::new();
        bigrams("振り返り", |s| b.push(s.to_string()));
        assert_eq!(b, ["振り", "り返", "返り"]);
        let mut one = Vec::new();
        bigrams("会", |s| one.push(s.to_string()));
        assert_eq!(one, ["会"]);
        assert_eq!(analyze("한국어 회의", "en"), ["한국", "국어", "회의"]);
    }

    #[test]
    fn stems_english_with_porter2() {
        assert_eq!(
            analyze("Prioritization retrospectives running stakeholders", "en"),
            ["priorit", "retrospect", "run", "stakehold"]
        );
        // Only languages the browser can stem too are stemmed.
        assert_eq!(analyze("running", "xx"), ["running"]);
        assert_eq!(analyze("courantes", "fr"), ["courantes"]);
        assert_eq!(analyze("Running", "en-GB"), ["run"]);
        // Digits and non-ASCII words are left as they are.
        assert_eq!(analyze("sprints2 ελληνικά", "en"), ["sprints2", "ελληνικα"]);
    }

    #[test]
    fn drops_overlong_words() {
        let long = "a".repeat(MAX_TERM_CHARS + 1);
        assert_eq!(words(&format!("ok {long} fine")), ["ok", "fine"]);
    }

    #[test]
    fn matches_the_shared_token_table() {
        // The same table is run through search.js in tests/search_browser.rs.
        let table: Vec<(String, Vec<String>)> =
            serde_json::from_str(include_str!("../../tests/fixtures/search/tokens.json"))
                .expect("tokens.json parses");
        for (input, expected) in table {
            assert_eq!(analyze(&input, "en"), expected, "input {input:?}");
        }
    }

    #[test]
    fn stems_german_after_folding() {
        assert_eq!(
            analyze("Übermorgen laufen die Größenordnungen", "de"),
            ["ubermorg", "lauf", "die", "grossenordn"]
        );
        let (_, s) = stemmer_for("de-CH").expect("German is stemmed");
        for line in include_str!("../../tests/fixtures/search/stems-de.tsv").lines() {
            let (word, stem) = line.split_once('\t').expect("word<TAB>stem");
            assert_eq!(s.stem(word), stem, "{word}");
        }
    }

    #[test]
    fn stems_the_shared_word_table_like_rust_stemmers() {
        // search.js's Porter2 is checked against the same table in the browser.
        let (_, s) = stemmer_for("en").expect("English is stemmed");
        for line in include_str!("../../tests/fixtures/search/stems.tsv").lines() {
            let (word, stem) = line.split_once('\t').expect("word<TAB>stem");
            assert_eq!(s.stem(word), stem, "{word}");
        }
    }
}
