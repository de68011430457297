//! The text encodings of the search files: numbers as base-32 "varints" written in
//! URL- and JSON-safe characters, impacts as one character, terms front-coded.
//! search.js reads them back (`readNum`, `IMPACT`, `unfront`).

/// The 64 characters numbers and impacts are written with; the first 32 end a number,
/// the last 32 continue it (most significant digit first).
pub(crate) const ALPHABET: &[u8; 64] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// Appends `v` as a base-32 number: every digit but the last from the continuing half.
pub(crate) fn push_num(out: &mut String, mut v: u64) {
    let mut digits = [0u8; 13];
    let mut n = 0;
    loop {
        digits[n] = (v & 31) as u8;
        n += 1;
        v >>= 5;
        if v == 0 {
            break;
        }
    }
    for i in (0..n).rev() {
        let d = digits[i] as usize;
        out.push(ALPHABET[if i == 0 { d } else { d + 32 }] as char);
    }
}

/// Reads a number written by [`push_num`] from the front of `s`, with the rest (tests).
#[cfg(test)]
pub(crate) fn read_num(s: &[u8]) -> Option<(u64, &[u8])> {
    let mut v = 0u64;
    for (i, &b) in s.iter().enumerate() {
        let d = ALPHABET.iter().position(|&a| a == b)? as u64;
        if d < 32 {
            return Some(((v << 5) | d, &s[i + 1..]));
        }
        v = (v << 5) | (d - 32);
    }
    None
}

/// Appends one character for a value 0–63.
pub(crate) fn push_char(out: &mut String, v: u8) {
    out.push(ALPHABET[usize::from(v.min(63))] as char);
}

/// Front-codes `term` against the previous one: the number of leading characters they
/// share as one character (at most 63), then the rest.
pub(crate) fn push_front(out: &mut String, prev: &str, term: &str) {
    let shared = prev
        .chars()
        .zip(term.chars())
        .take_while(|(a, b)| a == b)
        .count()
        .min(63);
    push_char(out, shared as u8);
    out.extend(term.chars().skip(shared));
}

/// Undoes [`push_front`] (for tests): the whole term from the previous one.
#[cfg(test)]
pub(crate) fn unfront(prev: &str, coded: &str) -> String {
    let mut chars = coded.chars();
    let n = chars
        .next()
        .and_then(|c| ALPHABET.iter().position(|&a| a as char == c))
        .unwrap_or(0);
    prev.chars().take(n).chain(chars).collect()
}

/// A JSON string literal of `s`.
pub(crate) fn json_str(out: &mut String, s: &str) {
    out.push('"');
    push_json_escaped(out, s);
    out.push('"');
}

/// `s` escaped for a JSON string literal, without the quotes.
pub(crate) fn push_json_escaped(out: &mut String, s: &str) {
    // Most text needs no escape: copied a run at a time, up to the next byte that may.
    // 0xE2 starts U+2028 and U+2029 (and other characters, copied as they are).
    let mut rest = s;
    while let Some(at) = rest
        .bytes()
        .position(|b| b == b'"' || b == b'\\' || b < 0x20 || b == 0xE2)
    {
        out.push_str(&rest[..at]);
        // Every byte looked for is the first of a character.
        let c = rest[at..].chars().next().unwrap_or_default();
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
        rest = &rest[at + c.len_utf8()..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for v in [0u64, 1, 31, 32, 33, 1023, 1024, 99_999, u32::MAX as u64] {
            let mut s = String::new();
            push_num(&mut s, v);
            s.push('!');
            let (got, rest) = read_num(s.as_bytes()).unwrap();
            assert_eq!((got, rest), (v, &b"!"[..]), "{v} as {s}");
        }
        let mut s = String::new();
        push_num(&mut s, 5);
        push_num(&mut s, 40);
        assert_eq!(s, "5X8");
    }

    #[test]
    fn front_coding_round_trips() {
        let mut s = String::new();
        push_front(&mut s, "retrospect", "retrospectiv");
        assert_eq!(s, "Aiv");
        assert_eq!(unfront("retrospect", &s), "retrospectiv");
        let mut j = String::new();
        push_front(&mut j, "振り", "振る");
        assert_eq!(unfront("振り", &j), "振る");
    }

    #[test]
    fn json_strings_are_escaped() {
        let mut s = String::new();
        json_str(&mut s, "a\"b\\c\n\u{1}");
        assert_eq!(s, r#""a\"b\\c\n\u0001""#);
        assert!(serde_json::from_str::<String>(&s).is_ok());
        // Runs between escapes, U+2028 and U+2029, and other characters that start
        // with the same byte (‘…’ are E2 80 98, E2 80 99).
        let text = "‘line’\u{2028}para\u{2029}end\t\"x\"…";
        let mut s = String::new();
        json_str(&mut s, text);
        assert_eq!(s, "\"‘line’\\u2028para\\u2029end\\t\\\"x\\\"…\"");
        assert_eq!(serde_json::from_str::<String>(&s).unwrap(), text);
    }
}
