//! Keeps a long-running `serve` from creeping up in memory.
//!
//! glibc's allocator gives threads up to eight arenas per core, and memory freed in an
//! arena mostly stays with it. `serve` starts a thread per connection and renders on
//! rayon's threads build after build, so its resident memory crept up without end:
//! 66 MB to 226 MB over 10 minutes of edits on a 1,000-page playbook, still rising
//! ~7 MB a minute (benches/serve_soak.py). With one arena per core it levels off.

/// Caps the allocator's arenas at one per core, on glibc; elsewhere does nothing.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let arenas = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only sets a tuning parameter of the allocator; glibc documents
        // M_ARENA_MAX as settable at any time, affecting arenas created afterwards. A
        // refusal (return 0) leaves the default, which is merely less frugal.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}
