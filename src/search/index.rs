//! The inverted index: every page's terms counted field by field, scored BM25F-style,
//! each term's postings capped at its best pages and quantised to one character.

use super::SearchDoc;
use super::files::typo_eligible;
use super::text::{
    KEY_BYTES, Key, Token, bigrams, key_of, key_text, stemmable, stemmer_for, tokenize,
};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// Weighted fields, in order: title; summary and purpose; headings; structured fields
/// with tags, roles and events; body.
pub(crate) const FIELDS: usize = 5;
/// How much a word counts in each field (SEARCH.md: title ×6, summary ×2, headings
/// ×2.5, body ×1; structured fields in between).
pub(crate) const WEIGHT: [f32; FIELDS] = [6.0, 2.0, 2.5, 1.5, 1.0];
/// BM25F length normalisation per field.
pub(crate) const B: [f32; FIELDS] = [0.3, 0.5, 0.5, 0.5, 0.75];
/// BM25 term-frequency saturation.
pub(crate) const K1: f32 = 1.2;
/// Added to the saturated score (in units of idf) when the term is in the title.
pub(crate) const TITLE_BONUS: f32 = 0.6;
/// Added when it is in the summary or purpose (and not the title).
pub(crate) const SUMMARY_BONUS: f32 = 0.25;
/// Each term keeps its best pages only (SEARCH.md: 1,000 keeps "source page in the top
/// 10" at ~78 %; 300 drops it to 63–70 %).
pub(crate) const CAP: usize = 1000;
/// A title pair keeps fewer pages than a word: one held by more titles than this ties
/// too many pages to tell the one sought, and the browser lifts those it kept instead
/// of ranking by it (search.js `PAIR_LIFT`).
pub(crate) const PAIR_CAP: usize = 100;
/// Impact levels per doubling of the score: level = 63 + 8·log2(score / best score).
pub(crate) const LEVELS_PER_OCTAVE: f32 = 8.0;
/// Joins the two terms of a title pair ([`title_pairs`]): not a word character, so no
/// term holds it, and below every letter and digit, so a term's pairs sort right after
/// it, in its postings file.
pub(crate) const PAIR_JOIN: char = '!';

/// One term of the index.
#[derive(Debug, Clone)]
pub(crate) struct Term {
    /// The term as the browser asks for it (folded, stemmed, or a CJK bigram).
    pub text: Arc<str>,
    /// Pages that hold it (before the cap).
    pub df: u32,
    /// Its best impact level.
    pub max_impact: u8,
    /// Its pages, by page id, at most [`CAP`].
    pub postings: Vec<Posting>,
    /// The words as written (folded) that stem to it, for typo lists (none for a pair).
    pub surface: Vec<Box<str>>,
}

/// One page of a term's postings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Posting {
    /// The page id.
    pub page: u32,
    /// The impact level, 1–63.
    pub level: u8,
}

/// A word's (or term's) counts on one page, field by field.
///
/// Six bytes, as a page holds hundreds of words and the index keeps every page's
/// twice (counted, then sorted by term): the short fields count to 255, which no
/// score needs more of (BM25 saturates long before), and the body to 65,535.
#[derive(Debug, Clone, Copy, Default)]
struct Hits {
    /// Title, summary and purpose, headings, structured fields.
    few: [u8; FIELDS - 1],
    body: u16,
}

const _: () = assert!(std::mem::size_of::<Hits>() == 6);

impl Hits {
    /// The count in field `f`.
    #[inline(always)]
    fn n(&self, f: usize) -> u16 {
        if f == FIELDS - 1 {
            self.body
        } else {
            u16::from(self.few[f])
        }
    }

    /// Counts one more in field `f`.
    #[inline(always)]
    fn add(&mut self, f: usize) {
        if f == FIELDS - 1 {
            self.body = self.body.saturating_add(1);
        } else {
            self.few[f] = self.few[f].saturating_add(1);
        }
    }

    /// Whether no field counts anything.
    #[inline(always)]
    fn is_empty(&self) -> bool {
        u32::from_ne_bytes(self.few) == 0 && self.body == 0
    }

    /// Adds the hits of another word of the page with the same stem.
    fn merge(&mut self, other: &Hits) {
        for f in 0..FIELDS - 1 {
            self.few[f] = self.few[f].saturating_add(other.few[f]);
        }
        self.body = self.body.saturating_add(other.body);
    }
}

/// A fast, fixed-seed hash map: the index hashes millions of short words, where
/// SipHash's flooding resistance buys nothing and a fixed seed keeps builds
/// reproducible.
type FxMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// A page's field lengths, and its terms with a count per field.
type PageTerms = ([u32; FIELDS], Vec<WordHits>);

/// A word id and its hits on a page, in ten bytes: the id as two halves, so that it
/// needs no more alignment than the hits (a `u32` padded the pair to twelve), for the 3
/// million a 10,000-page index writes once and reads once.
#[derive(Debug, Clone, Copy)]
struct WordHits {
    word: [u16; 2],
    hits: Hits,
}

const _: () = assert!(std::mem::size_of::<WordHits>() == 10);

impl WordHits {
    /// Word `word`'s hits.
    fn new(word: u32, hits: Hits) -> WordHits {
        WordHits {
            word: [word as u16, (word >> 16) as u16],
            hits,
        }
    }

    /// The word id.
    fn word(&self) -> u32 {
        u32::from(self.word[0]) | (u32::from(self.word[1]) << 16)
    }
}

/// A page of a term's postings, scored: page id, score.
type ScoredPage = (u32, f32);

/// A term's text, df, scored postings and surface forms, before quantising.
type Scored = (Arc<str>, u32, Vec<ScoredPage>, Vec<Box<str>>);

/// Pages analysed together: the words they hold (folded, not yet stemmed) and each
/// page's words as indexes into them with a count per field.
struct Chunk {
    words: Words,
    /// How many of the chunk's pages hold each word, by id.
    df: Vec<u32>,
    docs: Vec<PageTerms>,
    /// Each page's title as word ids, in order, end to end.
    titles: Vec<u32>,
    /// Where each page's title ends in `titles`.
    title_ends: Vec<u32>,
}

