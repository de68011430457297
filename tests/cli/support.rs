//! One fluent helper for the integration tests: a playbook in a temporary folder, the
//! real `playbook` binary run on it, and assertions on status, output and files.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A playbook in a temporary folder.
pub struct Project {
    dir: tempfile::TempDir,
}

/// The smallest valid `book.toml`.
pub const BOOK: &str =
    "[book]\ntitle = \"Test playbook\"\nbase-url = \"https://org.github.io/playbook/\"\n";

impl Project {
    /// An empty folder.
    pub fn empty() -> Project {
        Project {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A folder with a minimal `book.toml` and an empty `content/`.
    pub fn new() -> Project {
        let p = Project::empty().file("book.toml", BOOK);
        std::fs::create_dir_all(p.path().join("content")).unwrap();
        p
    }

    /// The bundled example playbook (the repository's `book.toml` and `content/`), copied.
    pub fn example() -> Project {
        let p = Project::empty();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::copy(repo.join("book.toml"), p.path().join("book.toml")).unwrap();
        copy_dir(&repo.join("content"), &p.path().join("content"));
        p
    }

    /// Writes a file (creating folders), returning the project for chaining.
    pub fn file(self, rel: &str, text: &str) -> Project {
        self.write(rel, text.as_bytes());
        self
    }

    /// Writes bytes to a file, creating folders.
    pub fn write(&self, rel: &str, bytes: &[u8]) {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// The playbook root.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Reads a file of the project as text.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel))
            .unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    /// Runs `playbook ARGS` in the project's folder.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_from(".", args)
    }

    /// Runs `playbook ARGS` in `sub`, a folder inside the project.
    pub fn run_from(&self, sub: &str, args: &[&str]) -> Run {
        let output = self
            .command(args)
            .current_dir(self.path().join(sub))
            .output()
            .expect("run playbook");
        Run::new(output, args)
    }

    /// `playbook ARGS` in the project's folder, not started yet, for tests that run it
    /// under another program or signal it while it runs.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_playbook"));
        c.args(args).current_dir(self.path()).env("NO_COLOR", "1");
        c
    }
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest: PathBuf = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// A finished run of the binary.
pub struct Run {
    output: Output,
    args: Vec<String>,
}

impl Run {
    /// A run that finished with `output`, started with `args`.
    pub fn new(output: Output, args: &[&str]) -> Run {
        Run {
            output,
            args: args.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Standard output as text.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// Standard error as text.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    fn describe(&self) -> String {
        format!(
            "playbook {}\n--- status: {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.args.join(" "),
            self.output.status.code(),
            self.stdout(),
            self.stderr()
        )
    }

    /// Asserts exit status 0.
    pub fn succeeds(&self) -> &Run {
        assert!(
            self.output.status.success(),
            "expected success\n{}",
            self.describe()
        );
        self
    }

    /// Asserts exit status `code`.
    pub fn fails_with(&self, code: i32) -> &Run {
        assert_eq!(
            self.output.status.code(),
            Some(code),
            "wrong status\n{}",
            self.describe()
        );
        self
    }

    /// Asserts exit status 1 (content or configuration errors).
    pub fn fails(&self) -> &Run {
        self.fails_with(1)
    }

    /// Asserts standard error contains `s`.
    pub fn stderr_has(&self, s: &str) -> &Run {
        assert!(
            self.stderr().contains(s),
            "stderr lacks {s:?}\n{}",
            self.describe()
        );
        self
    }

    /// Asserts standard output contains `s`.
    pub fn stdout_has(&self, s: &str) -> &Run {
        assert!(
            self.stdout().contains(s),
            "stdout lacks {s:?}\n{}",
            self.describe()
        );
        self
    }

    /// Asserts the number of `error:` diagnostics (the final summary line excluded).
    pub fn error_count(&self, n: usize) -> &Run {
        let count = self
            .stderr()
            .lines()
            .filter(|l| l.starts_with("error: ") && !l.contains(" failed with "))
            .count();
        assert_eq!(count, n, "wrong number of errors\n{}", self.describe());
        self
    }

    /// Asserts nothing panicked.
    pub fn no_panic(&self) -> &Run {
        assert!(
            !self.stderr().contains("panicked"),
            "panic\n{}",
            self.describe()
        );
        self
    }
}

/// `playbook serve --port 0` running in a project, its output (stdout and stderr)
/// collected line by line with when each line arrived; stopped by its own PID when
/// dropped. The serve tests add their own ways of asking it things.
pub struct Server {
    child: Mutex<Child>,
    /// `http://127.0.0.1:<port>`.
    pub origin: String,
    /// `127.0.0.1:<port>`.
    pub addr: String,
    /// The base path it serves, e.g. `/playbook/`.
    pub base: String,
    /// Every line printed so far, with when it arrived.
    pub lines: Arc<Mutex<Vec<(Instant, String)>>>,
}

impl Server {
    /// Starts serve in `p` and waits (at most a minute) until it prints its URL.
    pub fn start(p: &Project) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_playbook"))
            .args(["serve", "--port", "0"])
            .current_dir(p.path())
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start serve");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        for out in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let sink = lines.clone();
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    if let Some(url) = line.strip_prefix("Serving at ") {
                        let _ = tx.send(url.split_whitespace().next().unwrap_or("").to_string());
                    }
                    sink.lock().unwrap().push((Instant::now(), line));
                }
            });
        }
        let url = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("serve printed its URL");
        let rest = url.strip_prefix("http://").expect("http URL");
        let slash = rest.find('/').expect("a base path");
        Server {
            child: Mutex::new(child),
            origin: format!("http://{}", &rest[..slash]),
            addr: rest[..slash].to_string(),
            base: rest[slash..].to_string(),
            lines,
        }
    }
}

