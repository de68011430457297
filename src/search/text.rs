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
    /// A word, lower-cased and folded, not yet stemmed, and its [`Key`] (for a word of
    /// up to 16 bytes).
    Word(&'a str, Option<Key>),
    /// An ASCII word of up to 16 letters and digits as the [`Key`] of it lower-cased,
    /// which holds its text ([`key_text`]). Most words come this way: the index reads a
    /// word's text only the first time it sees the word, and neither lowering each
    /// word's text nor cutting it out of the page (a check of both ends) is done for
    /// the millions of words it has seen.
    Ascii(Key),
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
    // ASCII text has the same word boundaries either way, and no word spans white
    // space: only the pieces between spaces that hold a non-ASCII character need the
    // segmenter. Everything between those pieces goes to the ASCII tokenizer in one
    // run, not piece by piece: most real pages hold a curly quote or a dash somewhere,
    // and cutting a whole page into pieces for one `’` doubled its analysis.
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(at) = first_non_ascii(&b[from..]).map(|i| from + i) {
        let start = b[from..at]
            .iter()
            .rposition(u8::is_ascii_whitespace)
            .map_or(from, |i| from + i + 1);
        let end = b[at..]
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(b.len(), |i| at + i);
        // Both cuts are at ASCII bytes, so on character boundaries.
        tokenize_ascii(&text[from..start], &mut buf, &mut f);
        let piece = &text[start..end];
        if !tokenize_plain(piece, &mut buf, &mut f) {
            tokenize_unicode(piece, &mut buf, &mut f);
        }
        from = end;
    }
    tokenize_ascii(&text[from..], &mut buf, &mut f);
}

/// Where the first byte of `bytes` that is not ASCII is: 32 bytes at a time, as four
/// words tested with one branch (most text is ASCII for hundreds of bytes).
fn first_non_ascii(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(32);
    for (n, chunk) in chunks.by_ref().enumerate() {
        let word = |i: usize| u64::from_le_bytes(chunk[i..i + 8].try_into().expect("8 bytes"));
        if (word(0) | word(8) | word(16) | word(24)) & (ONES * 0x80) != 0 {
            return chunk
                .iter()
                .position(|&c| !c.is_ascii())
                .map(|i| 32 * n + i);
        }
    }
    let rest = chunks.remainder();
    rest.iter()
        .position(|&c| !c.is_ascii())
        .map(|i| bytes.len() - rest.len() + i)
}

/// What a character is to [`tokenize_plain`], which knows only the characters of most
/// European and Japanese text and leaves pieces with any other to the segmenter.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    /// A letter: ASCII, Latin (`ä`, `ß`, `ł`, `ș`: U+00C0 to U+024F but `×` and `÷`) or
    /// full-width Latin (`Ａ`). Word_Break ALetter: UAX #29 never breaks between two.
    Letter,
    /// A digit, ASCII or full-width. Word_Break Numeric: no break beside a letter.
    Digit,
    /// `'` or `’`: joins two letters.
    Apostrophe,
    /// Han, kana or Hangul ([`is_cjk`]), indexed as bigrams.
    Cjk,
    /// Neither letter nor digit nor mark: ASCII punctuation and symbols, Latin-1's,
    /// general punctuation (dashes, quotes, `…`), CJK and full-width punctuation.
    Other,
}