/// Analyses `docs` with a vocabulary of their own (no locks, no shared maps). Words are
/// stemmed later, once each for the whole index: a stemmer call costs as much as
/// thousands of hash lookups, and every chunk sees most of the vocabulary.
fn analyze_chunk(docs: &[&SearchDoc<'_>]) -> Chunk {
    let mut vocab = ChunkVocab::new();
    let mut out = Vec::with_capacity(docs.len());
    let mut joined = String::new();
    let mut title_ends = Vec::with_capacity(docs.len());
    for (i, doc) in docs.iter().enumerate() {
        prefetch_ahead(&docs[i + 1..]);
        let mut lens = [0u32; FIELDS];
        count_field::<0>(&mut vocab, &mut lens, doc.title);
        title_ends.push(vocab.title.len() as u32);
        // Pages often repeat the summary as purpose; count it once.
        let purpose = doc.purpose.filter(|&p| Some(p) != doc.summary);
        let summary = lines(&mut joined, doc.summary.into_iter().chain(purpose));
        count_field::<1>(&mut vocab, &mut lens, summary);
        let headings = lines(&mut joined, doc.headings.iter().copied());
        count_field::<2>(&mut vocab, &mut lens, headings);
        let fields = doc.fields.iter().chain(&doc.tags).chain(&doc.roles);
        let fields = lines(&mut joined, fields.chain(&doc.events).copied());
        count_field::<3>(&mut vocab, &mut lens, fields);
        count_field::<4>(&mut vocab, &mut lens, doc.body);
        let (counts, df) = (&mut vocab.list.counts, &mut vocab.list.df);
        let terms: Vec<WordHits> = vocab.list.touched[..vocab.n_touched]
            .iter()
            .map(|&id| {
                df[id as usize] += 1;
                WordHits::new(id, std::mem::take(&mut counts[id as usize]))
            })
            .collect();
        vocab.n_touched = 0;
        out.push((lens, terms));
    }
    Chunk {
        words: vocab.list.words,
        df: vocab.list.df,
        docs: out,
        titles: vocab.title,
        title_ends,
    }
}

/// Asks the processor to start loading what the analysis of the next pages reads first:
/// the page three ahead, the lists of strings of the page two ahead, and the strings of
/// the next. A page's title, headings and fields lie scattered in memory, out of cache
/// since they were parsed, and the analysis reads them one after another, waiting for
/// each: fetched ahead, 10,000 pages are analysed about 2 ms sooner (of 42 ms, on the
/// generated playbook and on the man pages alike).
#[inline(always)]
fn prefetch_ahead(next: &[&SearchDoc<'_>]) {
    if let Some(&doc) = next.get(2) {
        let at: *const u8 = std::ptr::from_ref(doc).cast();
        for line in (0..std::mem::size_of::<SearchDoc<'_>>()).step_by(64) {
            prefetch(at.wrapping_add(line));
        }
    }
    if let Some(doc) = next.get(1) {
        for list in [
            &doc.fields,
            &doc.headings,
            &doc.tags,
            &doc.roles,
            &doc.events,
        ] {
            prefetch(list.as_ptr().cast());
        }
    }
    if let Some(doc) = next.first() {
        let short = [doc.title]
            .into_iter()
            .chain(doc.summary)
            .chain(doc.purpose);
        let lists = doc.fields.iter().chain(&doc.headings).chain(&doc.tags);
        for s in short.chain(lists.chain(&doc.roles).chain(&doc.events).copied()) {
            prefetch(s.as_ptr());
        }
        prefetch(doc.body.as_ptr());
    }
}

/// Starts loading the cache line at `at` (x86-64 only; elsewhere it does nothing).
#[inline(always)]
fn prefetch(at: *const u8) {
    // SAFETY: a prefetch is a hint: it reads nothing the program sees and faults on no
    // address, valid or not; SSE, which it needs, is part of x86-64.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(at.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

/// Counts the words of `text` in field `F` of the page being analysed. The field is a
/// constant, so the tokenizer's loop is compiled once a field, with no test of which
/// field it counts in at each word. Small enough to be inlined into that loop: the rare
/// CJK runs are counted out of line.
fn count_field<const F: usize>(vocab: &mut ChunkVocab, lens: &mut [u32; FIELDS], text: &str) {
    tokenize(
        text,
        #[inline(always)]
        |t| match t {
            Token::Ascii(key) => {
                let id = vocab
                    .keyed
                    .id(key, || vocab.list.add(key_text(key, &mut [0; KEY_BYTES])));
                vocab.count(id, F, lens);
            }
            Token::Word(w, key) => {
                let id = vocab.id(w, key);
                vocab.count(id, F, lens);
            }
            Token::Cjk(run) => vocab.count_bigrams(run, F, lens),
        },
    );
}

/// `strings` in `buf`, a line each, for the tokenizer to read as one text: no word spans
/// a line, so the tokens are the same, and a page's 20 or so short strings (headings,
/// structured fields) cost one start of the tokenizer a field instead of one each, which
/// was a quarter of the generated pages' analysis.
fn lines<'b, 's>(buf: &'b mut String, strings: impl Iterator<Item = &'s str>) -> &'b str {
    buf.clear();
    for s in strings {
        buf.push_str(s);
        buf.push('\n');
    }
    buf
}

/// A chunk's own vocabulary, and the counts of the page being analysed.
struct ChunkVocab {
    /// Words of up to 16 bytes (nearly all) by their [`Key`].
    keyed: Slots,
    /// Longer words by their text.
    longer: FxMap<Box<str>, u32>,
    /// The words and the current page's counts, by id.
    list: WordList,
    /// How many entries of `list.touched` the current page holds.
    n_touched: usize,
    /// The titles' words, in order, page after page.
    title: Vec<u32>,
}

/// Words laid end to end in one string: one allocation for a chunk's vocabulary, not
/// one a word (the 10,000 man pages' 8 chunks held 137,000 words, each made on some
/// core and freed one by one on one core at the end).
#[derive(Default)]
struct Words {
    text: String,
    /// Where each word ends in `text`.
    ends: Vec<u32>,
}

impl Words {
    /// Adds `word`.
    fn push(&mut self, word: &str) {
        self.text.push_str(word);
        self.ends.push(self.text.len() as u32);
    }

    /// How many words there are.
    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The words, by id.
    fn iter(&self) -> impl Iterator<Item = &str> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let word = &self.text[start..end as usize];
            start = end as usize;
            word
        })
    }
}

