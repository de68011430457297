//! The `playbook` command line: parses arguments, calls the library, prints diagnostics
//! and sets the exit status (0 success, 1 content or config errors, 2 wrong usage).

use clap::{Parser, Subcommand, ValueEnum};
use playbook::content::Kind;
use playbook::diagnostic::{Diagnostic, Diagnostics};
use playbook::{BuildOptions, Summary};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

mod allocator;

/// `playbook --version`: the version and the commit it was built from (see build.rs).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("PLAYBOOK_COMMIT_INFO"),
    ")"
);

/// Build coaching playbooks: prompts, tools, takeaways and case stories in Markdown,
/// published as a fast, searchable static site.
#[derive(Debug, Parser)]
#[command(name = "playbook", version = VERSION, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new playbook: book.toml, an example page of every kind, a GitHub Pages workflow
    Init {
        /// The folder to create the playbook in
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The playbook's title (the folder's name by default)
        #[arg(long)]
        title: Option<String>,
    },
    /// Write a new page with every key of its kind
    New {
        /// The kind of page
        kind: KindArg,
        /// The title (for a prompt, the question itself)
        title: String,
        /// The playbook root (by default the nearest folder, from here up, with `book.toml`)
        dir: Option<PathBuf>,
    },
    /// Build the site into the output folder (atomically: a failed build changes nothing)
    Build {
        /// The playbook root (by default the nearest folder, from here up, with `book.toml`)
        dir: Option<PathBuf>,
        /// Where to write the site (`[build] output-dir` by default)
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// The URL the site is published at (overrides `[book] base-url`)
        #[arg(long)]
        base_url: Option<String>,
        /// Build drafts too
        #[arg(long)]
        drafts: bool,
        /// Print how long each phase took
        #[arg(long, short)]
        verbose: bool,
    },
    /// Preview the site: build in memory, serve it, rebuild and reload on every change
    Serve {
        /// The playbook root (by default the nearest folder, from here up, with `book.toml`)
        dir: Option<PathBuf>,
        /// The port (`[serve] port`, 3000, by default; 0 for any free port)
        #[arg(long, short)]
        port: Option<u16>,
        /// The address to listen on (`[serve] host`, 127.0.0.1, by default)
        #[arg(long)]
        host: Option<String>,
        /// Open the site in the default browser
        #[arg(long)]
        open: bool,
    },
    /// Run every check of `build` without writing anything
    Check {
        /// The playbook root (by default the nearest folder, from here up, with `book.toml`)
        dir: Option<PathBuf>,
        /// Check drafts too
        #[arg(long)]
        drafts: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KindArg {
    Prompt,
    Tool,
    Takeaway,
    Story,
    Playbook,
    Page,
}

impl From<KindArg> for Kind {
    fn from(k: KindArg) -> Kind {
        match k {
            KindArg::Prompt => Kind::Prompt,
            KindArg::Tool => Kind::Tool,
            KindArg::Takeaway => Kind::Takeaway,
            KindArg::Story => Kind::Story,
            KindArg::Playbook => Kind::Playbook,
            KindArg::Page => Kind::Page,
        }
    }
}

/// `word` as one word for a POSIX shell: as it is when it holds only safe characters,
/// in single quotes otherwise.
fn shell_word(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./+,:@".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The playbook root: `dir` when given; otherwise this folder if it holds `book.toml`,
/// else the nearest folder above it that holds `book.toml` and `content/` (as `..`,
/// `../..`: a coach's terminal is often in `content/prompts/`), else this folder, where
/// the command then says there is no `book.toml`. `content/` is asked of the folders
/// above so that another tool's `book.toml` (mdBook's) is not taken for ours.
fn playbook_root(dir: Option<PathBuf>) -> PathBuf {
    let here = PathBuf::from(".");
    if let Some(d) = dir {
        return d;
    }
    if here.join("book.toml").is_file() {
        return here;
    }
    let Ok(mut abs) = std::env::current_dir() else {
        return here;
    };
    let mut up = PathBuf::from("..");
    while abs.pop() {
        if abs.join("book.toml").is_file() && abs.join("content").is_dir() {
            return up;
        }
        up.push("..");
    }
    here
}

fn main() -> ExitCode {
    allocator::tune();
    let cli = Cli::parse();
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    match cli.command {
        Command::Init { dir, title } => match playbook::scaffold::init(&dir, title.as_deref()) {
            Ok(files) => {
                println!(
                    "Created a playbook in `{}` ({} files).",
                    dir.display(),
                    files.len()
                );
                println!();
                println!("Next:");
                // Every step runs in the playbook's folder: `git init` too.
                if dir != std::path::Path::new(".") {
                    println!("  cd {}", shell_word(&dir.display().to_string()));
                }
                println!("  playbook serve            # preview it; pages reload as you save");
                println!(
                    "  playbook new prompt \"What would you remove?\"   # write a page of your own"
                );
                println!("  git init -b main && git add . && git commit -m \"Start our playbook\"");
                println!();
                println!("To publish on GitHub Pages, push to GitHub, then open the repository's");
                println!("Settings → Pages → Source: GitHub Actions. The workflow in");
                println!(".github/workflows/pages.yml builds and deploys on every push to main.");
                ExitCode::SUCCESS
            }
            Err(d) => fail_one(d, color),
        },
        Command::New { kind, title, dir } => {
            match playbook::scaffold::new_page(&playbook_root(dir), kind.into(), &title) {
                Ok(path) => {
                    println!("{}", playbook::display_path(&path));
                    ExitCode::SUCCESS
                }
                Err(d) => fail_one(d, color),
            }
        }
        Command::Build {
            dir,
            out,
            base_url,
            drafts,
            verbose,
        } => {
            let progress = ProgressBar::start();
            playbook::output::stop_cleanly_on_interrupt();
            let opts = BuildOptions {
                root: playbook_root(dir),
                out,
                base_url,
                drafts,
                defer_search: false,
                progress: progress.as_ref().map(|p| p.progress.clone()),
            };
            let result = playbook::build(&opts);
            if let Some(p) = progress {
                p.stop();
            }
            // Without `book.toml` there is no output folder to speak of.
            let after_failure = if opts.root.join("book.toml").is_file() {
                "; the previous output was left unchanged"
            } else {
                ""
            };
            finish(result, "build", after_failure, color, verbose)
        }
        Command::Serve {
            dir,
            port,
            host,
            open,
        } => {
            allocator::for_serve();
            let opts = playbook::serve::ServeOptions {
                root: playbook_root(dir),
                host,
                port,
                open,
            };
            match playbook::serve::serve(&opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(d) => fail_one(d, color),
            }
        }
        Command::Check { dir, drafts } => {
            let opts = BuildOptions {
                root: playbook_root(dir),
                drafts,
                ..Default::default()
            };
            finish(playbook::check(&opts), "check", "", color, false)
        }
    }
}

/// A progress bar on the terminal for builds that take more than a second: none in CI,
/// when stderr is not a terminal, or for quick builds (no flicker).
struct ProgressBar {
    progress: std::sync::Arc<playbook::Progress>,
    done: std::sync::mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl ProgressBar {
    /// Starts watching a build's progress, if a bar may be shown here.
    fn start() -> Option<ProgressBar> {
        if !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
            return None;
        }
        let progress = std::sync::Arc::new(playbook::Progress::default());
        let (done, rx) = std::sync::mpsc::channel::<()>();
        let watched = progress.clone();
        let thread = std::thread::spawn(move || {
            use std::sync::mpsc::RecvTimeoutError;
            use std::time::Duration;
            if rx.recv_timeout(Duration::from_secs(1)) != Err(RecvTimeoutError::Timeout) {
                return;
            }
            let bar = indicatif::ProgressBar::new(0);
            let counted =
                indicatif::ProgressStyle::with_template("{msg:>20} [{bar:30}] {pos}/{len}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> ");
            let plain = indicatif::ProgressStyle::with_template("{msg:>20} …")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            loop {
                let (phase, n, total) = watched.get();
                bar.set_style(if total > 0 {
                    counted.clone()
                } else {
                    plain.clone()
                });
                bar.set_message(phase);
                bar.set_length(total as u64);
                bar.set_position(n.min(total) as u64);
                if rx.recv_timeout(Duration::from_millis(100)) != Err(RecvTimeoutError::Timeout) {
                    break;
                }
            }
            bar.finish_and_clear();
        });
        Some(ProgressBar {
            progress,
            done,
            thread,
        })
    }

    /// Clears the bar before the summary is printed.
    fn stop(self) {
        let _ = self.done.send(());
        let _ = self.thread.join();
    }
}

/// 10000 → "10,000".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn fail_one(d: Diagnostic, color: bool) -> ExitCode {
    eprintln!("{}", d.render(color));
    ExitCode::FAILURE
}

/// How many diagnostics of a failed run are shown with their source line; the rest get
/// one line each (`file:line:column: error: message`).
const FULL_DIAGNOSTICS: usize = 50;

/// Prints warnings or errors and the one-line summary; returns the exit status.
/// `after_failure` ends the summary of a failed run (what was left as it was).
fn finish(
    result: Result<Summary, Diagnostics>,
    what: &str,
    after_failure: &str,
    color: bool,
    verbose: bool,
) -> ExitCode {
    match result {
        Ok(summary) => {
            for w in &summary.warnings {
                eprintln!("{}\n", w.render(color));
            }
            if verbose {
                let cores = std::thread::available_parallelism().map_or(1, usize::from);
                for phase in &summary.timings.phases {
                    let ms = phase.took.as_secs_f64() * 1000.0;
                    let name = phase.name;
                    match phase.cores(cores) {
                        Some(busy) => eprintln!("{name:>16}: {ms:>7.1} ms  {busy:>4.2} cores"),
                        None => eprintln!("{name:>16}: {ms:>7.1} ms"),
                    }
                }
            }
            let secs = summary.elapsed.as_secs_f64();
            match &summary.out {
                Some(out) => println!(
                    "Built {} pages ({} files) in {secs:.2} s into {}",
                    thousands(summary.pages),
                    thousands(summary.files),
                    playbook::display_path(out)
                ),
                None => match summary.warnings.len() {
                    0 => println!(
                        "Checked {} pages in {secs:.2} s: no problems found",
                        thousands(summary.pages)
                    ),
                    n => println!(
                        "Checked {} pages in {secs:.2} s: no errors, {} {}",
                        thousands(summary.pages),
                        thousands(n),
                        if n == 1 { "warning" } else { "warnings" }
                    ),
                },
            }
            ExitCode::SUCCESS
        }
        Err(diags) => {
            let errors = diags.error_count();
            let sorted = diags.sorted();
            // Every problem is reported (SPEC), but past the first screenfuls one line
            // each: 100,000 broken links would otherwise print 100,000 snippets (40 MB).
            let hidden = sorted.len().saturating_sub(FULL_DIAGNOSTICS);
            for (i, d) in sorted.iter().enumerate() {
                if i < FULL_DIAGNOSTICS {
                    eprintln!("{}\n", d.render(color));
                    continue;
                }
                if i == FULL_DIAGNOSTICS {
                    eprintln!(
                        "note: {} more problems, one line each (the first {FULL_DIAGNOSTICS} are shown in full above):",
                        thousands(hidden)
                    );
                }
                eprintln!("{}", d.short());
            }
            if hidden > 0 {
                eprintln!();
            }
            let noun = if errors == 1 { "error" } else { "errors" };
            eprintln!(
                "error: {what} failed with {} {noun}{after_failure}",
                thousands(errors)
            );
            ExitCode::FAILURE
        }
    }
}
