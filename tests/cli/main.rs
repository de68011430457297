//! Integration tests: the real `playbook` binary on playbooks in temporary folders.
//! One module per command or concern; each test states a behaviour.

mod support;

mod diagnostics;

mod build;
#[cfg(unix)]
mod hostile;
#[cfg(unix)]
mod interrupt;
mod pathological;
mod scaffold;
mod serve;
mod serve_load;