/// A chunk's words by id, with what the current page holds of each.
struct WordList {
    /// Words by id.
    words: Words,
    /// The current page's hits of each word.
    counts: Vec<Hits>,
    /// How many pages so far hold each word: where its postings go is known without
    /// reading them all once more (see [`sort_by_term`]).
    df: Vec<u32>,
    /// The words the current page holds, in the order first seen: the first
    /// `n_touched`. It has one entry more than the vocabulary has words, so a word is
    /// written at the end every time and kept or not by how `n_touched` grows: a
    /// branch on whether the page held the word before would be taken at random.
    touched: Vec<u32>,
}

impl WordList {
    /// A new word's id.
    #[cold]
    fn add(&mut self, word: &str) -> u32 {
        self.words.push(word);
        self.counts.push(Hits::default());
        self.df.push(0);
        self.touched.push(0);
        (self.words.len() - 1) as u32
    }
}

/// Word ids by key in one flat table, probed in line: most words are found in the
/// first slot they hash to, with two compares of integers and no string hashing. It
/// never holds more than half its slots, so probes stay short.
struct Slots {
    /// Each slot's key, halves apart (16 bytes of alignment would make a slot 32
    /// bytes), and word id. A key of 0 marks an empty slot: no word has it.
    slots: Vec<([u64; 2], u32)>,
    /// Words held.
    len: usize,
    /// 64 − log2(slots): how far a hash is shifted to give a slot.
    shift: u32,
}

impl Slots {
    /// A table of `slots` slots (a power of two).
    fn with_slots(slots: usize) -> Slots {
        Slots {
            slots: vec![([0, 0], 0); slots],
            len: 0,
            shift: 64 - slots.trailing_zeros(),
        }
    }

