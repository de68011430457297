//! The before/after chart of a story's numeric outcomes: inline SVG with a title and a
//! text alternative; the numbers are also in the page's table, so nothing depends on it.

use crate::content::Measure;
use std::fmt::Write;

/// Escapes text for HTML and XML content and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number as people write it: `14`, `2.5`.
pub fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        let s = format!("{n:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// One small chart per measure: two bars, before and after, scaled to the larger value.
pub fn outcome_chart(m: &Measure, id: &str) -> String {
    let max = m.before.abs().max(m.after.abs()).max(f64::MIN_POSITIVE);
    let unit = m
        .unit
        .as_deref()
        .map(|u| format!(" {u}"))
        .unwrap_or_default();
    let improved = if m.lower_is_better {
        m.after < m.before
    } else {
        m.after > m.before
    };
    let direction = if m.lower_is_better {
        "lower is better"
    } else {
        "higher is better"
    };
    let verdict = if improved {
        "improved"
    } else {
        "did not improve"
    };
    let desc = format!(
        "{}: before {}{unit}, after {}{unit}; {direction}, so it {verdict}.",
        m.label,
        number(m.before),
        number(m.after)
    );
    let width = 240.0;
    let bar = |v: f64| (v.abs() / max * (width - 90.0)).max(2.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {width} 64" width="{width}" height="64" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(&m.label),
        escape(&desc)
    );
    for (i, (name, v, class)) in [
        ("before", m.before, "bar-before"),
        (
            "after",
            m.after,
            if improved { "bar-good" } else { "bar-bad" },
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let y = 6 + i * 30;
        let _ = write!(
            s,
            r#"<text x="0" y="{}" class="chart-label">{name}</text><rect x="48" y="{y}" width="{:.1}" height="20" rx="3" class="{class}"/><text x="{:.1}" y="{}" class="chart-value">{}</text>"#,
            y + 15,
            bar(v),
            48.0 + bar(v) + 6.0,
            y + 15,
            escape(&number(v))
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_has_title_description_and_verdict() {
        let m = Measure {
            label: "Story churn <x>".into(),
            before: 14.0,
            after: 5.0,
            unit: Some("stories".into()),
            lower_is_better: true,
        };
        let svg = outcome_chart(&m, "o1");
        assert!(svg.contains("<title id=\"o1-t\">Story churn &lt;x&gt;</title>"));
        assert!(
            svg.contains("before 14 stories, after 5 stories; lower is better, so it improved.")
        );
        assert!(svg.contains("bar-good"));
    }

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(number(14.0), "14");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(4.126), "4.13");
    }
}
