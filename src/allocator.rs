//! The allocator: mimalloc, tuned for how a build uses memory.

use libmimalloc_sys::{
    mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned, mi_zalloc,
    mi_zalloc_aligned,
};
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// mimalloc instead of the system allocator: a build allocates millions of short-lived
/// strings and values on every core, where glibc's malloc took a fifth of the
/// instructions (callgrind, 1,000-page playbook).
#[global_allocator]
static ALLOC: Mimalloc = Mimalloc;

/// mimalloc as Rust's allocator, asking for alignment only when it must. The `mimalloc`
/// crate sends every allocation through `mi_malloc_aligned`, whose checks and fallback
/// cost about 80 instructions an allocation where `mi_malloc` takes about 20: with
/// 385,000 allocations in a 1,000-page build, 5 % of its instructions (callgrind).
/// Every mimalloc block is aligned to at least a machine word (its blocks are whole
/// words from a word-aligned start), so any layout aligned to a word or less, nearly
/// all of them (strings, vectors, maps), takes the plain path.
struct Mimalloc;

/// The largest alignment every mimalloc block has.
const WORD: usize = std::mem::size_of::<usize>();

// SAFETY: each method hands mimalloc's own functions what GlobalAlloc's contract
// guarantees (a non-zero size, a power-of-two alignment, a pointer this allocator gave
// out); the plain functions are used only where their word alignment satisfies the
// layout.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe {
            if layout.align() <= WORD {
                mi_malloc(layout.size()).cast()
            } else {
                mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe {
            if layout.align() <= WORD {
                mi_zalloc(layout.size()).cast()
            } else {
                mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: see the impl.
        unsafe { mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe {
            if layout.align() <= WORD {
                mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

/// mimalloc's option `purge_delay`: its place in mimalloc 3's `mi_option_e`, which
/// libmimalloc-sys gives no name (a test checks that it is still that option).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc's default purge delay, in milliseconds.
const DEFAULT_PURGE_DELAY: std::ffi::c_long = 1000;

/// Tunes the allocator; called first thing in `main`.
///
/// mimalloc's purge delay stays at its default for a build: freed memory goes back to
/// the system a second after it was freed. 20 ms kept peak RSS ~25 MiB lower on 10,000
/// pages (262 against 285 MiB generated, 230 against 255 man pages), but the search
/// index then faulted in fresh pages for what it allocates after the pages and lists
/// freed theirs: it took 109 ms against 84 (generated) and 144 against 133 (man pages),
/// and the build 0.57 s against 0.54 (medians of 7–9, interleaved); a build without
/// search took the same time either way. `serve` shortens it ([`for_serve`]).
pub fn tune() {
    no_huge_pages();
}

/// Tunes the allocator for `serve`, which rebuilds every time a file is saved and keeps
/// running: freed memory goes back to the system 20 ms after it was freed. With the
/// default second, saves every 100–200 ms never let a rebuild's garbage go: over 3
/// minutes of them on 1,000 pages (`benches/serve_soak.py`) the server's RSS was 135 MB
/// at the median and still growing 6 MB a minute in the second half, against 101 MB and
/// flat with 20 ms. The price is the rebuild after an edit of 10,000 pages: 12–13 ms
/// against 3–7 (medians of 7 edits, two rounds), well within a blink. A
/// MIMALLOC_PURGE_DELAY set by the user wins.
pub fn for_serve() {
    // SAFETY: mi_option_get and mi_option_set only read and write mimalloc's option
    // table, which is safe at any time.
    unsafe {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none()
            && libmimalloc_sys::mi_option_get(PURGE_DELAY) == DEFAULT_PURGE_DELAY
        {
            libmimalloc_sys::mi_option_set(PURGE_DELAY, 20);
        }
    }
}

/// Turns transparent huge pages off for this process. Each first touch of a huge page
/// zeroes 2 MiB: on a 10,000-page build that was a quarter of all CPU time in a virtual
/// machine (perf: `clear_page_erms` under `do_huge_pmd_anonymous_page`), and peak RSS
/// was ~40 MiB higher, for no gain a build of short-lived strings could measure.
///
/// Two switches, for the kernel's two modes. Where huge pages are given only to memory
/// that asks for them (`madvise`, the usual default), mimalloc's `no_thp` feature keeps
/// it from asking, from its first allocation on: this flag alone came after the arena
/// mimalloc reserved before `main`, whose two huge pages took ~15 ms to zero at the start
/// of every build. Where every large region gets them (`always`), this flag turns them
/// off; the kernel checks it at each page fault.
fn no_huge_pages() {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    // Failure (a kernel before 3.15) only means huge pages stay as they were.
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layout_gets_its_alignment_and_keeps_its_bytes_when_resized() {
        let sizes = [1, 3, 8, 24, 40, 100, 1_000, 1_025, 5_000, 70_000, 300_000];
        for align in (0..13).map(|k| 1usize << k) {
            for &size in &sizes {
                let layout = Layout::from_size_align(size, align).unwrap();
                let aligned = |p: *mut u8| !p.is_null() && (p as usize).is_multiple_of(align);
                // SAFETY: non-zero sizes, valid layouts, and each pointer is used within
                // its size and freed once with the layout it has at that moment.
                unsafe {
                    let z = ALLOC.alloc_zeroed(layout);
                    assert!(aligned(z), "alloc_zeroed({size}, {align})");
                    assert!(std::slice::from_raw_parts(z, size).iter().all(|&b| b == 0));
                    ALLOC.dealloc(z, layout);

                    let p = ALLOC.alloc(layout);
                    assert!(aligned(p), "alloc({size}, {align})");
                    for i in 0..size {
                        *p.add(i) = (i % 251) as u8;
                    }
                    // Grown, then shrunk below the first size: the bytes written stay.
                    let (mut ptr, mut now) = (p, size);
                    for new_size in [size * 3, size.div_ceil(2)] {
                        let old = Layout::from_size_align(now, align).unwrap();
                        ptr = ALLOC.realloc(ptr, old, new_size);
                        assert!(aligned(ptr), "realloc({now} -> {new_size}, {align})");
                        for i in 0..size.min(new_size) {
                            assert_eq!(
                                *ptr.add(i),
                                (i % 251) as u8,
                                "byte {i}, {now} -> {new_size}"
                            );
                        }
                        now = new_size;
                    }
                    ALLOC.dealloc(ptr, Layout::from_size_align(now, align).unwrap());
                }
            }
        }
    }

    #[test]
    fn option_15_is_the_purge_delay_with_its_default() {
        // Another mimalloc could renumber its options: then `for_serve` would set
        // another one.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // SAFETY: reads mimalloc's option table.
            let v = unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
            assert_eq!(
                v, DEFAULT_PURGE_DELAY,
                "option {PURGE_DELAY} is not purge_delay"
            );
        }
    }
}
