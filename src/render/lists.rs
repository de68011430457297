//! Lists: pages as cards on kind indexes and tag, role and event pages, with the data
//! the filters need (facet values with counts, minutes read from durations).

use super::view::{PageLink, Views};
use crate::content::{Difficulty, Kind, slugify};
use crate::site::{PageId, Site};
use serde::Serialize;
use std::collections::BTreeMap;

/// A page as a card in a list, with what filters and the printed deck need. Templates
/// see the link's fields beside the card's own (`card.title`, `card.tags`): see its
/// `Serialize`.
#[derive(Debug)]
pub struct Card<'a> {
    /// Title, URL, kind, summary, purpose.
    pub link: PageLink<'a>,
    /// Role names.
    pub roles: Vec<&'a str>,
    /// Event names.
    pub events: Vec<&'a str>,
    /// Tags as written.
    pub tags: Vec<&'a str>,
    /// Tag slugs, for filter data attributes (tags may hold spaces).
    pub tag_slugs: Vec<String>,
    /// The values of the filters' data attributes, each space-separated.
    pub filter: CardFilter,
    /// A tool's difficulty.
    pub difficulty: Option<Difficulty>,
    /// A tool's or story's duration as written.
    pub duration: Option<&'a str>,
    /// The duration read as minutes, low and high, for filtering.
    pub minutes: Option<(u32, u32)>,
    /// A prompt's situation (printed on its card).
    pub when: Option<&'a str>,
    /// The closed question a prompt replaces (printed on its card).
    pub instead_of: Option<&'a str>,
    /// A prompt's follow-up questions (printed on its card).
    pub follow_ups: &'a [String],
}

/// The link's fields and the card's, as one flat struct. Written out rather than with
/// `#[serde(flatten)]`, which serialises the card as a map: Tera then keys each field by
/// a new `Arc<str>` instead of its static name, and turning 10,000 cards into values
/// took as long as rendering them twice (70-80 ms of processor time).
impl Serialize for Card<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        // Taken apart whole, so a field added to either struct fails to compile here
        // until it is written out too.
        let Card {
            link:
                PageLink {
                    kind,
                    title,
                    url,
                    summary,
                    purpose,
                },
            roles,
            events,
            tags,
            tag_slugs,
            filter,
            difficulty,
            duration,
            minutes,
            when,
            instead_of,
            follow_ups,
        } = self;
        let mut s = serializer.serialize_struct("Card", 16)?;
        s.serialize_field("kind", kind)?;
        s.serialize_field("title", title)?;
        s.serialize_field("url", url)?;
        s.serialize_field("summary", summary)?;
        s.serialize_field("purpose", purpose)?;
        s.serialize_field("roles", roles)?;
        s.serialize_field("events", events)?;
        s.serialize_field("tags", tags)?;
        s.serialize_field("tag_slugs", tag_slugs)?;
        s.serialize_field("filter", filter)?;
        s.serialize_field("difficulty", difficulty)?;
        s.serialize_field("duration", duration)?;
        s.serialize_field("minutes", minutes)?;
        s.serialize_field("when", when)?;
        s.serialize_field("instead_of", instead_of)?;
        s.serialize_field("follow_ups", follow_ups)?;
        s.end()
    }
}

/// A card's `data-role`, `data-event` and `data-tag` values, joined once in Rust: the
/// template's `join` filter cost 3,000 instructions a call, three calls a card, and
/// every card is rendered twice (callgrind, 1,000 pages).
#[derive(Debug, Serialize)]
pub struct CardFilter {
    /// Role names, space-separated.
    pub role: String,
    /// Event names, space-separated.
    pub event: String,
    /// Tag slugs, space-separated.
    pub tag: String,
}

/// One value of a filter, with how many listed pages carry it.
#[derive(Debug, Serialize)]
pub struct FacetValue {
    /// The value in data attributes and the URL.
    pub value: String,
    /// As shown.
    pub label: String,
    /// Pages carrying it.
    pub count: usize,
}

/// A filter group: role, event, tag, difficulty.
#[derive(Debug, Serialize)]
pub struct Facet {
    /// The URL parameter and data attribute name: `role`, `event`, `tag`, `difficulty`.
    pub name: &'static str,
    /// The legend.
    pub label: &'static str,
    /// Its values, most used first.
    pub values: Vec<FacetValue>,
}