    /// Where `key` is, or would go.
    #[inline(always)]
    fn find(&self, key: [u64; 2]) -> usize {
        let mask = self.slots.len() - 1;
        // Fibonacci hashing: the top bits of the key times 2^64 / φ. The second half
        // is 0 for words of up to 8 bytes, most of them.
        let bits = key[0] ^ key[1].rotate_left(29);
        let mut i = (bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize;
        loop {
            let k = self.slots[i].0;
            if k == key || k == [0, 0] {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /// The id of `key`, or a new one from `add` for a word not seen before.
    #[inline(always)]
    fn id(&mut self, key: Key, add: impl FnOnce() -> u32) -> u32 {
        let key = [key as u64, (key >> 64) as u64];
        let i = self.find(key);
        let (k, id) = self.slots[i];
        if k == key {
            return id;
        }
        self.insert(i, key, add())
    }

    /// Puts `key` with `id` at slot `i` (found empty), growing the table when it is
    /// half full.
    #[cold]
    fn insert(&mut self, i: usize, key: [u64; 2], id: u32) -> u32 {
        self.slots[i] = (key, id);
        self.len += 1;
        if 2 * self.len > self.slots.len() {
            let old = std::mem::replace(self, Slots::with_slots(2 * self.slots.len()));
            for (k, id) in old.slots {
                if k != [0, 0] {
                    let at = self.find(k);
                    self.slots[at] = (k, id);
                }
            }
            self.len = old.len;
        }
        id
    }
}

/// A chunk's first table of words: a page of text fits without growing it.
const SLOTS: usize = 4096;

impl ChunkVocab {
    /// An empty vocabulary.
    fn new() -> ChunkVocab {
        ChunkVocab {
            keyed: Slots::with_slots(SLOTS),
            longer: FxMap::default(),
            list: WordList {
                words: Words::default(),
                counts: Vec::new(),
                df: Vec::new(),
                touched: vec![0],
            },
            n_touched: 0,
            title: Vec::new(),
        }
    }

    /// The id of `word` (lower-cased and folded), with its [`Key`] if it has one.
    #[inline(always)]
    fn id(&mut self, word: &str, key: Option<Key>) -> u32 {
        match key {
            Some(key) => self.keyed.id(key, || self.list.add(word)),
            None => self.longer_id(word),
        }
    }

    /// Counts one occurrence of word `id` in `field`; `lens` holds the page's field
    /// lengths so far. A title's words are kept in order, for [`title_pairs`].
    #[inline(always)]
    fn count(&mut self, id: u32, field: usize, lens: &mut [u32; FIELDS]) {
        let c = &mut self.list.counts[id as usize];
        self.list.touched[self.n_touched] = id;
        self.n_touched += usize::from(c.is_empty());
        if field == 0 {
            self.title.push(id);
        }
        c.add(field);
        lens[field] += 1;
    }

    /// Counts the bigrams of a CJK run, as [`ChunkVocab::count`] counts a word.
    #[inline(never)]
    fn count_bigrams(&mut self, run: &str, field: usize, lens: &mut [u32; FIELDS]) {
        bigrams(run, |b| {
            let id = self.id(b, key_of(b));
            self.count(id, field, lens);
        });
    }

    /// The id of a word of more than 16 bytes, from the map.
    fn longer_id(&mut self, word: &str) -> u32 {
        match self.longer.get(word) {
            Some(&id) => id,
            None => {
                let id = self.list.add(word);
                self.longer.insert(word.into(), id);
                id
            }
        }
    }
}

/// A chunk's analysed pages ready to merge: its first page id, its pages, its word ids →
/// term ids, and how many of its pages hold each word.
type ChunkPages<'m> = (u32, Vec<PageTerms>, &'m [u32], &'m [u32]);

/// The postings of a group of consecutive pages, sorted by term.
struct TermSorted {
    /// Where each term's postings start in `postings`.
    starts: Vec<u32>,
    /// Where they end: before the next term's start when two words of a page with one
    /// stem made one posting, and the gap is left (closing it copied every posting).
    ends: Vec<u32>,
    /// (page id − `first`, hits), by term, then page: eight bytes, where a whole page
    /// id made it twelve, and every posting is written here once and read once.
    postings: Vec<(u16, Hits)>,
    /// The group's first page id.
    first: u32,
    /// Field lengths of the group's pages, in page order.
    lens: Vec<[u32; FIELDS]>,
}

/// The most pages a group of [`TermSorted`] holds: its page ids are offsets of 16 bits.
const GROUP_PAGES: usize = 1 << 16;

const _: () = assert!(std::mem::size_of::<(u16, Hits)>() == 8);

impl TermSorted {
    /// The group's postings of term `t`, by page: (page id, hits).
    fn postings(&self, t: usize) -> impl Iterator<Item = (u32, &Hits)> {
        self.postings[self.starts[t] as usize..self.ends[t] as usize]
            .iter()
            .map(|(p, h)| (self.first + u32::from(*p), h))
    }

    /// How many of the group's pages hold term `t`.
    fn df(&self, t: usize) -> u32 {
        self.ends[t] - self.starts[t]
    }
}

/// Where each of `groups` groups starts when items are laid out group by group, from
/// each item's group and how many items it stands for: the first half of a counting
/// sort. One entry more than groups, the last the number of items.
fn group_starts(items: impl Iterator<Item = (u32, u32)>, groups: usize) -> Vec<u32> {
    let mut starts = vec![0u32; groups + 1];
    for (g, n) in items {
        starts[g as usize + 1] += n;
    }
    for g in 0..groups {
        starts[g + 1] += starts[g];
    }
    starts
}

/// How many pages a chunk of analysis takes, and how many consecutive chunks make a
/// group of postings sorted by term, for `pages` pages on `threads` cores.
///
/// Four chunks a core: enough for the cores to finish together, and few, since each
/// chunk learns most of the vocabulary again (64 chunks on 2 cores made the merge of
/// their words 2–3 times slower, at the same analysis time). At most eight groups, each
/// of at most [`GROUP_PAGES`] pages; where eight cannot hold them, as many as it takes.
fn chunking(pages: usize, threads: usize) -> (usize, usize) {
    let chunk_len = pages.div_ceil(4 * threads).clamp(16, GROUP_PAGES);
    let per_group = pages
        .div_ceil(chunk_len)
        .div_ceil(8)
        .clamp(1, GROUP_PAGES / chunk_len);
    (chunk_len, per_group)
}

/// Sorts the page terms of `chunks` by term; two words of a page with one stem make one
/// posting.
fn sort_by_term(chunks: Vec<ChunkPages<'_>>, terms: usize) -> TermSorted {
    // Where each term's postings start, from the pages each word is in: an upper bound
    // where a page has two words with one stem.
    let offsets = group_starts(
        chunks
            .iter()
            .flat_map(|(_, _, term_of, df)| term_of.iter().copied().zip(df.iter().copied())),
        terms,
    );
    let total = offsets[terms] as usize;
    let mut fill: Vec<u32> = offsets[..terms].to_vec();
    let mut postings = vec![(u16::MAX, Hits::default()); total];
    let mut lens = Vec::new();
    let group_first = chunks.first().map_or(0, |c| c.0);
    for (first, pages, term_of, _) in chunks {
        for (i, (l, words)) in pages.into_iter().enumerate() {
            let id = u16::try_from(first - group_first + i as u32)
                .expect("a group holds at most GROUP_PAGES pages (see `chunking`)");
            lens.push(l);
            for w in words {
                let t = term_of[w.word() as usize] as usize;
                let at = fill[t] as usize;
                // A second word of this page with the same stem: one posting.
                if at > offsets[t] as usize && postings[at - 1].0 == id {
                    postings[at - 1].1.merge(&w.hits);
                } else {
                    postings[at] = (id, w.hits);
                    fill[t] += 1;
                }
            }
        }
    }
    TermSorted {
        starts: offsets,
        ends: fill,
        postings,
        first: group_first,
        lens,
    }
}

/// Builds the terms of `docs` (page id = position), sorted by text.
pub(crate) fn build_terms(docs: &[&SearchDoc<'_>], language: &str) -> Vec<Term> {
    let timing = std::env::var_os("PLAYBOOK_SEARCH_TIMING").is_some();
    let t_start = std::time::Instant::now();
    let stemmer = stemmer_for(language).map(|(_, s)| s);
    let (chunk_len, per_group) = chunking(docs.len(), rayon::current_num_threads());
    let analysed: Vec<Chunk> = docs.par_chunks(chunk_len).map(analyze_chunk).collect();
    let mut chunk_words = Vec::with_capacity(analysed.len());
    let mut chunk_docs = Vec::with_capacity(analysed.len());
    let mut chunk_df = Vec::with_capacity(analysed.len());
    let mut chunk_titles = Vec::with_capacity(analysed.len());
    for c in analysed {
        chunk_words.push(c.words);
        chunk_docs.push(c.docs);
        chunk_df.push(c.df);
        chunk_titles.push((c.titles, c.title_ends));
    }
    let t_analyse = t_start.elapsed();

    // One vocabulary of words: chunk word ids → global word ids. Sized for every chunk
    // word at once (most are repeats): growing rehashed every word several times.
    let chunk_total: usize = chunk_words.iter().map(Words::len).sum();
    let mut global: FxMap<&str, u32> =
        FxMap::with_capacity_and_hasher(chunk_total, Default::default());
    let mut words: Vec<&str> = Vec::with_capacity(chunk_total);
    let mut maps: Vec<Vec<u32>> = chunk_words
        .iter()
        .map(|c| {
            c.iter()
                .map(|w| {
                    *global.entry(w).or_insert_with(|| {
                        words.push(w);
                        (words.len() - 1) as u32
                    })
                })
                .collect()
        })
        .collect();
    drop(global);
    let t_map = t_start.elapsed();
    // Each word stemmed once, on every core; then words → terms (two words with one
    // stem share a term).
    // Stems go into one string a batch of words, not one allocation a word.
    let stems: Vec<Words> = words
        .par_chunks(1024)
        .map(|batch| {
            let mut out = Words::default();
            for w in batch {
                match &stemmer {
                    Some(s) if stemmable(w) => out.push(&s.stem(w)),
                    _ => out.push(w),
                }
            }
            out
        })
        .collect();
    let mut by_term: FxMap<&str, u32> =
        FxMap::with_capacity_and_hasher(words.len(), Default::default());
    let mut texts: Vec<&str> = Vec::with_capacity(words.len());
    let term_of: Vec<u32> = stems
        .iter()
        .flat_map(Words::iter)
        .map(|t| {
            *by_term.entry(t).or_insert_with(|| {
                texts.push(t);
                (texts.len() - 1) as u32
            })
        })
        .collect();
    // Chunk word ids → terms, once a word, so that sorting looks up each posting's term
    // in one step.
    maps.par_iter_mut().for_each(|m| {
        for w in m {
            *w = term_of[*w as usize];
        }
    });
    let t_stem = t_start.elapsed();
    let mut first_pages = Vec::with_capacity(chunk_docs.len());
    let mut first_page = 0u32;
    for c in &chunk_docs {
        first_pages.push(first_page);
        first_page += c.len() as u32;
    }
    let pairs = title_pairs(&chunk_titles, &first_pages, &maps);
    drop(chunk_titles);
    // Postings by groups of consecutive chunks, on every core: each group sorts its
    // pages' postings by term (a counting sort), so a term's postings are its slices
    // of the groups in group order, which is page order. A group's page terms are
    // dropped as soon as it is sorted: the index never holds them twice.
    let mut inputs: Vec<Vec<ChunkPages<'_>>> = Vec::new();
    for (i, (((c, map), df), &first)) in chunk_docs
        .into_iter()
        .zip(&maps)
        .zip(&chunk_df)
        .zip(&first_pages)
        .enumerate()
    {
        if i % per_group == 0 {
            inputs.push(Vec::new());
        }
        inputs
            .last_mut()
            .unwrap()
            .push((first, c, map.as_slice(), df.as_slice()));
    }
    let groups: Vec<TermSorted> = inputs
        .into_par_iter()
        .map(|chunks| sort_by_term(chunks, texts.len()))
        .collect();
    let mut lens: Vec<[u32; FIELDS]> = Vec::with_capacity(docs.len());
    for g in &groups {
        lens.extend_from_slice(&g.lens);
    }
    let t_postings = t_start.elapsed();
    // The words of each term, in word order (a counting sort): each term's words as
    // written that typos may be corrected to are picked on every core below.
    let word_starts = group_starts(term_of.iter().map(|&t| (t, 1)), texts.len());
    let mut words_by_term = vec![0u32; words.len()];
    let mut next = word_starts.clone();
    for (w, &t) in term_of.iter().enumerate() {
        words_by_term[next[t as usize] as usize] = w as u32;
        next[t as usize] += 1;
    }
    if timing {
        let s = |d: std::time::Duration| d.as_secs_f64();
        eprintln!(
            "search: analyse {:.3} s, merge {:.3} s (words {:.3}, stems {:.3}, postings {:.3})",
            s(t_analyse),
            s(t_start.elapsed() - t_analyse),
            s(t_map - t_analyse),
            s(t_stem - t_map),
            s(t_postings - t_stem)
        );
    }

    let t_merged = t_start.elapsed();
    // Average length of each field over the pages that have it: a purpose is only
    // compared with other purposes, not with pages that have none.
    let n = lens.len().max(1) as f32;
    let mut avg = [0f32; FIELDS];
    let mut with = [0u32; FIELDS];
    for l in &lens {
        for f in 0..FIELDS {
            avg[f] += l[f] as f32;
            with[f] += u32::from(l[f] > 0);
        }
    }
    for f in 0..FIELDS {
        avg[f] /= with[f].max(1) as f32;
    }
    // Each field's weight over the page's length normalisation: what one occurrence of a
    // term adds to the page's tf. Divided once a page and field here, not once a
    // posting and field below, where five divisions were most of a posting's time.
    let weight_per_hit: Vec<[f32; FIELDS]> = lens
        .iter()
        .map(|l| {
            let mut out = [0f32; FIELDS];
            for f in 0..FIELDS {
                let norm = if avg[f] > 0.0 {
                    1.0 - B[f] + B[f] * l[f] as f32 / avg[f]
                } else {
                    1.0
                };
                out[f] = WEIGHT[f] / norm;
            }
            out
        })
        .collect();

    // Scores, then the best score of all, then levels. Each core scores a term's
    // pages into buffers of its own, reused from term to term, and keeps only the
    // capped postings.
    let scored: Vec<Scored> = texts
        .par_iter()
        .enumerate()
        .map_init(
            || (Vec::new(), Vec::new()),
            |(all, scores): &mut (Vec<ScoredPage>, Vec<f32>), (t, &text)| {
                let surface: Vec<Box<str>> = words_by_term
                    [word_starts[t] as usize..word_starts[t + 1] as usize]
                    .iter()
                    .map(|&w| words[w as usize])
                    .filter(|w| typo_eligible(w))
                    .map(Box::from)
                    .collect();
                let df = groups.iter().map(|g| g.df(t)).sum::<u32>();
                let idf = idf(n, df);
                all.clear();
                let score = |(id, h): (u32, &Hits)| {
                    let c: [u16; FIELDS] = std::array::from_fn(|f| h.n(f));
                    let w = &weight_per_hit[id as usize];
                    // Fields without the term add +0.0, which changes no sum: no branch
                    // on which fields a page has the term in.
                    let mut tf = 0f32;
                    for f in 0..FIELDS {
                        tf += f32::from(c[f]) * w[f];
                    }
                    // BM25F saturates: ×6 on the title alone cannot lift a title match
                    // above a page that repeats the word everywhere. A bonus outside the
                    // saturation keeps "title or purpose matches rank first" (issue 9).
                    let bonus = if c[0] > 0 {
                        TITLE_BONUS
                    } else if c[1] > 0 {
                        SUMMARY_BONUS
                    } else {
                        0.0
                    };
                    (id, idf * (tf / (K1 + tf) + bonus))
                };
                // Group by group: each group's postings are a slice, so the scores are
                // written with one reserve, not a test of room each.
                for g in &groups {
                    all.extend(g.postings(t).map(score));
                }
                (Arc::from(text), df, best_pages(all, scores, CAP), surface)
            },
        )
        .collect();
    // A pair is scored as a term of the title alone.
    let pair_scored: Vec<Scored> = pairs
        .runs
        .par_iter()
        .map_init(
            || (Vec::new(), Vec::new(), String::new()),
            |(all, scores, text): &mut (Vec<ScoredPage>, Vec<f32>, String), run| {
                let (a, b) = pairs.terms(run);
                text.clear();
                text.push_str(texts[a as usize]);
                text.push(PAIR_JOIN);
                text.push_str(texts[b as usize]);
                all.clear();
                // Pages in order, a page once for each time its title holds the pair.
                for &(_, page) in &pairs.list[run.clone()] {
                    match all.last_mut() {
                        Some((p, tf)) if *p == page => *tf += 1.0,
                        _ => all.push((page, 1.0)),
                    }
                }
                let df = all.len() as u32;
                let idf = idf(n, df);
                for (page, score) in all.iter_mut() {
                    let tf = *score * weight_per_hit[*page as usize][0];
                    *score = idf * (tf / (K1 + tf) + TITLE_BONUS);
                }
                (
                    Arc::from(text.as_str()),
                    df,
                    best_pages(all, scores, PAIR_CAP),
                    Vec::new(),
                )
            },
        )
        .collect();
    // Levels are relative to the best score: of all words' terms, and of all pairs,
    // which the browser only compares with other pairs (most are rarer than any word).
    let best_of = |scored: &[Scored]| {
        scored
            .par_iter()
            .flat_map_iter(|(_, _, s, _)| s.iter().map(|p| p.1))
            .reduce(|| 0f32, f32::max)
            .max(f32::MIN_POSITIVE)
    };
    let (levels, pair_levels) = (
        Levels::new(best_of(&scored)),
        Levels::new(best_of(&pair_scored)),
    );
    let t_scored = std::time::Instant::now();
    let mut terms: Vec<Term> = scored
        .into_par_iter()
        .map(|s| (s, &levels))
        .chain(pair_scored.into_par_iter().map(|s| (s, &pair_levels)))
        .map(|((text, df, s, surface), levels)| {
            // Into the scored pages' own allocation: a page and its level take as many
            // bytes as a page and its score.
            let postings: Vec<Posting> = s
                .into_iter()
                .map(|(page, v)| Posting {
                    page,
                    level: levels.of(v),
                })
                .collect();
            let max_impact = postings.iter().map(|p| p.level).max().unwrap_or(0);
            Term {
                text,
                df,
                max_impact,
                postings,
                surface,
            }
        })
        .collect();
    terms.par_sort_unstable_by(|a, b| a.text.cmp(&b.text));
    if timing {
        eprintln!(
            "search: score {:.3} s (of which quantise and sort {:.3} s)",
            (t_start.elapsed() - t_merged).as_secs_f64(),
            t_scored.elapsed().as_secs_f64()
        );
    }
    terms
}

/// BM25's inverse document frequency of a term held by `df` of `n` pages.
fn idf(n: f32, df: u32) -> f32 {
    (1.0 + (n - df as f32 + 0.5) / (df as f32 + 0.5)).ln()
}

/// The pairs of consecutive words in the pages' titles: (pair, page) by pair, then page,
/// and where each pair's run of them is.
struct TitlePairs {
    /// (first term << 32 | second term, page id), sorted.
    list: Vec<(u64, u32)>,
    /// Each pair's entries in `list`.
    runs: Vec<std::ops::Range<usize>>,
}

impl TitlePairs {
    /// The two terms of the pair whose entries are `run`.
    fn terms(&self, run: &std::ops::Range<usize>) -> (u32, u32) {
        let key = self.list[run.start].0;
        ((key >> 32) as u32, key as u32)
    }
}

/// Every pair of consecutive words of the pages' titles, as terms: "sprint review" of
/// "Sprint Review Checklist". With them the browser ranks a page whose title holds two
/// consecutive query words side by side and in order ("sprint review") above one that
/// holds them apart ("Review of the sprint"), and knows it even of a page cut from a
/// common word's postings ([`CAP`]), which word positions in the postings could not tell.
///
/// `titles` holds each chunk's titles as word ids end to end, and where each page's
/// ends; `first_pages`, each chunk's first page id; `maps`, its word ids → terms.
fn title_pairs(
    titles: &[(Vec<u32>, Vec<u32>)],
    first_pages: &[u32],
    maps: &[Vec<u32>],
) -> TitlePairs {
    let mut list: Vec<(u64, u32)> = titles
        .par_iter()
        .zip(first_pages)
        .zip(maps)
        .flat_map_iter(|(((words, ends), &first), map)| {
            let mut out = Vec::with_capacity(words.len());
            let mut start = 0usize;
            for (i, &end) in ends.iter().enumerate() {
                let title = &words[start..end as usize];
                for w in title.windows(2) {
                    let (a, b) = (map[w[0] as usize], map[w[1] as usize]);
                    out.push(((u64::from(a) << 32) | u64::from(b), first + i as u32));
                }
                start = end as usize;
            }
            out
        })
        .collect();
    list.par_sort_unstable();
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 1..=list.len() {
        if i == list.len() || list[i].0 != list[start].0 {
            runs.push(start..i);
            start = i;
        }
    }
    TitlePairs { list, runs }
}

/// The `cap` best of a term's scored pages (by score, then the lower page id), still
/// in page order; `scores` is room to work in.
///
/// The `cap`-th best score is found among the scores alone, and the pages kept in one
/// pass in page order: all above it, and as many of those equal to it as fit, lowest
/// ids first. Selecting the pages themselves and sorting them back into page order
/// cost a sort of a thousand postings for every common term.
fn best_pages(all: &[ScoredPage], scores: &mut Vec<f32>, cap: usize) -> Vec<ScoredPage> {
    if all.len() <= cap {
        return all.to_vec();
    }
    scores.clear();
    scores.extend(all.iter().map(|p| p.1));
    let (_, &mut last, _) = scores.select_nth_unstable_by(cap - 1, |a, b| b.total_cmp(a));
    let above = all.iter().filter(|p| p.1.total_cmp(&last).is_gt()).count();
    let mut ties = cap - above;
    let mut kept = Vec::with_capacity(cap);
    for p in all {
        let keep = match p.1.total_cmp(&last) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Equal if ties > 0 => {
                ties -= 1;
                true
            }
            _ => false,
        };
        if keep {
            kept.push(*p);
        }
    }
    kept
}

/// The impact level (1–63) of `score` against the best score of the index.
pub(crate) fn level(score: f32, best: f32) -> u8 {
    let l = 63.0 + LEVELS_PER_OCTAVE * (score / best).log2();
    l.round().clamp(1.0, 63.0) as u8
}

/// [`level`] against one best score, without a logarithm a posting: the least score
/// of each level, found once by bisection, then a score's level by six compares.
/// `level` only grows with the score, so the result is the same, bit for bit; the
/// logarithm and division were a third of quantising the generated playbook's 1.06
/// million postings.
struct Levels {
    /// The least score of each level from 1 (−∞ for 0 and 1: every score has level
    /// 1 or more).
    least: [f32; 64],
}

impl Levels {
    /// The levels against `best`.
    fn new(best: f32) -> Levels {
        let mut least = [f32::NEG_INFINITY; 64];
        for (l, least) in least.iter_mut().enumerate().skip(2) {
            // Positive floats order as their bits do: bisect the bits for the least
            // score of level `l` or more (f32::MAX has level 63).
            let (mut lo, mut hi) = (0u32, f32::MAX.to_bits());
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if usize::from(level(f32::from_bits(mid), best)) >= l {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            *least = f32::from_bits(lo);
        }
        Levels { least }
    }

    /// The level of `score` (positive).
    #[inline(always)]
    fn of(&self, score: f32) -> u8 {
        let mut l = 0;
        for step in [32, 16, 8, 4, 2, 1] {
            l += usize::from(self.least[l + step] <= score) * step;
        }
        l as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Kind;

    pub(crate) fn doc<'a>(
        title: &'a str,
        purpose: Option<&'a str>,
        body: &'a str,
    ) -> SearchDoc<'a> {
        SearchDoc {
            url: format!("/x/{}/", title.len()),
            kind: Kind::Prompt,
            title,
            summary: None,
            purpose,
            fields: vec![],
            headings: vec![],
            body,
            roles: vec![],
            events: vec![],
            tags: vec![],
        }
    }

    fn postings<'a>(terms: &'a [Term], t: &str) -> &'a [Posting] {
        &terms.iter().find(|x| &*x.text == t).expect(t).postings
    }

    #[test]
    fn counts_each_string_of_a_field_as_words_of_its_own() {
        // A field's strings are tokenized as one text: no word may run from one string
        // into the next, and each word counts in its own field once.
        let mut d = doc("Plan it", Some("Say why"), "body text");
        d.summary = Some("Say why");
        d.headings = vec!["Alpha beta", "gamma", "don'", "t stop"];
        d.fields = vec!["delta's", "日本"];
        d.tags = vec!["語 zeta"];
        d.roles = vec!["eta"];
        d.events = vec!["theta"];
        let chunk = analyze_chunk(&[&d]);
        let words: Vec<&str> = chunk.words.iter().collect();
        let (lens, counts) = &chunk.docs[0];
        let field_of = |w: &str| {
            let id = words.iter().position(|x| *x == w).expect(w) as u32;
            let hits = counts.iter().find(|w| w.word() == id).unwrap().hits;
            (0..FIELDS).map(|f| hits.n(f)).collect::<Vec<_>>()
        };
        assert_eq!(
            field_of("why"),
            [0, 1, 0, 0, 0],
            "summary = purpose, counted once"
        );
        assert_eq!(field_of("beta"), [0, 0, 1, 0, 0]);
        assert_eq!(field_of("gamma"), [0, 0, 1, 0, 0]);
        assert_eq!(field_of("don"), [0, 0, 1, 0, 0]);
        assert_eq!(field_of("t"), [0, 0, 1, 0, 0]);
        assert_eq!(field_of("deltas"), [0, 0, 0, 1, 0]);
        assert_eq!(field_of("日本"), [0, 0, 0, 1, 0]);
        assert_eq!(field_of("語"), [0, 0, 0, 1, 0]);
        assert_eq!(field_of("theta"), [0, 0, 0, 1, 0]);
        assert_eq!(*lens, [2, 2, 6, 6, 2]);
    }

    #[test]
    fn no_group_of_postings_holds_more_pages_than_its_offsets_can_name() {
        // Page ids within a group are 16-bit offsets.
        for threads in [1, 2, 3, 8, 64, 256] {
            for pages in [0, 1, 16, 17, 10_000, 65_536, 524_288, 524_289, 10_000_000] {
                let (chunk_len, per_group) = chunking(pages, threads);
                assert!(chunk_len * per_group <= GROUP_PAGES, "{pages} on {threads}");
                assert!(per_group >= 1 && chunk_len >= 16, "{pages} on {threads}");
                let groups = pages.div_ceil(chunk_len).div_ceil(per_group);
                // Eight groups, unless one more chunk would not fit in a group.
                assert!(groups <= 8 || chunk_len * (per_group + 1) > GROUP_PAGES);
            }
        }
        assert_eq!(chunking(10_000, 2), (1_250, 1));
    }

    #[test]
    fn title_outranks_body_mentions() {
        let filler = "and the of a to in is it that was for on are with as ".repeat(10);
        let body_once = format!("{filler} retrospective {filler}");
        let body_many = format!("{filler} retrospective retrospective {filler}");
        let docs = [
            doc("Running a Retrospective", None, &filler),
            doc("Something else", None, &body_once),
            doc("Another thing", None, &body_many),
            doc("Purpose page", Some("A better retrospective"), &filler),
        ];
        let refs: Vec<&SearchDoc<'_>> = docs.iter().collect();
        let terms = build_terms(&refs, "en");
        let p = postings(&terms, "retrospect");
        let by = |id: u32| p.iter().find(|x| x.page == id).unwrap().level;
        assert!(by(0) > by(3), "title above purpose: {p:?}");
        assert!(by(3) > by(2), "purpose above body: {p:?}");
        assert!(by(2) >= by(1), "more mentions, no less: {p:?}");
        assert!(terms.windows(2).all(|w| w[0].text < w[1].text));
        assert_eq!(
            terms.iter().find(|t| &*t.text == "retrospect").unwrap().df,
            4
        );
    }

    #[test]
    fn caps_postings_at_the_best_pages() {
        let bodies: Vec<String> = (0..CAP + 50)
            .map(|i| format!("word {}", "pad ".repeat(i % 40)))
            .collect();
        let docs: Vec<SearchDoc<'_>> = bodies.iter().map(|b| doc("t", None, b)).collect();
        let refs: Vec<&SearchDoc<'_>> = docs.iter().collect();
        let terms = build_terms(&refs, "en");
        let p = postings(&terms, "word");
        assert_eq!(p.len(), CAP);
        assert!(p.windows(2).all(|w| w[0].page < w[1].page));
        // The shortest bodies (the best scores) are kept.
        assert!(p.iter().any(|x| x.page == 0));
        assert!(!p.iter().any(|x| x.page as usize % 40 == 39));
        assert_eq!(
            terms.iter().find(|t| &*t.text == "word").unwrap().df as usize,
            CAP + 50
        );
    }

    #[test]
    fn one_posting_per_page_in_page_order_across_chunks() {
        // 2,000 pages make several chunks (four a core, of 16 pages at least) and term
        // ranges; "plans" and "planning" share the stem "plan", so each page holds one
        // posting of it.
        let bodies: Vec<String> = (0..2000)
            .map(|i| format!("plans planning w{} z{}", i % 7, i % 13))
            .collect();
        let docs: Vec<SearchDoc<'_>> = bodies.iter().map(|b| doc("t", None, b)).collect();
        let refs: Vec<&SearchDoc<'_>> = docs.iter().collect();
        let terms = build_terms(&refs, "en");
        let plan = terms.iter().find(|t| &*t.text == "plan").unwrap();
        assert_eq!(plan.df, 2000);
        assert_eq!(plan.postings.len(), CAP);
        assert!(plan.postings.windows(2).all(|w| w[0].page < w[1].page));
        for (term, modulus, rest) in [("w3", 7, 3), ("z12", 13, 12)] {
            let t = terms.iter().find(|t| &*t.text == term).unwrap();
            let ids: Vec<u32> = t.postings.iter().map(|p| p.page).collect();
            let want: Vec<u32> = (0..2000u32).filter(|i| i % modulus == rest).collect();
            assert_eq!(ids, want, "{term}");
        }
    }

    #[test]
    fn counts_every_word_when_the_table_of_words_grows() {
        // 6,000 distinct short words (the table grows twice, moving every word), each
        // page holding 40 of them twice and one word that every page holds.
        let bodies: Vec<String> = (0..150)
            .map(|p| {
                let own: Vec<String> = (0..40).map(|i| format!("q{}", p * 40 + i)).collect();
                format!("{} every {}", own.join(" "), own.join(" "))
            })
            .collect();
        let docs: Vec<SearchDoc<'_>> = bodies.iter().map(|b| doc("t", None, b)).collect();
        let refs: Vec<&SearchDoc<'_>> = docs.iter().collect();
        let terms = build_terms(&refs, "en");
        const { assert!(6000 > SLOTS) };
        for w in (0..6000).step_by(7) {
            let t = terms.iter().find(|t| *t.text == *format!("q{w}")).unwrap();
            assert_eq!(t.df, 1, "q{w}");
            assert_eq!(t.postings[0].page, w / 40, "q{w}");
        }
        let every = terms.iter().find(|t| &*t.text == "everi").unwrap();
        assert_eq!(every.df, 150);
        // Every page's words counted once each, twice over: equal levels per page.
        let first_page: Vec<u8> = (0..40)
            .map(|i| postings(&terms, &format!("q{i}"))[0].level)
            .collect();
        assert!(
            first_page.windows(2).all(|w| w[0] == w[1]),
            "{first_page:?}"
        );
    }

    #[test]
    fn words_of_9_to_16_bytes_are_told_apart_by_every_byte() {
        // A letter repeated 9 to 16 times: the words share their first 8 bytes and their
        // last 8, so only the bytes after the 8th (and the zeros after the word) tell
        // them apart. And 3,000 distinct words of 9 to 12 bytes, which share their
        // first 8 bytes: the table grows with them.
        let runs: Vec<String> = (9..=16).map(|n| "x".repeat(n)).collect();
        let bodies: Vec<String> = (0..150)
            .map(|p| {
                let own: Vec<String> = (0..20).map(|i| format!("qqqqqqqq{}", p * 20 + i)).collect();
                format!("{} {} {}", runs[p % 8], own.join(" "), own.join(" "))
            })
            .collect();
        let docs: Vec<SearchDoc<'_>> = bodies.iter().map(|b| doc("t", None, b)).collect();
        let refs: Vec<&SearchDoc<'_>> = docs.iter().collect();
        let terms = build_terms(&refs, "en");
        const { assert!(2 * 3000 > SLOTS) };
        for (i, run) in runs.iter().enumerate() {
            let pages: Vec<u32> = postings(&terms, run).iter().map(|p| p.page).collect();
            let want: Vec<u32> = (0..150u32).filter(|p| *p as usize % 8 == i).collect();
            assert_eq!(pages, want, "{run}");
        }
        for w in (0..3000).step_by(7) {
            let word = format!("qqqqqqqq{w}");
            let t = terms.iter().find(|t| *t.text == *word).unwrap();
            assert_eq!((t.df, t.postings[0].page), (1, w / 20), "{word}");
        }
    }

    #[test]
    fn keeps_the_best_pages_in_page_order_with_ties_to_the_lower_ids() {
        // Pseudo-random scores from a few values, so many pages tie at the cut; the
        // reference selects by (score, then lower id) and sorts back by page.
        let mut seed = 7u32;
        for len in [CAP - 1, CAP, CAP + 1, 3 * CAP + 17] {
            let all: Vec<ScoredPage> = (0..len as u32)
                .map(|page| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    (page, f32::from((seed >> 16) as u8 % 7))
                })
                .collect();
            let mut want = all.clone();
            if want.len() > CAP {
                want.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                want.truncate(CAP);
                want.sort_by_key(|p| p.0);
            }
            assert_eq!(best_pages(&all, &mut Vec::new(), CAP), want, "{len} pages");
        }
    }

    #[test]
    fn counts_saturate_where_a_field_runs_over() {
        // 300 times in a heading (the short fields count to 255) and 70,000 times in
        // the body (which counts to 65,535): counted to the limit, not wrapped round to
        // a small count that would rank the page below one that says the word once.
        let heading = "flood ".repeat(300);
        let body = "flood ".repeat(70_000);
        let mut many = doc("Many", None, &body);
        many.headings = vec![&heading];
        let once = doc("Once", None, "flood");
        let refs = [&many, &once];
        let mut hits = Hits::default();
        for _ in 0..300 {
            hits.add(2);
        }
        for _ in 0..70_000 {
            hits.add(FIELDS - 1);
        }
        assert_eq!((hits.n(2), hits.n(FIELDS - 1)), (255, 65_535));
        let terms = build_terms(&refs, "en");
        let p = postings(&terms, "flood");
        assert!(p[0].level > p[1].level, "{p:?}");
    }

    #[test]
    fn levels_are_logarithmic() {
        assert_eq!(level(1.0, 1.0), 63);
        assert_eq!(level(0.5, 1.0), 55);
        assert_eq!(level(1e-9, 1.0), 1);
    }

    #[test]
    fn levels_found_by_compares_are_the_logarithms_levels() {
        for best in [1.0f32, 0.37, 12.5, 3.1e-3] {
            let levels = Levels::new(best);
            // At every step between levels, on either side of it, and at random.
            for l in 2..64 {
                let least = levels.least[l];
                let below = f32::from_bits(least.to_bits() - 1);
                assert_eq!(levels.of(least), level(least, best), "{best} {l}");
                assert_eq!(levels.of(below), level(below, best), "{best} {l}");
                assert_eq!(usize::from(levels.of(least)), l, "{best} {l}");
            }
            let mut seed = 11u32;
            for _ in 0..100_000 {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let score = best * f32::from_bits(0x3000_0000 + (seed >> 2) % 0x1000_0000);
                assert_eq!(levels.of(score), level(score, best), "{best} {score}");
            }
        }
    }
}
