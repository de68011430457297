//! `scripts/install.sh` and the setup action (`action.yml`) against a fake release served
//! on 127.0.0.1 by a small server in this file: the right archive installs a `playbook`
//! that runs; a wrong checksum, a missing checksum file or an unknown version fail with a
//! message that says so; `latest` follows GitHub's redirect; wget stands in for curl.
//!
//! The archives are made from this build's own binary, the way release.yml packs them:
//! `v<version>/playbook-<version>-<target>.tar.gz` with a `.sha256` file beside it.
//! Needs sh, bash, tar, curl and sha256sum (or shasum): a fresh Linux or macOS machine.
//! The script runs on Windows under Git Bash, which these tests don't drive.
#![cfg(unix)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const VERSION: &str = env!("CARGO_PKG_VERSION");
/// No run of the script may take longer (the downloads are local).
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn script() -> PathBuf {
    repo().join("scripts/install.sh")
}

/// The target triple the script must pick on this machine.
fn this_target() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "x86_64",
        "aarch64" => "aarch64",
        other => panic!("no release target for the processor {other}"),
    };
    let os = match std::env::consts::OS {
        "linux" => "unknown-linux-musl",
        "macos" => "apple-darwin",
        other => panic!("no release target for {other}"),
    };
    format!("{arch}-{os}")
}

// ---------------------------------------------------------------------------------------
// The fake release host.

