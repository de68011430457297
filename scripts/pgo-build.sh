#!/usr/bin/env bash
# Builds playbook with profile-guided optimisation (PGO): an instrumented build first,
# which then builds the playbooks of this repository (the bundled example, the test
# fixtures, a fresh `playbook init`) to record which branches and calls are hot; then
# the release build, which the compiler lays out and inlines by that profile.
#
# Measured on x86_64 Linux with glibc against `cargo build --release`: 14.6 % fewer
# instructions (callgrind, 1,000 pages) and 13 % less wall time (10,000 pages, 11
# interleaved builds each); benches/build.py prints both builds as rows. The training
# never sees the benchmark's pages: only what this repository holds.
#
#   scripts/pgo-build.sh                          # for this machine
#   CC_x86_64_unknown_linux_musl=musl-gcc scripts/pgo-build.sh --target x86_64-unknown-linux-musl
#
# The instrumented binary must run here, so --target names a target this machine runs.
# A musl target needs a C compiler for musl (mimalloc is C): Debian's `musl-tools`.
# Not `cargo zigbuild`: zig's linker refuses the instrumented binary's
# `-u __llvm_profile_runtime`. (The static musl build took 14 % fewer instructions too,
# but barely less time: musl's own memcpy, 12 % of its time against glibc's 6 %, stays.)
#
# Needs llvm-profdata of the LLVM rustc was built with: `rustup component add llvm-tools`
# (or LLVM_PROFDATA=/path/to/llvm-profdata). The last line printed is the binary's path.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
target=""
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="$2"; shift 2 ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "pgo-build.sh: unknown argument \`$1\` (see --help)" >&2; exit 2 ;;
  esac
done

host="$(rustc -vV | sed -n 's/^host: //p')"
profdata="${LLVM_PROFDATA:-$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata}"
if [ ! -x "$profdata" ]; then
  llvm="$(rustc -vV | sed -n 's/^LLVM version: //p')"
  echo "pgo-build.sh: llvm-profdata not found at $profdata" >&2
  echo "  install it with \`rustup component add llvm-tools\`, or set LLVM_PROFDATA to an" >&2
  echo "  llvm-profdata of LLVM ${llvm%%.*} (the version rustc was built with)" >&2
  exit 1
fi

target_args=()
triple_dir=""
if [ -n "$target" ]; then
  target_args=(--target "$target")
  triple_dir="$target/"
fi
profiles="$root/target/pgo-profiles"
rm -rf "$profiles"
mkdir -p "$profiles/raw"
# Its own target folders, so the plain release build in target/release stays as it was.
gen_dir="$root/target/pgo-generate"
use_dir="$root/target/pgo"

# The profile must come from a build for the same target: symbol names carry a hash of
# the target, so another target's profile matches almost nothing.
echo "pgo-build.sh: instrumented build" >&2
RUSTFLAGS="${RUSTFLAGS:-} -Cprofile-generate=$profiles/raw" \
  cargo build --release --locked "${target_args[@]}" --target-dir "$gen_dir" --quiet
instrumented="$gen_dir/${triple_dir}release/playbook"

echo "pgo-build.sh: training on this repository's playbooks" >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
train() {
  # Every training run must succeed: a failing one would profile the error path only.
  if ! "$instrumented" "$@" >"$work/log" 2>&1; then
    echo "pgo-build.sh: training run failed: playbook $*" >&2
    cat "$work/log" >&2
    exit 1
  fi
}
train build "$root" --out "$work/example"
train check "$root"
train build "$root/tests/fixtures/reader" --out "$work/reader"
train build "$root/tests/fixtures/search/playbook" --out "$work/search"
train init "$work/new"
train build "$work/new" --out "$work/new-out"
# A second build of the same site writes over the output the first one replaced.
train build "$root" --out "$work/example"

"$profdata" merge -o "$profiles/merged.profdata" "$profiles/raw"

echo "pgo-build.sh: optimised build" >&2
RUSTFLAGS="${RUSTFLAGS:-} -Cprofile-use=$profiles/merged.profdata" \
  cargo build --release --locked "${target_args[@]}" --target-dir "$use_dir" --quiet
echo "$use_dir/${triple_dir}release/playbook"
