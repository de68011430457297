#!/usr/bin/env bash
# Installs what the judges (tests/judges.rs) need on a fresh Debian/Ubuntu machine:
# Chromium and fonts for Latin and Japanese text (apt), a Java runtime for the Nu Html
# Checker (apt, only when `java` is missing), Node.js and npm (apt, only when `node` is
# missing) and the pinned npm packages of tests/browser (`npm ci`: playwright-core,
# axe-core, vnu-jar).
# Idempotent and non-interactive: safe to run on every CI run, with CI=true and no terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "install-judges: not root and no sudo: cannot install system packages" >&2
    exit 1
  fi
fi

packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
# Without fonts Chromium draws boxes: text metrics, layout and screenshots would be wrong.
for font in fonts-liberation fonts-dejavu-core fonts-ipafont-gothic; do
  dpkg-query -W -f='${Status}' "$font" 2>/dev/null | grep -q "ok installed" || packages+=("$font")
done
command -v java >/dev/null 2>&1 || packages+=(default-jre-headless)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
if [ "${#packages[@]}" -gt 0 ]; then
  echo "== apt-get install ${packages[*]}"
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${packages[@]}"
else
  echo "== chromium, fonts, java and node already installed"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "install-judges: Node.js $node_major is too old: playwright-core needs Node.js 20 or later" >&2
  exit 1
fi

echo "== npm ci (tests/browser)"
# --ignore-scripts: nothing to build, and vnu-jar's postinstall would try to download a
# Java runtime when `java` is missing (the machine may have no internet but the registry).
(cd tests/browser && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)

echo "== versions"
/usr/bin/chromium --version 2>/dev/null || true
java -version 2>&1 | head -n 1
echo "Nu Html Checker $(java -jar tests/browser/node_modules/vnu-jar/build/dist/vnu.jar --version)"
echo "node $(node --version), npm $(npm --version)"
echo "playwright-core $(node -p 'require("./tests/browser/node_modules/playwright-core/package.json").version'), axe-core $(node -p 'require("./tests/browser/node_modules/axe-core/package.json").version')"
