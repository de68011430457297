#!/bin/sh
# Installs a released `playbook` binary: downloads the archive built for this OS and CPU,
# checks its SHA-256 checksum, and puts `playbook` in a folder.
#
#   curl -fsSL https://raw.githubusercontent.com/example/playbook/main/scripts/install.sh | sh
#   curl -fsSL https://raw.githubusercontent.com/example/playbook/main/scripts/install.sh \
#     | sh -s -- --version 0.1.0 --dest "$HOME/.local/bin"
#
# Options:
#   --version V     the release to install, `0.1.0` or `v0.1.0` (default: latest)
#   --dest DIR      where to put the binary (default: $HOME/.local/bin)
#   --base-url URL  where releases are downloaded from; the archive is fetched from
#                   URL/v<version>/playbook-<version>-<target>.tar.gz (.zip on Windows),
#                   its checksum from the same address plus `.sha256`
#                   (default: https://github.com/example/playbook/releases/download)
#   --target T      the Rust target triple of the archive (default: this machine's)
#   --print-target  print the target this machine needs, and stop
#   --print-version print the version `--version` resolves to, and stop
#   -h, --help      this text
#
# The GitHub Action in action.yml runs this script; RUNNER_OS and RUNNER_ARCH, when set,
# choose the target. Needs: sh, tar (unzip or PowerShell for Windows), curl or wget, and
# sha256sum, shasum or openssl. Exit status: 0 installed, 1 failed, 2 wrong usage.
set -eu

# The one place that names the repository releases come from.
DEFAULT_BASE_URL="https://github.com/example/playbook/releases/download"

version=latest
dest=
base_url=${PLAYBOOK_BASE_URL:-$DEFAULT_BASE_URL}
target=
action=install
tmp=

