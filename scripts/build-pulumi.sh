#!/usr/bin/env bash
# Builds the Pulumi CLI (and, when resolvable, the Node.js language host) from the Go module
# proxy, because the official binaries cannot be downloaded on these machines.
# Binaries are cached outside the clone so only a fresh machine pays for the build.
#
#   scripts/build-pulumi.sh            # prints the bin directory on success
#   PULUMI_BUILD_CACHE=/some/dir scripts/build-pulumi.sh
set -euo pipefail

PULUMI_VERSION="${PULUMI_VERSION:-v3.274.1}"
# The language host module is untagged; this pseudo-version points at the v3.274.1 commit.
LANGUAGE_HOST_VERSION="${PULUMI_LANGUAGE_HOST_VERSION:-}"
CACHE_ROOT="${PULUMI_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clerkguard}"
BIN_DIR="$CACHE_ROOT/pulumi-$PULUMI_VERSION/bin"
LDFLAGS="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"

log() { echo "build-pulumi: $*" >&2; }

mkdir -p "$BIN_DIR"

if [[ -x "$BIN_DIR/pulumi" ]] && "$BIN_DIR/pulumi" version 2>/dev/null | grep -qx "$PULUMI_VERSION"; then
  log "cached pulumi $PULUMI_VERSION in $BIN_DIR"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  log "building pulumi $PULUMI_VERSION (this takes several minutes on a fresh machine)"
  cat > "$work/go.mod" <<MOD
module clerkguard.local/pulumi-build

go 1.26

require (
	github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION
)
MOD
  cat > "$work/tools.go" <<'GO'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GO
  (cd "$work" && GOFLAGS=-mod=mod go mod tidy -e >/dev/null 2>&1 || true)
  (cd "$work" && GOFLAGS=-mod=mod go build -trimpath -ldflags "$LDFLAGS" -o "$BIN_DIR/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  "$BIN_DIR/pulumi" version >&2
fi

if [[ -n "$LANGUAGE_HOST_VERSION" && ! -x "$BIN_DIR/pulumi-language-nodejs" ]]; then
  work2="$(mktemp -d)"
  log "building pulumi-language-nodejs $LANGUAGE_HOST_VERSION"
  cat > "$work2/go.mod" <<MOD
module clerkguard.local/pulumi-language-build

go 1.26

require github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 $LANGUAGE_HOST_VERSION
MOD
  (cd "$work2" && GOFLAGS=-mod=mod go build -trimpath -ldflags "$LDFLAGS" -o "$BIN_DIR/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) \
    || log "could not build the Node.js language host; Automation API inline programs still work"
  rm -rf "$work2"
fi

echo "$BIN_DIR"