/// Serves `root` as `/releases/download/…`, answers `/releases/latest` with a redirect to
/// `/releases/tag/v<latest>` like GitHub, and 404 for anything else. One connection at a
/// time, each closed after its answer. Stopped (and joined) when dropped.
struct FakeRelease {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeRelease {
    fn start(root: &Path, latest: &str) -> FakeRelease {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (root, latest) = (root.to_path_buf(), latest.to_string());
        let (log, stopping) = (Arc::clone(&requests), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    // A client that stalls only costs its own connection.
                    let _ = serve_one(stream, &root, &latest, addr, &log);
                }
            }
        });
        FakeRelease {
            addr,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    fn base_url(&self) -> String {
        format!("http://{}/releases/download", self.addr)
    }

    /// `GET /path` lines, in order.
    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for FakeRelease {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(2));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve_one(
    mut stream: TcpStream,
    root: &Path,
    latest: &str,
    addr: SocketAddr,
    log: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 64 * 1024 {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buf[..n]);
    }
    let request = String::from_utf8_lossy(&request);
    let mut words = request.lines().next().unwrap_or("").split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or("/"));
    let path = target.split('?').next().unwrap_or("/");
    log.lock().unwrap().push(format!("{method} {path}"));

    let (status, extra, body): (&str, String, Vec<u8>) = if path == "/releases/latest" {
        let location = format!("http://{addr}/releases/tag/v{latest}");
        ("302 Found", format!("Location: {location}\r\n"), Vec::new())
    } else if path.starts_with("/releases/tag/") {
        ("200 OK", String::new(), b"a release page".to_vec())
    } else if let Some(file) = path
        .strip_prefix("/releases/download/")
        .filter(|rel| !rel.split('/').any(|part| part == ".." || part.is_empty()))
        .map(|rel| root.join(rel))
        .filter(|file| file.is_file())
    {
        ("200 OK", String::new(), std::fs::read(file)?)
    } else {
        ("404 Not Found", String::new(), b"Not Found".to_vec())
    };
    let head = format!(
        "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

// ---------------------------------------------------------------------------------------
// Release archives.

/// What an archive holds as its `playbook`.
#[derive(Clone, Copy, PartialEq)]
enum Binary {
    /// This build's own binary, for the tests that run what they installed.
    Real,
    /// A small script, for the tests that must fail before running anything (packing the
    /// 80 MB debug binary takes seconds).
    StandIn,
}

/// Writes `v<version>/playbook-<version>-<target>.tar.gz` (the binary and a LICENSE at the
/// top of the archive, as release.yml packs them) and its `.sha256` under `root`.
/// Returns the archive's path.
fn publish(root: &Path, version: &str, target: &str, binary: Binary) -> PathBuf {
    let dir = root.join(format!("v{version}"));
    let stage = root.join(format!(".stage-{version}-{target}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::write(stage.join("LICENSE"), "MIT\n").unwrap();
    // The real binary is already called `playbook`: tar takes it from where it is.
    let real = Path::new(env!("CARGO_BIN_EXE_playbook"));
    let bin_dir = if binary == Binary::Real {
        real.parent().unwrap().to_path_buf()
    } else {
        let fake = stage.join("playbook");
        std::fs::write(&fake, "#!/bin/sh\necho 'playbook stand-in'\n").unwrap();
        std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        stage.clone()
    };
    let name = format!("playbook-{version}-{target}.tar.gz");
    let tar = dir.join(format!("playbook-{version}-{target}.tar"));
    let status = Command::new("tar")
        .arg("-cf")
        .arg(&tar)
        .arg("-C")
        .arg(&bin_dir)
        .arg("playbook")
        .arg("-C")
        .arg(&stage)
        .arg("LICENSE")
        .status()
        .expect("tar runs");
    assert!(status.success(), "tar failed");
    // gzip's fastest level: the archive only has to be a real .tar.gz.
    let status = Command::new("gzip")
        .args(["-1", "-f"])
        .arg(&tar)
        .status()
        .expect("gzip runs");
    assert!(status.success(), "gzip failed");
    let archive = dir.join(&name);
    assert!(archive.is_file(), "gzip wrote no {name}");
    std::fs::write(
        dir.join(format!("{name}.sha256")),
        format!("{}  {name}\n", sha256(&archive)),
    )
    .unwrap();
    archive
}

/// The SHA-256 of a file, in hex, from the system's tool (as a release's maker would).
fn sha256(file: &Path) -> String {
    for (tool, args) in [("sha256sum", &[][..]), ("shasum", &["-a", "256"][..])] {
        let Ok(out) = Command::new(tool).args(args).arg(file).output() else {
            continue;
        };
        if out.status.success() {
            let text = String::from_utf8_lossy(&out.stdout);
            return text.split_whitespace().next().unwrap().to_string();
        }
    }
    panic!("neither sha256sum nor shasum is installed");
}

// ---------------------------------------------------------------------------------------
// Running the script.

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn succeeds(&self) -> &Run {
        assert_eq!(self.code, Some(0), "the script failed:\n{}", self.stderr);
        self
    }

    fn fails(&self) -> &Run {
        assert!(
            self.code.is_some_and(|c| c != 0),
            "the script should have failed (exit {:?}):\n{}",
            self.code,
            self.stderr
        );
        self
    }

    fn lacks(&self, needle: &str) -> &Run {
        assert!(
            !self.stderr.contains(needle),
            "the message should not say {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    fn says(&self, needle: &str) -> &Run {
        assert!(
            self.stderr.contains(needle),
            "the message lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }
}

/// A command with the machine's environment less what would change the script's choices
/// (runner variables, proxies that would catch 127.0.0.1), HOME in the scratch folder.
fn clean_command(program: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(program);
    for var in [
        "RUNNER_OS",
        "RUNNER_ARCH",
        "GITHUB_ACTIONS",
        "PLAYBOOK_BASE_URL",
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "all_proxy",
        "CURL_HOME",
        "WGETRC",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", home)
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .stdin(Stdio::null());
    cmd
}

/// Runs `cmd` to its end, or kills it after SCRIPT_TIMEOUT. Output goes through files,
/// so a chatty child can never block on a full pipe.
fn run(mut cmd: Command, scratch: &Path) -> Run {
    let out_path = scratch.join("stdout.txt");
    let err_path = scratch.join("stderr.txt");
    cmd.stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap());
    let mut child = cmd.spawn().expect("the script starts");
    let started = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code();
        }
        if started.elapsed() > SCRIPT_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the script did not finish in {SCRIPT_TIMEOUT:?}:\n{}",
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code,
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
    }
}

/// `sh scripts/install.sh ARGS…` with the given shell.
fn install(shell: &str, args: &[&str], scratch: &Path) -> Run {
    let mut cmd = clean_command(Path::new(shell), scratch);
    cmd.arg(script()).args(args);
    run(cmd, scratch)
}

/// A release host with this machine's archive of VERSION published, and a scratch folder.
fn released(binary: Binary) -> (tempfile::TempDir, FakeRelease, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("release");
    publish(&root, VERSION, &this_target(), binary);
    let server = FakeRelease::start(&root, VERSION);
    let dest = tmp.path().join("bin");
    (tmp, server, dest)
}

fn version_of(binary: &Path) -> String {
    let out = Command::new(binary)
        .arg("--version")
        .output()
        .expect("the installed binary runs");
    assert!(out.status.success(), "`playbook --version` failed");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

// ---------------------------------------------------------------------------------------
// The tests.

#[test]
fn picks_the_archive_for_this_machine_and_for_each_runner() {
    let tmp = tempfile::tempdir().unwrap();
    let run_here = install("sh", &["--print-target"], tmp.path());
    run_here.succeeds();
    assert_eq!(run_here.stdout.trim(), this_target());

    for (os, arch, target) in [
        ("Linux", "X64", "x86_64-unknown-linux-musl"),
        ("Linux", "ARM64", "aarch64-unknown-linux-musl"),
        ("macOS", "X64", "x86_64-apple-darwin"),
        ("macOS", "ARM64", "aarch64-apple-darwin"),
        ("Windows", "X64", "x86_64-pc-windows-msvc"),
        ("Windows", "ARM64", "x86_64-pc-windows-msvc"),
    ] {
        let mut cmd = clean_command(Path::new("sh"), tmp.path());
        cmd.arg(script())
            .arg("--print-target")
            .env("RUNNER_OS", os)
            .env("RUNNER_ARCH", arch);
        let r = run(cmd, tmp.path());
        r.succeeds();
        assert_eq!(r.stdout.trim(), target, "RUNNER_OS={os} RUNNER_ARCH={arch}");
    }
}

#[test]
fn installs_the_right_archive_and_the_binary_runs() {
    let (tmp, server, dest) = released(Binary::Real);
    let dest_arg = dest.to_str().unwrap();
    install(
        "sh",
        &[
            "--version",
            VERSION,
            "--base-url",
            &server.base_url(),
            "--dest",
            dest_arg,
        ],
        tmp.path(),
    )
    .succeeds()
    .says("checksum verified");

    let installed = dest.join("playbook");
    let version = version_of(&installed);
    assert!(
        version.starts_with(&format!("playbook {VERSION} (")),
        "unexpected --version: {version}"
    );
    assert_eq!(
        version,
        version_of(Path::new(env!("CARGO_BIN_EXE_playbook")))
    );

    let archive = format!(
        "/releases/download/v{VERSION}/playbook-{VERSION}-{}.tar.gz",
        this_target()
    );
    assert_eq!(
        server.requests(),
        [format!("GET {archive}"), format!("GET {archive}.sha256")]
    );
    // Nothing but the binary is left in the destination.
    let names: Vec<_> = std::fs::read_dir(&dest)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["playbook"]);
}

#[test]
fn takes_a_leading_v_runs_under_bash_and_replaces_an_older_binary() {
    let (tmp, server, dest) = released(Binary::Real);
    std::fs::create_dir_all(&dest).unwrap();
    std::fs::write(dest.join("playbook"), "#!/bin/sh\necho old\n").unwrap();
    install(
        "bash",
        &[
            &format!("--version=v{VERSION}"),
            &format!("--base-url={}/", server.base_url()),
            &format!("--dest={}", dest.display()),
        ],
        tmp.path(),
    )
    .succeeds();
    assert!(version_of(&dest.join("playbook")).starts_with(&format!("playbook {VERSION} (")));
}

#[test]
fn a_wrong_checksum_fails_and_installs_nothing() {
    let (tmp, server, dest) = released(Binary::StandIn);
    let name = format!("playbook-{VERSION}-{}.tar.gz", this_target());
    let sums = tmp
        .path()
        .join("release")
        .join(format!("v{VERSION}"))
        .join(format!("{name}.sha256"));
    std::fs::write(&sums, format!("{}  {name}\n", "0".repeat(64))).unwrap();

    install(
        "sh",
        &[
            "--version",
            VERSION,
            "--base-url",
            &server.base_url(),
            "--dest",
            dest.to_str().unwrap(),
        ],
        tmp.path(),
    )
    .fails()
    .says("checksum mismatch")
    .says(&"0".repeat(64))
    .says("nothing was installed")
    .lacks("checksum verified");
    assert!(!dest.join("playbook").exists());
}

#[test]
fn a_damaged_download_fails_the_checksum() {
    let (tmp, server, dest) = released(Binary::StandIn);
    let archive = tmp
        .path()
        .join("release")
        .join(format!("v{VERSION}"))
        .join(format!("playbook-{VERSION}-{}.tar.gz", this_target()));
    let mut bytes = std::fs::read(&archive).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&archive, bytes).unwrap();

    install(
        "sh",
        &[
            "--version",
            VERSION,
            "--base-url",
            &server.base_url(),
            "--dest",
            dest.to_str().unwrap(),
        ],
        tmp.path(),
    )
    .fails()
    .says("checksum mismatch")
    .lacks("checksum verified");
    assert!(!dest.join("playbook").exists());
}

#[test]
fn a_missing_checksum_file_is_refused() {
    let (tmp, server, dest) = released(Binary::StandIn);
    let name = format!("playbook-{VERSION}-{}.tar.gz", this_target());
    std::fs::remove_file(
        tmp.path()
            .join("release")
            .join(format!("v{VERSION}"))
            .join(format!("{name}.sha256")),
    )
    .unwrap();
    install(
        "sh",
        &[
            "--version",
            VERSION,
            "--base-url",
            &server.base_url(),
            "--dest",
            dest.to_str().unwrap(),
        ],
        tmp.path(),
    )
    .fails()
    .says("no checksum file")
    .says("404");
    assert!(!dest.join("playbook").exists());
}

#[test]
fn an_unknown_version_is_named_in_the_error() {
    let (tmp, server, dest) = released(Binary::StandIn);
    install(
        "sh",
        &[
            "--version",
            "9.9.9",
            "--base-url",
            &server.base_url(),
            "--dest",
            dest.to_str().unwrap(),
        ],
        tmp.path(),
    )
    .fails()
    .says("playbook 9.9.9 has no release archive")
    .says("404")
    .says("Check the version number");
    assert!(!dest.exists());
}

#[test]
fn latest_follows_the_release_redirect() {
    let (tmp, server, dest) = released(Binary::Real);
    let r = install(
        "sh",
        &["--base-url", &server.base_url(), "--print-version"],
        tmp.path(),
    );
    r.succeeds();
    assert_eq!(r.stdout.trim(), VERSION);

    install(
        "sh",
        &[
            "--version",
            "latest",
            "--base-url",
            &server.base_url(),
            "--dest",
            dest.to_str().unwrap(),
        ],
        tmp.path(),
    )
    .succeeds();
    assert!(dest.join("playbook").is_file());
    assert_eq!(server.requests()[0], "GET /releases/latest");
}

#[test]
fn no_server_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    // A port that was free a moment ago: nothing answers there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    install(
        "sh",
        &[
            "--version",
            VERSION,
            "--base-url",
            &format!("http://127.0.0.1:{port}/releases/download"),
            "--dest",
            tmp.path().join("bin").to_str().unwrap(),
        ],
        tmp.path(),
    )
    .fails()
    .says("no answer from the server");
}