impl Server {
    /// Every line printed so far, in order.
    pub fn said(&self) -> Vec<String> {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .map(|(_, l)| l.clone())
            .collect()
    }

    /// The last `n` lines printed (fewer if it printed fewer): what a failure shows.
    pub fn last_said(&self, n: usize) -> Vec<String> {
        let mut said = self.said();
        said.drain(..said.len().saturating_sub(n));
        said
    }

    /// How the server ended, if it has: an exit code, or the signal that stopped it.
    pub fn ended(&self) -> Option<std::process::ExitStatus> {
        self.child.lock().unwrap().try_wait().ok().flatten()
    }
}

/// A server paused with SIGSTOP, continued (SIGCONT) when dropped.
#[cfg(unix)]
pub struct Paused(rustix::process::Pid);

#[cfg(unix)]
impl Server {
    /// Pauses the server, as a loaded machine may: it reads nothing (requests, file
    /// events) until the returned guard is dropped.
    pub fn pause(&self) -> Paused {
        let pid = rustix::process::Pid::from_child(&self.child.lock().unwrap());
        rustix::process::kill_process(pid, rustix::process::Signal::STOP).expect("SIGSTOP serve");
        let paused = Paused(pid);
        // The signal is sent, not yet taken: until the process is stopped (state `T` in
        // /proc), its threads may still read. On other systems, SIGSTOP is trusted.
        #[cfg(target_os = "linux")]
        {
            let stat = format!("/proc/{}/stat", pid.as_raw_nonzero());
            let deadline = Instant::now() + Duration::from_secs(10);
            // The state follows the command name, which is in parentheses.
            while std::fs::read_to_string(&stat)
                .ok()
                .and_then(|s| s.rsplit_once(") ").map(|(_, rest)| rest.starts_with('T')))
                != Some(true)
            {
                assert!(Instant::now() < deadline, "serve did not stop on SIGSTOP");
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        paused
    }
}

#[cfg(unix)]
impl Drop for Paused {
    fn drop(&mut self) {
        let _ = rustix::process::kill_process(self.0, rustix::process::Signal::CONT);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let child = self.child.get_mut().unwrap_or_else(|e| e.into_inner());
        let _ = child.kill();
        let _ = child.wait();
    }
}
