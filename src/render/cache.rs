//! The preview server's render cache: what the last build rendered, keyed by a
//! fingerprint of everything that went into it. A rebuild renders again only the
//! Markdown whose text or link targets changed and the pages whose view data, body or
//! theme changed — an edited page and the pages that show it — and reuses the rest.

use crate::diagnostic::Diagnostic;
use crate::markdown::Rendered;
use serde::Serialize;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// What the last build rendered, for the next one.
#[derive(Debug, Default)]
pub struct RenderCache {
    /// Markdown by path under `content/`: fingerprint, result, its diagnostics.
    pub(crate) markdown: HashMap<String, (u64, Rendered, Vec<Diagnostic>)>,
    /// Rendered files by output path: fingerprint, bytes.
    pub(crate) files: HashMap<String, (u64, Arc<Vec<u8>>)>,
    /// Files rendered in the last build.
    pub rendered: usize,
    /// Files reused from the build before.
    pub reused: usize,
    /// What the last successful build leaves for a body-only update.
    pub(crate) incremental: Option<super::Incremental>,
    /// The last successful build's site, theme and warnings.
    pub(crate) last: Option<LastSite>,
}

/// The last successful build's site, kept by `serve` so an edit of a page's body needs
/// neither a scan of `content/` nor a new site.
pub(crate) struct LastSite {
    pub(crate) site: crate::site::Site,
    pub(crate) theme: super::Theme,
    pub(crate) warnings: Vec<Diagnostic>,
}

impl std::fmt::Debug for LastSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LastSite")
            .field("pages", &self.site.pages.len())
            .finish_non_exhaustive()
    }
}

/// A hasher that serde can write into, so a view is fingerprinted without building
/// its JSON text.
struct HashWriter(std::collections::hash_map::DefaultHasher);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A fingerprint of any serialisable value.
pub fn fingerprint<T: Serialize + ?Sized>(value: &T) -> u64 {
    let mut w = HashWriter(Default::default());
    // Serialising into a hasher cannot fail for the views used here; a failure would
    // only make the fingerprint less precise, never wrong in the unsafe direction,
    // because the salt below differs.
    if serde_json::to_writer(&mut w, value).is_err() {
        0xdead_beefu64.hash(&mut w.0);
    }
    w.0.finish()
}

/// A fingerprint of several hashable parts.
pub fn combine<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}