/// A folder of links to the tools the script may use, curl (and wget) left out unless
/// asked for: a machine without them.
fn tools_without_curl(dir: &Path, with_wget: bool) -> Option<PathBuf> {
    let mut tools = vec![
        "sh",
        "uname",
        "mktemp",
        "rm",
        "awk",
        "tr",
        "cat",
        "tar",
        "gzip",
        "sha256sum",
        "shasum",
        "openssl",
        "mkdir",
        "cp",
        "chmod",
        "mv",
    ];
    if with_wget {
        tools.push("wget");
    }
    let path = std::env::var_os("PATH")?;
    let bin = dir.join("tools");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in tools {
        if let Some(found) = std::env::split_paths(&path)
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
        {
            std::os::unix::fs::symlink(found, bin.join(tool)).unwrap();
        } else if tool == "wget" {
            return None;
        }
    }
    Some(bin)
}

#[test]
fn falls_back_to_wget_without_curl() {
    let (tmp, server, dest) = released(Binary::Real);
    let Some(tools) = tools_without_curl(tmp.path(), true) else {
        eprintln!("SKIPPED falls_back_to_wget_without_curl: wget is not installed here");
        return;
    };
    let run_with = |args: &[&str]| {
        let mut cmd = clean_command(&tools.join("sh"), tmp.path());
        cmd.arg(script()).args(args).env("PATH", &tools);
        run(cmd, tmp.path())
    };
    let base = server.base_url();
    run_with(&[
        "--version",
        "latest",
        "--base-url",
        &base,
        "--dest",
        dest.to_str().unwrap(),
    ])
    .succeeds();
    assert!(version_of(&dest.join("playbook")).starts_with(&format!("playbook {VERSION} (")));

    run_with(&[
        "--version",
        "9.9.9",
        "--base-url",
        &base,
        "--dest",
        dest.to_str().unwrap(),
    ])
    .fails()
    .says("playbook 9.9.9 has no release archive")
    .says("404");
}