/// What list templates see as `list`. Its `pages` (the cards) are serialised once per
/// page and shared by every list that shows the page: see [`ListView::to_value`].
#[derive(Debug, Serialize)]
pub struct ListView<'a, 'c> {
    /// The heading.
    pub title: String,
    /// The kind, on a kind index.
    pub kind: Option<Kind>,
    /// `tags`, `roles` or `events`, on a term page.
    pub taxonomy: Option<&'static str>,
    /// The text from `content/<kind>/_index.md`.
    pub intro: Option<String>,
    /// The pages.
    #[serde(skip)]
    pub pages: Vec<&'c Card<'a>>,
    /// Filters with counts (kind indexes only).
    pub facets: Vec<Facet>,
    /// Whether durations can be filtered (some page has minutes).
    pub has_minutes: bool,
}

/// Every regular page's card, built once: a page shows up on its kind index and on the
/// page of each of its tags, roles and events (eight lists on average).
pub struct Cards<'a> {
    cards: Vec<Option<Card<'a>>>,
    fingerprints: Vec<u64>,
}

/// Each card as list templates see it (`list.pages`): its fields, and its markup from
/// `card.html` rendered once, as `html` (for kind indexes) and `html_with_kind` (with
/// the kind badge, for term pages, which mix kinds). Rendering the markup in every
/// list's loop instead was three quarters of the lists' time.
pub struct CardValues {
    values: Vec<Option<tera::Value>>,
    /// Each card's `html` and `html_with_kind` (the same strings as in its value, shared),
    /// which lists join into `list.cards`.
    markup: Vec<Option<[tera::Value; 2]>>,
}

impl Drop for CardValues {
    fn drop(&mut self) {
        crate::drop_on_every_core(std::mem::take(&mut self.values));
        crate::drop_on_every_core(std::mem::take(&mut self.markup));
    }
}

impl CardValues {
    /// The markup of the cards of `ids`, with the kind badge or without, one after the
    /// other.
    pub fn joined_markup(&self, ids: &[PageId], with_kind: bool) -> String {
        let markup = |id: PageId| {
            self.markup
                .get(id)
                .and_then(Option::as_ref)
                .and_then(|m| m[usize::from(with_kind)].as_str())
        };
        let mut joined =
            String::with_capacity(ids.iter().filter_map(|&id| markup(id)).map(str::len).sum());
        for m in ids.iter().filter_map(|&id| markup(id)) {
            joined.push_str(m);
        }
        joined
    }
}

