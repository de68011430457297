//! The six kinds of page and the front matter keys each accepts.

use serde::Serialize;
use std::fmt;

/// What a page is; it comes from the folder the file sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A coaching question (`content/prompts/`).
    Prompt,
    /// A practice or workshop format (`content/tools/`).
    Tool,
    /// A lesson drawn from stories (`content/takeaways/`).
    Takeaway,
    /// A case story (`content/stories/`).
    Story,
    /// An ordered path through other pages (`content/playbooks/`).
    Playbook,
    /// A free page (any other folder).
    Page,
}

/// Keys every kind accepts.
pub const COMMON_KEYS: &[&str] = &[
    "title", "summary", "tags", "roles", "events", "authors", "source", "aliases", "date", "draft",
    "weight", "related", "slug", "kind", "extra",
];

impl Kind {
    /// The kinds that have a folder of their own, in the order the site lists them.
    /// Every kind, in display order: the kinds with a folder, then free pages.
    pub const ALL: [Kind; 6] = [
        Kind::Prompt,
        Kind::Tool,
        Kind::Story,
        Kind::Takeaway,
        Kind::Playbook,
        Kind::Page,
    ];

    pub const WITH_FOLDER: [Kind; 5] = [
        Kind::Prompt,
        Kind::Tool,
        Kind::Story,
        Kind::Takeaway,
        Kind::Playbook,
    ];

    /// The singular name used in front matter (`kind = "prompt"`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Prompt => "prompt",
            Kind::Tool => "tool",
            Kind::Takeaway => "takeaway",
            Kind::Story => "story",
            Kind::Playbook => "playbook",
            Kind::Page => "page",
        }
    }

    /// The folder under `content/` (and the URL segment) of this kind, if it has one.
    pub fn folder(self) -> Option<&'static str> {
        match self {
            Kind::Prompt => Some("prompts"),
            Kind::Tool => Some("tools"),
            Kind::Takeaway => Some("takeaways"),
            Kind::Story => Some("stories"),
            Kind::Playbook => Some("playbooks"),
            Kind::Page => None,
        }
    }

    /// The kind's name in the plural, for messages: `stories`, `pages`.
    pub fn plural(self) -> &'static str {
        self.folder().unwrap_or("pages")
    }

    /// The heading of this kind's index page.
    pub fn plural_label(self) -> &'static str {
        match self {
            Kind::Prompt => "Prompts",
            Kind::Tool => "Tools",
            Kind::Takeaway => "Takeaways",
            Kind::Story => "Stories",
            Kind::Playbook => "Playbooks",
            Kind::Page => "Pages",
        }
    }

    /// The kind whose folder is `folder`, if any.
    pub fn from_folder(folder: &str) -> Option<Kind> {
        Kind::WITH_FOLDER
            .into_iter()
            .find(|k| k.folder() == Some(folder))
    }

    /// The kind named `name` in front matter, if any.
    pub fn from_name(name: &str) -> Option<Kind> {
        [
            Kind::Prompt,
            Kind::Tool,
            Kind::Takeaway,
            Kind::Story,
            Kind::Playbook,
            Kind::Page,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }

    /// Keys only this kind accepts, beyond [`COMMON_KEYS`].
    pub fn own_keys(self) -> &'static [&'static str] {
        match self {
            Kind::Prompt => &["purpose", "when", "instead_of", "follow_ups", "tools"],
            Kind::Tool => &[
                "purpose",
                "duration",
                "prep",
                "group_size",
                "difficulty",
                "formats",
                "participants",
                "materials",
                "prompts",
            ],
            Kind::Takeaway => &["stories", "quote", "quote_by"],
            Kind::Story => &[
                "context",
                "intervention",
                "duration",
                "prompts",
                "tools",
                "outcomes",
            ],
            Kind::Playbook => &["steps"],
            Kind::Page => &[],
        }
    }

    /// Keys this kind requires beyond `title`.
    pub fn required_keys(self) -> &'static [&'static str] {
        match self {
            Kind::Prompt | Kind::Tool => &["purpose"],
            Kind::Story => &["context"],
            Kind::Playbook => &["steps"],
            Kind::Takeaway | Kind::Page => &[],
        }
    }

    /// Returns true if and only if this kind accepts `key` in its front matter.
    pub fn accepts(self, key: &str) -> bool {
        COMMON_KEYS.contains(&key) || self.own_keys().contains(&key)
    }

    /// The kinds that accept `key`, for "belongs to tools and stories" hints.
    pub fn kinds_accepting(key: &str) -> Vec<Kind> {
        Kind::WITH_FOLDER
            .into_iter()
            .filter(|k| k.own_keys().contains(&key))
            .collect()
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_and_name_round_trip() {
        for k in Kind::WITH_FOLDER {
            assert_eq!(Kind::from_folder(k.folder().unwrap()), Some(k));
            assert_eq!(Kind::from_name(k.name()), Some(k));
        }
        assert_eq!(Kind::from_folder("about"), None);
    }

    #[test]
    fn keys_are_per_kind() {
        assert!(Kind::Tool.accepts("difficulty"));
        assert!(!Kind::Prompt.accepts("difficulty"));
        assert_eq!(
            Kind::kinds_accepting("duration"),
            vec![Kind::Tool, Kind::Story]
        );
    }
}