#[test]
fn without_curl_or_wget_it_says_what_to_install() {
    let tmp = tempfile::tempdir().unwrap();
    let tools = tools_without_curl(tmp.path(), false).expect("the basic tools");
    let mut cmd = clean_command(&tools.join("sh"), tmp.path());
    cmd.arg(script())
        .args(["--version", VERSION, "--base-url", "http://127.0.0.1:9/x"])
        .env("PATH", &tools);
    run(cmd, tmp.path())
        .fails()
        .says("neither curl nor wget is installed");
}

#[test]
fn wrong_usage_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let r = install("sh", &["--frobnicate"], tmp.path());
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    r.says("unknown option");
    let help = install("sh", &["--help"], tmp.path());
    help.succeeds();
    assert!(help.stdout.contains("--base-url"), "{}", help.stdout);
}

// ---------------------------------------------------------------------------------------
// The action: action.yml's own `run:` steps, in order, as the runner would run them.

/// One step of action.yml: its id, its `env:` (values as written) and its script, or
/// None for a script when it `uses:` another action.
struct Step {
    id: Option<String>,
    env: Vec<(String, String)>,
    run: Option<String>,
}

/// Reads the steps of action.yml, which this test keeps in a plain shape: each step starts
/// with `    - `, keys at six spaces, `env:` entries and `run: |` lines deeper.
fn action_steps() -> Vec<Step> {
    let text = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == "steps:")
        .expect("action.yml has steps");
    let mut steps: Vec<Step> = Vec::new();
    let mut i = start + 1;
    while i < lines.len() {
        let line = lines[i];
        let key = if let Some(rest) = line.strip_prefix("    - ") {
            steps.push(Step {
                id: None,
                env: Vec::new(),
                run: None,
            });
            rest
        } else if let Some(rest) = line.strip_prefix("      ") {
            rest
        } else {
            i += 1;
            continue;
        };
        let step = steps.last_mut().expect("a key before the first step");
        if let Some(id) = key.strip_prefix("id: ") {
            step.id = Some(id.trim().to_string());
        } else if key == "env:" {
            while i + 1 < lines.len() && lines[i + 1].starts_with("        ") {
                i += 1;
                let (k, v) = lines[i].trim().split_once(": ").expect("KEY: value");
                step.env.push((k.to_string(), v.to_string()));
            }
        } else if key == "run: |" {
            let mut script = String::new();
            while i + 1 < lines.len()
                && (lines[i + 1].starts_with("        ") || lines[i + 1].trim().is_empty())
            {
                i += 1;
                script.push_str(lines[i].get(8..).unwrap_or(""));
                script.push('\n');
            }
            step.run = Some(script);
        }
        i += 1;
    }
    steps
}