impl<'a> Cards<'a> {
    /// The cards of `ids` (the regular pages), with fingerprints when `fingerprint`.
    pub fn new(site: &'a Site, views: &Views<'a>, ids: &[PageId], fingerprint: bool) -> Self {
        use rayon::prelude::*;
        let mut cards: Vec<Option<Card<'a>>> = (0..site.pages.len()).map(|_| None).collect();
        let built: Vec<(PageId, Card<'a>)> = ids
            .par_iter()
            .map(|&id| (id, card(site, views, id)))
            .collect();
        for (id, c) in built {
            cards[id] = Some(c);
        }
        let fingerprints = if fingerprint {
            cards
                .par_iter()
                .map(|c| c.as_ref().map_or(0, super::cache::fingerprint))
                .collect()
        } else {
            Vec::new()
        };
        Cards {
            cards,
            fingerprints,
        }
    }

    /// Every card's value, on every core, with its markup from `render(card, value)`:
    /// without the kind badge and with it. Stops at the first error: the template is the
    /// same for every card, so one message says it.
    pub fn values(
        &self,
        render: impl Fn(&Card<'a>, &tera::Value) -> Result<[String; 2], crate::diagnostic::Diagnostic>
        + Sync,
    ) -> Result<CardValues, crate::diagnostic::Diagnostic> {
        use rayon::prelude::*;
        type Built = (Option<tera::Value>, Option<[tera::Value; 2]>);
        let built: Vec<Built> = self
            .cards
            .par_iter()
            .map(|c| {
                let Some(card) = c else {
                    return Ok((None, None));
                };
                let plain = tera::Value::from_serializable(card);
                let [html, html_with_kind] = render(card, &plain)?.map(tera::Value::from);
                // The card's fields are serialised once: the markup joins that map.
                let mut map = plain.into_map().unwrap_or_default();
                map.insert("html".into(), html.clone());
                map.insert("html_with_kind".into(), html_with_kind.clone());
                Ok((Some(tera::Value::from(map)), Some([html, html_with_kind])))
            })
            .collect::<Result<_, _>>()?;
        let (values, markup) = built.into_iter().unzip();
        Ok(CardValues { values, markup })
    }

    /// The fingerprint of the cards of `ids` (0 without fingerprints).
    pub fn fingerprint(&self, ids: &[PageId]) -> u64 {
        if self.fingerprints.is_empty() {
            return 0;
        }
        super::cache::combine(
            &ids.iter()
                .map(|&id| self.fingerprints[id])
                .collect::<Vec<u64>>(),
        )
    }
}

impl<'a, 'c> ListView<'a, 'c> {
    /// A list of `ids`, with filters when `kind` is given.
    pub fn new(
        cards: &'c Cards<'a>,
        title: String,
        kind: Option<Kind>,
        taxonomy: Option<&'static str>,
        intro: Option<String>,
        ids: &[PageId],
    ) -> Self {
        let pages: Vec<&'c Card<'a>> = ids
            .iter()
            .filter_map(|&id| cards.cards[id].as_ref())
            .collect();
        let facets = if kind.is_some() {
            facets(&pages, kind == Some(Kind::Tool))
        } else {
            Vec::new()
        };
        let has_minutes = kind.is_some() && pages.iter().any(|c| c.minutes.is_some());
        ListView {
            title,
            kind,
            taxonomy,
            intro,
            pages,
            facets,
            has_minutes,
        }
    }

    /// The list as templates see it, `pages` and `cards` included: the cards' values
    /// are shared, not serialised again, and `cards` is their markup joined (with the
    /// kind badge on term pages, which mix kinds). The default `list.html` prints
    /// `cards`: looping over `pages` to print each card's markup took Tera 97 ms of
    /// processor time for the 67,525 cards on the generated playbook's 59 lists.
    pub fn to_value(&self, values: &CardValues, ids: &[PageId]) -> tera::Value {
        let pages: Vec<tera::Value> = ids
            .iter()
            .filter_map(|&id| values.values[id].clone())
            .collect();
        let cards = values.joined_markup(ids, self.kind.is_none());
        let mut map = tera::Value::from_serializable(self)
            .into_map()
            .unwrap_or_default();
        map.insert("pages".into(), tera::Value::from(pages));
        map.insert("cards".into(), tera::Value::safe_string(&cards));
        tera::Value::from(map)
    }
}

fn facets(cards: &[&Card<'_>], with_difficulty: bool) -> Vec<Facet> {
    let count = |values: &mut dyn Iterator<Item = (String, String)>| {
        let mut map: BTreeMap<String, (String, usize)> = BTreeMap::new();
        for (value, label) in values {
            map.entry(value).or_insert((label, 0)).1 += 1;
        }
        let mut v: Vec<FacetValue> = map
            .into_iter()
            .map(|(value, (label, count))| FacetValue {
                value,
                label,
                count,
            })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
        v
    };
    let mut out = vec![
        Facet {
            name: "role",
            label: "Role",
            values: count(
                &mut cards
                    .iter()
                    .flat_map(|c| c.roles.iter().map(|r| (r.to_string(), r.to_string()))),
            ),
        },
        Facet {
            name: "event",
            label: "Event",
            values: count(
                &mut cards
                    .iter()
                    .flat_map(|c| c.events.iter().map(|r| (r.to_string(), r.to_string()))),
            ),
        },
        Facet {
            name: "tag",
            label: "Tag",
            values: count(
                &mut cards
                    .iter()
                    .flat_map(|c| c.tags.iter().map(|t| (slugify(t), t.to_string()))),
            ),
        },
    ];
    if with_difficulty {
        out.push(Facet {
            name: "difficulty",
            label: "Difficulty",
            values: count(&mut cards.iter().filter_map(|c| {
                c.difficulty.map(|d| {
                    let s = difficulty_name(d);
                    (s.to_string(), s.to_string())
                })
            })),
        });
    }
    out.retain(|f| !f.values.is_empty());
    out
}

/// A difficulty as the front matter and the filters write it.
pub(super) fn difficulty_name(d: Difficulty) -> &'static str {
    match d {
        Difficulty::Easy => "easy",
        Difficulty::Moderate => "moderate",
        Difficulty::Hard => "hard",
    }
}

/// A page as a card.
pub fn card<'a>(site: &'a Site, views: &Views<'a>, id: PageId) -> Card<'a> {
    let p = &site.pages[id];
    let names = |l: &'a [toml::Spanned<String>]| {
        l.iter()
            .map(|s| s.get_ref().trim())
            .collect::<Vec<&'a str>>()
    };
    let tags = names(&p.fm.tags);
    let roles = names(&p.fm.roles);
    let events = names(&p.fm.events);
    let tag_slugs: Vec<String> = tags.iter().map(|t| slugify(t)).collect();
    Card {
        link: views.link(id),
        filter: CardFilter {
            role: roles.join(" "),
            event: events.join(" "),
            tag: tag_slugs.join(" "),
        },
        roles,
        events,
        tag_slugs,
        tags,
        difficulty: p.fm.difficulty,
        duration: p.fm.duration.as_deref(),
        minutes: p.fm.duration.as_deref().and_then(minutes_range),
        when: p.fm.when.as_deref(),
        instead_of: p.fm.instead_of.as_deref(),
        follow_ups: &p.fm.follow_ups,
    }
}

/// Reads a minutes range from a free-text duration: "60–90 min" → (60, 90),
/// "1 hour" → (60, 60), "1.5 h" → (90, 90), "45-60 minutes" → (45, 60). Text without a
/// number and a time unit ("3 sprints", "half a day") gives `None`: a duration is never an
/// error, it is just not filterable.
pub fn minutes_range(s: &str) -> Option<(u32, u32)> {
    let lower = s.to_lowercase();
    let unit_at = |rest: &str| -> Option<u32> {
        let r = rest.trim_start();
        if r.starts_with("min") || r.starts_with("m ") || r == "m" || r.starts_with("'") {
            Some(1)
        } else if r.starts_with("hour") || r.starts_with("hr") || r.starts_with('h') {
            Some(60)
        } else {
            None
        }
    };
    // Collect numbers with their end positions.
    let mut nums: Vec<(f64, usize)> = Vec::new();
    let bytes = lower.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            if let Ok(n) = lower[start..i].trim_end_matches('.').parse::<f64>() {
                nums.push((n, i));
            }
        } else {
            i += 1;
        }
    }
    let (&(first, _), &(last, last_end)) = (nums.first()?, nums.last()?);
    let factor = unit_at(&lower[last_end..])?;
    let lo = (first * factor as f64).round() as u32;
    let hi = (last * factor as f64).round() as u32;
    Some((lo.min(hi), lo.max(hi)))
}