/// The [`Class`] of `c`, or `None` for a character [`tokenize_plain`] does not know.
fn class(c: char) -> Option<Class> {
    Some(match c {
        'a'..='z' | 'A'..='Z' => Class::Letter,
        // Kana and the common Han first: most characters of Japanese text.
        '\u{3040}'..='\u{30FF}' | '\u{4E00}'..='\u{9FFF}' => Class::Cjk,
        '0'..='9' | '\u{FF10}'..='\u{FF19}' => Class::Digit,
        '\'' | '\u{2019}' => Class::Apostrophe,
        '\0'..='\u{7F}' => Class::Other,
        '\u{D7}' | '\u{F7}' => Class::Other,
        '\u{C0}'..='\u{24F}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => Class::Letter,
        // Latin-1's symbols, but `ª`, `²`, `³`, `µ`, `¹`, `º`, `¼`, `½`, `¾`: letters
        // and numbers.
        '\u{A0}'..='\u{A9}'
        | '\u{AB}'..='\u{B1}'
        | '\u{B4}'
        | '\u{B6}'..='\u{B8}'
        | '\u{BB}'
        | '\u{BF}' => Class::Other,
        _ if is_cjk(c) => Class::Cjk,
        // Punctuation blocks, but the CJK symbols' few letters and marks (`〆`, U+302A
        // to U+302F, `〱` to `〵`, `〼`) and what `is_cjk` took.
        '\u{2010}'..='\u{2027}'
        | '\u{3000}'..='\u{3004}'
        | '\u{3008}'..='\u{3020}'
        | '\u{3030}'
        | '\u{3036}'..='\u{3037}'
        | '\u{303D}'..='\u{303F}'
        | '\u{FF01}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}' => Class::Other,
        _ => return None,
    })
}

/// Each letter and digit of [`Class`] beyond ASCII, folded on its own by [`fold_into`]:
/// U+00C0 to U+024F, then U+FF10 to U+FF5A. A word of such letters folds to its
/// letters' folds one after the other: lower-casing maps each of them alone, and the
/// marks that decomposing gives (and that canonical ordering would move) are dropped.
fn fold_of(c: char) -> &'static str {
    static FOLDS: std::sync::OnceLock<Vec<Box<str>>> = std::sync::OnceLock::new();
    let folds = FOLDS.get_or_init(|| {
        ('\u{C0}'..='\u{24F}')
            .chain('\u{FF10}'..='\u{FF5A}')
            .map(|c| {
                let mut out = String::new();
                fold_into(c.encode_utf8(&mut [0; 4]), &mut out);
                out.into()
            })
            .collect()
    });
    let i = match c {
        '\u{C0}'..='\u{24F}' => c as usize - 0xC0,
        _ => 0x24F - 0xC0 + 1 + c as usize - 0xFF10,
    };
    &folds[i]
}