/// `${{ inputs.x }}`, `${{ steps.id.outputs.x }}`, `${{ github.x }}`: the expressions
/// action.yml's `env:` blocks use, looked up the way the runner would.
fn expand(value: &str, inputs: &[(&str, &str)], outputs: &[(String, String, String)]) -> String {
    let Some(expr) = value
        .strip_prefix("${{")
        .and_then(|v| v.strip_suffix("}}"))
        .map(str::trim)
    else {
        return value.to_string();
    };
    if let Some(name) = expr.strip_prefix("inputs.") {
        return inputs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
            .unwrap_or_default();
    }
    if let Some(rest) = expr.strip_prefix("steps.") {
        let (id, name) = rest
            .split_once(".outputs.")
            .expect("steps.<id>.outputs.<name>");
        return outputs
            .iter()
            .find(|(i, k, _)| i == id && k == name)
            .map(|(_, _, v)| v.clone())
            .unwrap_or_default();
    }
    if expr == "github.action_repository" {
        // Empty inside composite actions on GitHub's runners: the step must cope.
        return String::new();
    }
    panic!("the test does not know the expression {expr}");
}

/// Runs action.yml's `run:` steps (the cache step counts as a miss) with the given inputs
/// and GITHUB_ACTION_PATH. Returns the steps' outputs and the folders added to the PATH.
fn run_action(
    inputs: &[(&str, &str)],
    action_path: &Path,
    scratch: &Path,
    only_plan: bool,
) -> (Vec<(String, String, String)>, String) {
    let mut outputs: Vec<(String, String, String)> = Vec::new();
    let github_path = scratch.join("github_path");
    std::fs::write(&github_path, "").unwrap();
    for (n, step) in action_steps().into_iter().enumerate() {
        let Some(script) = step.run else { continue };
        let output_file = scratch.join(format!("output-{n}"));
        std::fs::write(&output_file, "").unwrap();
        let mut cmd = clean_command(Path::new("bash"), scratch);
        cmd.arg("-c")
            .arg(&script)
            .env("GITHUB_ACTION_PATH", action_path)
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_PATH", &github_path)
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_ACTIONS", "true")
            .env("RUNNER_TOOL_CACHE", scratch.join("toolcache"))
            .env("RUNNER_TEMP", scratch.join("runner-temp"));
        for (k, v) in &step.env {
            cmd.env(k, expand(v, inputs, &outputs));
        }
        let r = run(cmd, scratch);
        assert_eq!(
            r.code,
            Some(0),
            "action step {n} ({:?}) failed:\n{}{}",
            step.id,
            r.stdout,
            r.stderr
        );
        if let Some(id) = &step.id {
            for line in std::fs::read_to_string(&output_file).unwrap().lines() {
                let (k, v) = line.split_once('=').expect("name=value");
                outputs.push((id.clone(), k.to_string(), v.to_string()));
            }
        }
        if only_plan {
            break;
        }
    }
    (outputs, std::fs::read_to_string(&github_path).unwrap())
}