say() { printf 'playbook install: %s\n' "$*" >&2; }
die() {
    printf 'playbook install: error: %s\n' "$*" >&2
    exit 1
}
usage_error() {
    printf 'playbook install: error: %s\n(run with --help for the options)\n' "$*" >&2
    exit 2
}
usage() {
    cat <<EOF
Installs a released \`playbook\` binary, its SHA-256 checksum verified.

usage: install.sh [--version V] [--dest DIR] [--base-url URL] [--target T]

  --version V     the release to install, 0.1.0 or v0.1.0 (default: latest)
  --dest DIR      where to put the binary (default: \$HOME/.local/bin)
  --base-url URL  where releases are downloaded from (default: $DEFAULT_BASE_URL)
  --target T      the Rust target triple of the archive (default: this machine's)
  --print-target  print the target this machine needs, and stop
  --print-version print the version --version resolves to, and stop
EOF
}
cleanup() { if [ -n "$tmp" ]; then rm -rf "$tmp"; fi; }
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

need_value() {
    if [ "$#" -lt 2 ] || [ -z "$2" ]; then usage_error "$1 needs a value"; fi
}

while [ "$#" -gt 0 ]; do
    case "$1" in
    --version) need_value "$@"; version=$2; shift 2 ;;
    --version=*) version=${1#*=}; shift ;;
    --dest) need_value "$@"; dest=$2; shift 2 ;;
    --dest=*) dest=${1#*=}; shift ;;
    --base-url) need_value "$@"; base_url=$2; shift 2 ;;
    --base-url=*) base_url=${1#*=}; shift ;;
    --target) need_value "$@"; target=$2; shift 2 ;;
    --target=*) target=${1#*=}; shift ;;
    --print-target) action=print-target; shift ;;
    --print-version) action=print-version; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown option \`$1\`" ;;
    esac
done

base_url=${base_url%/}
version=${version#v}
[ -n "$version" ] || usage_error "--version is empty"

# The Rust target triple of the release archive this machine runs. Linux gets the static
# musl build, which runs on any distribution.
detect_target() {
    if [ -n "${RUNNER_OS:-}" ]; then
        os=$RUNNER_OS
        arch=${RUNNER_ARCH:-X64}
    else
        os=$(uname -s)
        arch=$(uname -m)
    fi
    case "$os" in
    Linux | linux) os=unknown-linux-musl ;;
    macOS | Darwin) os=apple-darwin ;;
    Windows | MINGW* | MSYS* | CYGWIN* | Windows_NT) os=pc-windows-msvc ;;
    *) die "no release is built for the operating system \`$os\`; install with \`cargo install playbook-ssg\` instead" ;;
    esac
    case "$arch" in
    X64 | x86_64 | amd64 | AMD64) arch=x86_64 ;;
    ARM64 | arm64 | aarch64 | aarch64_be) arch=aarch64 ;;
    *) die "no release is built for the processor \`$arch\`; install with \`cargo install playbook-ssg\` instead" ;;
    esac
    # Windows on Arm runs the x86_64 build.
    if [ "$os" = pc-windows-msvc ]; then arch=x86_64; fi
    # A Mac under Rosetta reports x86_64: prefer the native build.
    if [ "$os" = apple-darwin ] && [ "$arch" = x86_64 ] && [ -z "${RUNNER_OS:-}" ] &&
        [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then
        arch=aarch64
    fi
    echo "$arch-$os"
}

[ -n "$target" ] || target=$(detect_target)
if [ "$action" = print-target ]; then
    echo "$target"
    exit 0
fi

if command -v curl >/dev/null 2>&1; then
    fetcher=curl
elif command -v wget >/dev/null 2>&1; then
    fetcher=wget
else
    die "neither curl nor wget is installed: install one of them (e.g. \`apt-get install curl\`) and run this again"
fi

# download URL FILE: 0 when saved; otherwise says why (naming the HTTP status) and
# returns 1. Redirects are followed (GitHub serves release files from another host).
http_status=
download() {
    http_status=
    if [ "$fetcher" = curl ]; then
        if http_status=$(curl --silent --show-error --location --retry 3 --connect-timeout 20 \
            --output "$2" --write-out '%{http_code}' "$1"); then
            case "$http_status" in 2*) return 0 ;; esac
        fi
    else
        if wget --quiet --tries=3 --timeout=20 --output-document="$2" "$1"; then
            return 0
        fi
        # wget prints no status when quiet: ask once more for the headers.
        http_status=$(wget --spider --server-response --tries=1 --timeout=20 "$1" 2>&1 |
            awk '/^ *HTTP\//{code=$2} END{print code}') || true
    fi
    return 1
}

# `latest`: GitHub redirects <repo>/releases/latest to <repo>/releases/tag/v<version>.
resolve_latest() {
    case "$base_url" in
    */releases/download) ;;
    *) die "cannot find the latest release under $base_url: give a version, e.g. --version 0.1.0" ;;
    esac
    page=${base_url%/download}/latest
    if [ "$fetcher" = curl ]; then
        url=$(curl --silent --show-error --location --retry 3 --connect-timeout 20 \
            --output /dev/null --write-out '%{url_effective}' "$page") || url=
    else
        url=$(wget --spider --server-response --max-redirect=10 --timeout=20 "$page" 2>&1 |
            awk 'tolower($1)=="location:"{loc=$2} END{print loc}' | tr -d '\r') || url=
    fi
    case "$url" in
    */tag/v*) echo "${url##*/tag/v}" ;;
    *) die "could not find the latest release at $page (is there a published release?); give a version, e.g. --version 0.1.0" ;;
    esac
}

if [ "$version" = latest ]; then
    version=$(resolve_latest)
fi
if [ "$action" = print-version ]; then
    echo "$version"
    exit 0
fi

case "$target" in
*windows*) ext=zip exe=playbook.exe ;;
*) ext=tar.gz exe=playbook ;;
esac
archive="playbook-$version-$target.$ext"
url="$base_url/v$version/$archive"
[ -n "$dest" ] || dest="${HOME:?set HOME or give --dest}/.local/bin"

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | awk '{print $1}'
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | awk '{print $1}'
    elif command -v openssl >/dev/null 2>&1; then
        openssl dgst -sha256 "$1" | awk '{print $NF}'
    else
        die "no SHA-256 tool found (sha256sum, shasum or openssl): cannot verify the checksum"
    fi
}

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t playbook-install)

say "downloading playbook $version for $target"
say "  from $url"
if ! download "$url" "$tmp/$archive"; then
    case "$http_status" in
    404) die "playbook $version has no release archive for $target: $url was not found (HTTP 404). Check the version number; the releases are listed at ${base_url%/download}" ;;
    "" | 000) die "could not download $url (no answer from the server: check the network or --base-url)" ;;
    *) die "could not download $url (HTTP $http_status)" ;;
    esac
fi
if ! download "$url.sha256" "$tmp/$archive.sha256"; then
    die "playbook $version for $target has no checksum file: $url.sha256 could not be downloaded (HTTP ${http_status:-no answer}); refusing to install an unverified binary"
fi

expected=$(awk 'NR==1{print tolower($1)}' "$tmp/$archive.sha256")
actual=$(sha256_of "$tmp/$archive")
case "$expected" in
*[!0-9a-f]* | "") die "the checksum file $url.sha256 holds no SHA-256 checksum; refusing to install an unverified binary" ;;
esac
if [ ${#expected} -ne 64 ]; then
    die "the checksum file $url.sha256 holds no SHA-256 checksum; refusing to install an unverified binary"
fi
if [ "$expected" != "$actual" ]; then
    die "checksum mismatch for $archive: expected SHA-256 $expected, got $actual. The download is damaged or not the published file; nothing was installed"
fi
say "checksum verified (SHA-256 $actual)"

mkdir "$tmp/unpacked"
if [ "$ext" = zip ]; then
    if command -v unzip >/dev/null 2>&1; then
        unzip -q "$tmp/$archive" -d "$tmp/unpacked"
    elif command -v powershell >/dev/null 2>&1 || command -v pwsh >/dev/null 2>&1; then
        ps=$(command -v pwsh || command -v powershell)
        win_tmp=$tmp
        if command -v cygpath >/dev/null 2>&1; then win_tmp=$(cygpath -w "$tmp"); fi
        "$ps" -NoProfile -Command "Expand-Archive -LiteralPath '$win_tmp/$archive' -DestinationPath '$win_tmp/unpacked'"
    else
        tar -xf "$tmp/$archive" -C "$tmp/unpacked" ||
            die "cannot unpack $archive: install unzip"
    fi
else
    tar -xzf "$tmp/$archive" -C "$tmp/unpacked" || die "cannot unpack $archive (is it a .tar.gz?)"
fi

# The binary sits at the top of the archive, or one folder down.
if [ -f "$tmp/unpacked/$exe" ]; then
    binary="$tmp/unpacked/$exe"
else
    binary=
    for candidate in "$tmp"/unpacked/*/"$exe"; do
        if [ -f "$candidate" ]; then binary=$candidate; break; fi
    done
    [ -n "$binary" ] || die "$archive holds no \`$exe\`"
fi

mkdir -p "$dest" || die "cannot create the folder $dest"
# Copy, then rename: a running `playbook` is never half-overwritten.
cp "$binary" "$dest/.$exe.new" || die "cannot write to $dest"
chmod 755 "$dest/.$exe.new"
mv -f "$dest/.$exe.new" "$dest/$exe" || die "cannot write $dest/$exe"
say "installed $dest/$exe"

case ":${PATH:-}:" in
*":$dest:"*) ;;
*) if [ -z "${GITHUB_ACTIONS:-}" ]; then say "add $dest to your PATH to run \`playbook\` from anywhere"; fi ;;
esac