#[cfg(test)]
mod tests {
    use super::{Card, CardFilter, PageLink, minutes_range};
    use crate::content::{Difficulty, Kind};

    #[test]
    fn a_card_is_one_flat_map_with_its_links_fields_beside_its_own() {
        let follow_ups = vec!["And then?".to_string()];
        let card = Card {
            link: PageLink {
                kind: Kind::Tool,
                title: "Story Mapping",
                url: "/playbook/tools/story-mapping/".into(),
                summary: Some("Lay out the journey"),
                purpose: None,
            },
            roles: vec!["product owner"],
            events: vec![],
            tags: vec!["Discovery Work"],
            tag_slugs: vec!["discovery-work".into()],
            filter: CardFilter {
                role: "product owner".into(),
                event: String::new(),
                tag: "discovery-work".into(),
            },
            difficulty: Some(Difficulty::Easy),
            duration: Some("60–90 min"),
            minutes: Some((60, 90)),
            when: None,
            instead_of: None,
            follow_ups: &follow_ups,
        };
        let value = tera::Value::from_serializable(&card);
        let map = value.as_map().expect("a card is a map");
        let mut keys: Vec<String> = map.keys().map(|k| k.to_string()).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "difficulty",
                "duration",
                "events",
                "filter",
                "follow_ups",
                "instead_of",
                "kind",
                "minutes",
                "purpose",
                "roles",
                "summary",
                "tag_slugs",
                "tags",
                "title",
                "url",
                "when"
            ]
        );
        let get = |path: &str| value.get_from_path(path).map(|v| v.to_string());
        assert_eq!(get("title").as_deref(), Some("Story Mapping"));
        assert_eq!(get("kind").as_deref(), Some("tool"));
        assert_eq!(get("filter.tag").as_deref(), Some("discovery-work"));
        assert_eq!(get("difficulty").as_deref(), Some("easy"));
        assert!(map.values().all(|v| !v.is_undefined()));
    }

    #[test]
    fn reads_minutes_from_free_text_durations() {
        assert_eq!(minutes_range("60–90 min"), Some((60, 90)));
        assert_eq!(minutes_range("45-60 minutes"), Some((45, 60)));
        assert_eq!(minutes_range("1 hour"), Some((60, 60)));
        assert_eq!(minutes_range("1.5 h"), Some((90, 90)));
        assert_eq!(minutes_range("2–3 hours"), Some((120, 180)));
        assert_eq!(minutes_range("30 min per person"), Some((30, 30)));
        assert_eq!(minutes_range("3 sprints"), None);
        assert_eq!(minutes_range("half a day"), None);
    }
}
