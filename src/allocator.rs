//! The allocator: mimalloc, tuned for how a build uses memory.

/// mimalloc instead of the system allocator: a build allocates millions of short-lived
/// strings and values on every core, where glibc's malloc took a fifth of the
/// instructions (callgrind, 1,000-page playbook).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's option `purge_delay`: its place in mimalloc 3's `mi_option_e`, which
/// libmimalloc-sys gives no name (a test checks that it is still that option).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc's default purge delay, in milliseconds.
const DEFAULT_PURGE_DELAY: std::ffi::c_long = 1000;

/// Tunes the allocator; called first thing in `main`.
pub fn tune() {
    no_huge_pages();
    // mimalloc gives freed memory back to the system a second after it was freed. A
    // build of 10,000 pages lasts about two, so each phase's garbage stayed resident
    // through the next one: 20 ms took peak RSS from 303 to 265 MiB at the same wall
    // time (5 interleaved runs with search). A MIMALLOC_PURGE_DELAY set by the user wins.
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
    fn option_15_is_the_purge_delay_with_its_default() {
        // Another mimalloc could renumber its options: then `tune` would set another one.
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