fn output<'a>(outputs: &'a [(String, String, String)], name: &str) -> &'a str {
    outputs
        .iter()
        .find(|(_, k, _)| k == name)
        .map(|(_, _, v)| v.as_str())
        .unwrap_or_else(|| panic!("no output {name}"))
}

#[test]
fn the_action_installs_playbook_and_puts_it_on_the_path() {
    let (tmp, server, _) = released(Binary::Real);
    let base = server.base_url();
    let (outputs, path) = run_action(
        &[("version", VERSION), ("base-url", &base), ("cache", "true")],
        repo(),
        tmp.path(),
        false,
    );
    let dest = output(&outputs, "dest");
    assert_eq!(output(&outputs, "version"), VERSION);
    assert_eq!(output(&outputs, "target"), this_target());
    assert_eq!(
        Path::new(dest),
        tmp.path()
            .join("toolcache/playbook")
            .join(VERSION)
            .join(this_target())
    );
    assert_eq!(path.trim(), dest);
    assert!(version_of(&Path::new(dest).join("playbook")).starts_with("playbook "));
}

#[test]
fn the_action_downloads_from_its_own_repository_by_default() {
    // Checked out by the runner as …/_actions/<owner>/<repo>/<ref>.
    let tmp = tempfile::tempdir().unwrap();
    let action = tmp.path().join("_actions/acme-coaching/playbook/v1");
    std::fs::create_dir_all(action.join("scripts")).unwrap();
    std::fs::copy(script(), action.join("scripts/install.sh")).unwrap();
    let (outputs, _) = run_action(
        &[("version", "v1.2.3"), ("base-url", ""), ("cache", "true")],
        &action,
        tmp.path(),
        true,
    );
    assert_eq!(
        output(&outputs, "base-url"),
        "https://github.com/acme-coaching/playbook/releases/download"
    );
    assert_eq!(output(&outputs, "version"), "1.2.3");
}