/// [`tokenize_unicode`] for a piece of characters [`class`] knows: most pieces of
/// European and Japanese text. No segmenter and no decomposition, with the same tokens:
/// UAX #29 never breaks between two letters or digits of these, and an apostrophe
/// between two letters never starts a segment, so only the characters' classes cut
/// words. Returns false, having done nothing, when the piece holds any other character.
fn tokenize_plain(piece: &str, buf: &mut String, f: &mut impl FnMut(Token<'_>)) -> bool {
    if !piece.chars().all(|c| class(c).is_some()) {
        return false;
    }
    buf.clear();
    // Characters in `buf`, which a word's length is counted in.
    let mut chars = 0;
    // Where the CJK run being read started.
    let mut cjk: Option<usize> = None;
    let mut prev = Class::Other;
    let mut rest = piece.char_indices().peekable();
    while let Some((at, c)) = rest.next() {
        let now = class(c).unwrap_or(Class::Other);
        if now != Class::Cjk
            && let Some(from) = cjk.take()
        {
            f(Token::Cjk(&piece[from..at]));
        }
        match now {
            Class::Letter | Class::Digit if c.is_ascii() => {
                buf.push(c.to_ascii_lowercase());
                chars += 1;
            }
            Class::Letter | Class::Digit => {
                let folded = fold_of(c);
                buf.push_str(folded);
                chars += folded.chars().count();
            }
            Class::Apostrophe
                if prev == Class::Letter
                    && rest.peek().and_then(|&(_, c)| class(c)) == Some(Class::Letter) => {}
            Class::Cjk => {
                emit_folded(buf, chars, f);
                chars = 0;
                cjk.get_or_insert(at);
            }
            Class::Apostrophe | Class::Other => {
                emit_folded(buf, chars, f);
                chars = 0;
            }
        }
        prev = now;
    }
    emit_folded(buf, chars, f);
    if let Some(from) = cjk {
        f(Token::Cjk(&piece[from..]));
    }
    true
}

/// Hands `f` the folded word in `buf`, of `chars` characters, unless it is empty or
/// longer than [`MAX_TERM_CHARS`]; then clears `buf`.
fn emit_folded(buf: &mut String, chars: usize, f: &mut dyn FnMut(Token<'_>)) {
    if !buf.is_empty() && chars <= MAX_TERM_CHARS {
        f(Token::Word(buf, key_of(buf)));
    }
    buf.clear();
}

fn tokenize_unicode(text: &str, buf: &mut String, mut f: impl FnMut(Token<'_>)) {
    let mut word = String::new();
    let mut cjk = String::new();
    let emit_word = |word: &mut String, buf: &mut String, f: &mut dyn FnMut(Token<'_>)| {
        if !word.is_empty() {
            fold_into(word, buf);
            let chars = buf.chars().count();
            emit_folded(buf, chars, f);
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

/// A word's key: a word of up to 16 bytes as one integer (its bytes, zero-padded, the
/// first in the lowest byte), which hashes and compares in a step or two. Words never
/// hold a zero byte (they are letters, digits and CJK characters), so two words never
/// share a key.
pub(crate) type Key = u128;

/// The longest word (in bytes) that has a [`Key`].
pub(crate) const KEY_BYTES: usize = 16;

/// 0x01 in every byte of a `u64`.
const ONES: u64 = u64::MAX / 0xFF;

/// The high bit (0x80) of each byte of `x` that lies in `lo..=hi`, for all eight bytes at
/// once. The bytes must be below 0x80 (ASCII), so adding to one never carries into the
/// next: the high bit of a byte says whether it reached `lo`, then whether it passed
/// `hi`.
#[inline(always)]
fn bytes_in(x: u64, lo: u8, hi: u8) -> u64 {
    (x + ONES * u64::from(0x80 - lo)) & !(x + ONES * u64::from(0x80 - hi - 1)) & (ONES * 0x80)
}

/// One bit per byte of `bytes` (at most 64; bit `i` for byte `i`), set where the byte is
/// an ASCII letter or digit: the bytes a word of ASCII text is made of (an apostrophe
/// can join two words). A whole block of 64 bytes sixteen at a time with SSE2, which
/// every x86-64 processor has: a fifth of the instructions of [`word_bits_swar`].
#[inline(always)]
fn word_bits(bytes: &[u8]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if let Ok(block) = <&[u8; BLOCK]>::try_from(bytes) {
        return word_bits_sse2(block);
    }
    word_bits_swar(bytes)
}

/// [`word_bits`] of a whole block, with SSE2.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn word_bits_sse2(block: &[u8; BLOCK]) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8,
    };
    let mut bits = 0u64;
    for (k, sixteen) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of x86-64, so every x86-64 processor runs these; the
        // load reads the 16 bytes of `sixteen`, and an unaligned load needs no
        // alignment.
        let word = unsafe {
            let x = _mm_loadu_si128(sixteen.as_ptr().cast::<__m128i>());
            let in_range = |x: __m128i, lo: u8, hi: u8| {
                _mm_and_si128(
                    _mm_cmpgt_epi8(x, _mm_set1_epi8(lo as i8 - 1)),
                    _mm_cmplt_epi8(x, _mm_set1_epi8(hi as i8 + 1)),
                )
            };
            // Setting bit 0x20 lower-cases a letter and makes no other byte a letter.
            // Bytes from 0x80 compare as negative: never in a range.
            let low = _mm_or_si128(x, _mm_set1_epi8(0x20));
            _mm_movemask_epi8(_mm_or_si128(
                in_range(low, b'a', b'z'),
                in_range(x, b'0', b'9'),
            ))
        };
        bits |= u64::from(word as u16) << (16 * k);
    }
    bits
}

/// [`word_bits`] eight bytes at a time in a `u64`, with no branch ([`bytes_in`]): for
/// the last, short block of a text, and on processors other than x86-64.
#[inline(always)]
fn word_bits_swar(bytes: &[u8]) -> u64 {
    let mut bits = 0u64;
    for (n, chunk) in bytes.chunks(8).enumerate() {
        let x = match <[u8; 8]>::try_from(chunk) {
            Ok(eight) => u64::from_le_bytes(eight),
            Err(_) => {
                // The end of the text: the missing bytes are zero, which is no word.
                let mut eight = [0u8; 8];
                eight[..chunk.len()].copy_from_slice(chunk);
                u64::from_le_bytes(eight)
            }
        };
        // Setting bit 0x20 lower-cases a letter and makes no other byte a letter.
        let word = bytes_in(x, b'0', b'9') | bytes_in(x | (ONES * 0x20), b'a', b'z');
        // Each byte's high bit, gathered into the low byte (bit i from byte i).
        let eight = (word >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        bits |= eight << (8 * n);
    }
    bits
}

/// Bytes of text whose word boundaries are found at once: one bit each in a `u64`.
const BLOCK: usize = 64;

/// [`tokenize`] for ASCII text.
fn tokenize_ascii(text: &str, buf: &mut String, f: &mut impl FnMut(Token<'_>)) {
    let b = text.as_bytes();
    // First where the bytes change from word to space and back, as bits, a block at a
    // time, with no branch that depends on the text; then the words between those
    // bits. A loop that tested each byte mispredicted at the end of every word.
    let mut in_word = false;
    let mut start = 0;
    // The start of a word that continues after an apostrophe (`don't`).
    let mut joined: Option<usize> = None;
    for (n, block) in b.chunks(BLOCK).enumerate() {
        let base = n * BLOCK;
        let word = word_bits(block);
        // Bit i: byte i is a word byte and the one before is not, or the other way.
        // Past the end of the text there are no word bytes, so a word that runs to the
        // end of a last, short block ends there.
        let mut changes = word ^ ((word << 1) | u64::from(in_word));
        while changes != 0 {
            let at = base + changes.trailing_zeros() as usize;
            changes &= changes - 1;
            if !in_word {
                start = at;
                in_word = true;
                continue;
            }
            in_word = false;
            word_at(text, start, at, &mut joined, buf, f);
        }
    }
    if in_word {
        word_at(text, start, b.len(), &mut joined, buf, f);
    }
}

/// Hands `f` the word of ASCII text `text` at `start..end`: a word of up to 16 bytes as
/// written with its key lower-cased ([`Token::Ascii`]), a longer one lower-cased; or,
/// when an apostrophe between two letters follows it, keeps its start in `joined` for
/// the word the apostrophe joins it to.
#[inline(always)]
fn word_at(
    text: &str,
    start: usize,
    end: usize,
    joined: &mut Option<usize>,
    buf: &mut String,
    f: &mut impl FnMut(Token<'_>),
) {
    let b = text.as_bytes();
    if b.get(end) == Some(&b'\'')
        && b[end - 1].is_ascii_alphabetic()
        && b.get(end + 1).is_some_and(u8::is_ascii_alphabetic)
    {
        joined.get_or_insert(start);
        return;
    }
    if let Some(first) = joined.take() {
        buf.clear();
        buf.extend(
            b[first..end]
                .iter()
                .filter(|&&c| c != b'\'')
                .map(|&c| c.to_ascii_lowercase() as char),
        );
        if buf.len() <= MAX_TERM_CHARS {
            f(Token::Word(buf, key_of(buf)));
        }
        return;
    }
    let len = end - start;
    if len > KEY_BYTES {
        // Rare: lowered as text, without a key.
        if len <= MAX_TERM_CHARS {
            buf.clear();
            buf.push_str(&text[start..end]);
            buf.make_ascii_lowercase();
            f(Token::Word(buf, None));
        }
        return;
    }
    // The key from one load of 16 bytes, the bytes after the word cleared, and lowered
    // with no branch on whether the word has upper case.
    let bytes: [u8; KEY_BYTES] = match b.get(start..start + KEY_BYTES) {
        Some(bytes) => bytes.try_into().expect("KEY_BYTES bytes"),
        None => {
            // The end of the text: fewer than 16 bytes remain.
            let mut bytes = [0u8; KEY_BYTES];
            bytes[..len].copy_from_slice(&b[start..end]);
            bytes
        }
    };
    let key = Key::from_le_bytes(bytes) & (Key::MAX >> (8 * (KEY_BYTES - len)));
    f(Token::Ascii(key | ascii_upper(key) >> 2));
}

/// The text of a word's [`Key`] (a word of ASCII letters and digits, or any word without
/// a zero byte), in `buf`: its bytes up to the first zero. A key holds a whole word, so
/// they are always UTF-8; the empty default is never taken.
pub(crate) fn key_text(key: Key, buf: &mut [u8; KEY_BYTES]) -> &str {
    *buf = key.to_le_bytes();
    let len = KEY_BYTES - key.leading_zeros() as usize / 8;
    std::str::from_utf8(&buf[..len]).unwrap_or_default()
}

/// The high bit (0x80) of every byte of `key` (ASCII letters and digits, zero-padded)
/// that is an upper-case letter, for all of its bytes at once: `key | upper >> 2` is the
/// key lower-cased.
#[inline(always)]
fn ascii_upper(key: Key) -> Key {
    let half = |x: Key| Key::from(bytes_in(x as u64, b'A', b'Z'));
    half(key) | half(key >> 64) << 64
}

/// The [`Key`] of a word of up to 16 bytes.
#[inline]
pub(crate) fn key_of(word: &str) -> Option<Key> {
    let b = word.as_bytes();
    (b.len() <= KEY_BYTES).then(|| {
        // Byte by byte: a copy of a variable length would be a call to memcpy.
        let mut k: Key = 0;
        for (i, &c) in b.iter().enumerate() {
            k |= Key::from(c) << (8 * i);
        }
        k
    })
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
    // Where each character after the first starts: a bigram runs from one character's
    // start to the start of the character after the next.
    let mut starts = run.char_indices().skip(1).map(|(i, _)| i);
    let Some(mut second) = starts.next() else {
        f(run);
        return;
    };
    let mut first = 0;
    for third in starts {
        f(&run[first..third]);
        (first, second) = (second, third);
    }
    f(&run[first..]);
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
    let mut push = |w: &str| match &stemmer {
        Some((_, s)) if stemmable(w) => out.push(s.stem(w).into_owned()),
        _ => out.push(w.to_string()),
    };
    tokenize(text, |t| match t {
        Token::Word(w, _) => push(w),
        Token::Ascii(key) => push(key_text(key, &mut [0; KEY_BYTES])),
        Token::Cjk(run) => bigrams(run, |b| push(b)),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        token_strings(|f| tokenize(text, f))
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
        let grams = |run: &str| {
            let mut b = Vec::new();
            bigrams(run, |s| b.push(s.to_string()));
            b
        };
        assert_eq!(grams("振り返り"), ["振り", "り返", "返り"]);
        assert_eq!(grams("会議"), ["会議"]);
        assert_eq!(grams("会"), ["会"]);
        assert_eq!(grams("𠀋い"), ["𠀋い"], "a four-byte character");
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
    fn keys_words_read_in_one_load_as_pack_does() {
        // Words of every length up to and past 16 bytes, upper case in either half of the
        // key, at the start, in the middle and at the very end of the text (where fewer
        // than 16 bytes remain). `words` checks every key against `key_of`.
        let letters = "aBcDeFgHiJkLmNoPqRs";
        for len in 1..=KEY_BYTES + 2 {
            let word = &letters[..len];
            let lower = word.to_ascii_lowercase();
            let lower = lower.as_str();
            assert_eq!(words(word), [lower]);
            assert_eq!(words(&format!("{word} x")), [lower, "x"]);
            assert_eq!(words(&format!("x {word}")), ["x", lower]);
            assert_eq!(words(&format!("x.{word}.")), ["x", lower]);
        }
        let k = key_of("AZaz09@[ABYZ`{").unwrap();
        assert_eq!(k | ascii_upper(k) >> 2, key_of("azaz09@[abyz`{").unwrap());
        // Words cut across the blocks the boundaries are found in.
        let long: String = (0..400).map(|i| format!("Word{i} don't ")).collect();
        let got = words(&long);
        assert_eq!(got.len(), 800);
        assert!(
            got.iter()
                .step_by(2)
                .enumerate()
                .all(|(i, w)| *w == format!("word{i}"))
        );
        assert!(got.iter().skip(1).step_by(2).all(|w| w == "dont"));
    }

    /// The rule for ASCII text, a byte at a time: letters and digits make words, an
    /// apostrophe between two letters joins them, words are lower-cased, and words
    /// longer than `MAX_TERM_CHARS` are left out.
    fn ascii_words_by_rule(text: &str) -> Vec<String> {
        let b = text.as_bytes();
        let (mut out, mut word) = (Vec::new(), String::new());
        for i in 0..=b.len() {
            let c = b.get(i).copied().unwrap_or(b' ');
            let joins = c == b'\''
                && i > 0
                && b[i - 1].is_ascii_alphabetic()
                && b.get(i + 1).is_some_and(u8::is_ascii_alphabetic);
            if c.is_ascii_alphanumeric() {
                word.push(c.to_ascii_lowercase() as char);
            } else if !joins && !word.is_empty() {
                if word.len() <= MAX_TERM_CHARS {
                    out.push(word.clone());
                }
                word.clear();
            }
        }
        out
    }

    #[test]
    fn ascii_text_is_cut_as_the_rule_says_at_any_length_and_position() {
        // Pseudo-random text (a fixed seed) of letters of both cases, digits,
        // apostrophes, spaces and punctuation, long words included, at lengths that
        // end inside and at the edges of the tokenizer's blocks.
        let alphabet = b"aZbYcXe1'  .-'Q9zz' ";
        let mut next = crate::xorshift(0x2545_f491_4f6c_dd1du64);
        for len in (0..300).chain([511, 512, 513, 1000, 4096]) {
            let text: String = (0..len)
                .map(|_| {
                    let r = next();
                    // Now and then a run of letters longer than a key or a term.
                    if r.is_multiple_of(97) {
                        "Longwordlongerthaneightbytes".repeat(1 + (r as usize >> 8) % 2)
                    } else {
                        (alphabet[(r >> 16) as usize % alphabet.len()] as char).to_string()
                    }
                })
                .collect();
            assert_eq!(words(&text), ascii_words_by_rule(&text), "{text:?}");
        }
        // A change at every byte: as many marks as a block has bytes.
        for text in ["a ".repeat(100), " a".repeat(100), "A'".repeat(100)] {
            assert_eq!(words(&text), ascii_words_by_rule(&text), "{text:?}");
        }
    }

    #[test]
    fn word_bits_mark_exactly_the_ascii_letters_and_digits_of_a_block() {
        // Every ASCII byte at every place of whole and short blocks (the first 128
        // rounds put byte `round + 37 i` at place `i`, so each place sees all 128),
        // then random mixes: the bytes beside each range (`/`, `:`, `@`, `[`, `` ` ``,
        // `{`) and the control characters that setting bit 0x20 would turn into digits
        // included.
        let mut next = crate::xorshift(0x9e37_79b9_7f4a_7c15u64);
        for len in [BLOCK, BLOCK - 1, 17, 16, 8, 1] {
            for round in 0..400 {
                let block: Vec<u8> = (0..len)
                    .map(|i| match round {
                        0..128 => (round + 37 * i) as u8 & 0x7f,
                        _ => (next() >> 24) as u8 & 0x7f,
                    })
                    .collect();
                let want = block
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.is_ascii_alphanumeric())
                    .fold(0u64, |bits, (i, _)| bits | 1 << i);
                assert_eq!(word_bits(&block), want, "{block:?}");
                assert_eq!(word_bits_swar(&block), want, "{block:?}");
            }
        }
    }

    /// The tokens `cut` hands out, as strings (`cjk:` before a CJK run), lower-cased;
    /// each word's key checked on the way.
    fn token_strings(cut: impl FnOnce(&mut dyn FnMut(Token<'_>))) -> Vec<String> {
        let mut out = Vec::new();
        cut(&mut |t| match t {
            Token::Word(w, key) => {
                assert_eq!(key, key_of(w), "{w:?}");
                out.push(w.to_string());
            }
            Token::Ascii(key) => {
                let w = key_text(key, &mut [0; KEY_BYTES]).to_string();
                assert!(!w.is_empty() && w.len() <= KEY_BYTES, "{w:?}");
                assert!(
                    w.bytes()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                    "{w:?}"
                );
                assert_eq!(Some(key), key_of(&w), "{w:?}");
                out.push(w);
            }
            Token::Cjk(run) => out.push(format!("cjk:{run}")),
        });
        out
    }

    /// Tokens of `text` cut piece by piece at ASCII white space, each piece through the
    /// ASCII or the Unicode path by what it holds: the rule `tokenize` follows while it
    /// hands long runs of ASCII pieces to the ASCII path at once.
    fn tokens_piece_by_piece(text: &str) -> Vec<String> {
        token_strings(|f| {
            let mut buf = String::new();
            for piece in text.split(|c: char| c.is_ascii_whitespace()) {
                if piece.is_ascii() {
                    tokenize_ascii(piece, &mut buf, &mut |t| f(t));
                } else {
                    tokenize_unicode(piece, &mut buf, &mut *f);
                }
            }
        })
    }

    #[test]
    fn text_with_a_few_non_ascii_characters_is_cut_as_piece_by_piece() {
        // Pseudo-random text (a fixed seed): ASCII words, spaces of every kind, and now
        // and then a curly quote, a dash, an umlaut, a no-break space or Japanese, at
        // the start and end of pieces and of the text.
        let alphabet: Vec<&str> = vec![
            "a",
            "Zb",
            "it",
            "don't",
            "1",
            " ",
            " ",
            "\n",
            "\t",
            "\r\n",
            ".",
            "-",
            "Longwordlongerthaneightbytes",
            "’",
            "“",
            "—",
            "ü",
            "\u{a0}",
            "日本語",
            "é",
        ];
        let mut next = crate::xorshift(0x9e37_79b9_7f4a_7c15u64);
        for len in (0..200).chain([500, 2000]) {
            let text: String = (0..len)
                .map(|_| {
                    let r = next();
                    // Mostly ASCII, as pages are.
                    let i = (r >> 20) as usize % alphabet.len();
                    if i >= 13 && !r.is_multiple_of(5) {
                        "x"
                    } else {
                        alphabet[i]
                    }
                })
                .collect();
            let got = token_strings(|f| tokenize(&text, f));
            assert_eq!(got, tokens_piece_by_piece(&text), "{text:?}");
        }
        assert_eq!(first_non_ascii("abcdefgh’".as_bytes()), Some(8));
        assert_eq!(first_non_ascii("ab’".as_bytes()), Some(2));
        assert_eq!(first_non_ascii("’".as_bytes()), Some(0));
        assert_eq!(first_non_ascii(b"abcdefghijklmnop"), None);
        // At every place of the 32-byte chunks and of the rest after them.
        for len in [31, 32, 33, 64, 70] {
            for at in 0..len {
                let mut text = vec![b'a'; len];
                text[at] = 0xC3;
                assert_eq!(first_non_ascii(&text), Some(at), "{len} {at}");
                text[len - 1] = 0xA4;
                assert_eq!(first_non_ascii(&text), Some(at), "{len} {at}");
            }
            assert_eq!(first_non_ascii(&vec![b'a'; len]), None);
        }
    }

    #[test]
    fn known_characters_are_cut_and_folded_as_the_segmenter_does() {
        let unicode =
            |piece: &str| token_strings(|f| tokenize_unicode(piece, &mut String::new(), &mut *f));
        let plain = |piece: &str| {
            token_strings(|f| {
                assert!(tokenize_plain(piece, &mut String::new(), &mut |t| f(t)));
            })
        };
        // Every character `class` knows but ASCII white space (which cuts pieces), of
        // the class the segmenter's path gives it.
        let known: Vec<char> = ('\0'..='\u{FFFF}')
            .filter(|&c| class(c).is_some() && !c.is_ascii_whitespace())
            .collect();
        assert!(known.len() > 20_000, "{} characters", known.len());
        for &c in &known {
            let want = if is_cjk(c) {
                Class::Cjk
            } else if is_apostrophe(c) {
                Class::Apostrophe
            } else if is_letter(Some(c)) {
                Class::Letter
            } else if is_word_char(c) {
                Class::Digit
            } else {
                Class::Other
            };
            assert_eq!(class(c), Some(want), "{c:?} U+{:04X}", c as u32);
        }
        // Each of them alone and beside letters, digits, apostrophes, punctuation and
        // CJK, at both ends of a piece (one CJK character in 50: they are all alike).
        let cjk_sample = known.iter().filter(|&&c| is_cjk(c)).step_by(50);
        for &c in known.iter().filter(|&&c| !is_cjk(c)).chain(cjk_sample) {
            for piece in [
                format!("{c}"),
                format!("a{c}b"),
                format!("{c}{c}9"),
                format!("1{c}"),
                format!("l’{c}t{c}"),
                format!("{c}'s"),
                format!("{c}’"),
                format!("’{c}"),
                format!("x.{c},{c}_{c}-{c}:"),
                format!("{c}\u{2019}1"),
                format!("日{c}本"),
                format!("{c}語ab{c}"),
                format!("「{c}」。"),
            ] {
                assert_eq!(plain(&piece), unicode(&piece), "{piece:?}");
            }
        }
        // Pseudo-random pieces (a fixed seed), long words and runs included.
        let mut alphabet: Vec<String> = [
            "a",
            "Z",
            "7",
            "'",
            "’",
            ".",
            "-",
            "_",
            "\"",
            "(",
            "ß",
            "Ü",
            "Ａ",
            "９",
            "日本語",
            "の",
            "カタカナ",
            "、",
            "。",
            "「",
            "」",
            "—",
            "…",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        alphabet.extend(known.iter().step_by(97).map(|c| c.to_string()));
        alphabet.push("Überlängelongerthanfortycharactersafterfoldingß".into());
        let mut next = crate::xorshift(0x2545_f491_4f6c_dd1d);
        for len in 1..600 {
            let piece: String = (0..len % 60 + 1)
                .map(|_| alphabet[(next() >> 20) as usize % alphabet.len()].as_str())
                .collect();
            assert_eq!(plain(&piece), unicode(&piece), "{piece:?}");
        }
        // Anything else is left to the segmenter.
        for piece in ["e\u{301}", "ʼ", "αβ", "😀", "ab\u{200D}"] {
            assert!(!tokenize_plain(piece, &mut String::new(), &mut |_| ()));
        }
    }

    #[test]
    fn lower_cases_an_upper_case_letter_anywhere_in_a_word() {
        // Words of up to 16 bytes are lowered in their key, both halves at once; longer
        // ones as text. Every position of every length must be seen, at the end of the
        // text (no bytes after the word) and before more text.
        for len in 1..=MAX_TERM_CHARS {
            for at in 0..len {
                let mut word = "q".repeat(len);
                word.replace_range(at..=at, "Z");
                let lower = word.to_ascii_lowercase();
                assert_eq!(words(&word), [lower.as_str()], "{word}");
                assert_eq!(
                    words(&format!("{word} ok")),
                    [lower.as_str(), "ok"],
                    "{word}"
                );
            }
        }
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
