#!/usr/bin/env bash
# Builds the Pulumi CLI (and, when a resolvable version is given, the Node.js language host)
# from the Go module proxy, because the official binaries cannot be downloaded on these machines.
# Binaries are cached outside the clone, so only a fresh machine pays for the build; a warm
# machine does nothing but print the bin directory.
#
#   scripts/build-pulumi.sh                        # prints the bin directory on stdout
#   PULUMI_BUILD_CACHE=/some/dir scripts/build-pulumi.sh
#   PULUMI_LANGUAGE_HOST_VERSION=v3.0.0-<yyyymmddhhmmss>-<12 hex> scripts/build-pulumi.sh
#
# Everything except the final bin directory goes to stderr. Any failure exits non-zero.
#
# Besides `pulumi`, the bin directory gets `pulumi-analyzer-policy-nodejs`, a small launcher that
# lets `--policy-pack` run Node.js policy packs when no `pulumi-language-nodejs` is installed
# (the CLI falls back to that analyzer plugin name and runs it in the policy pack directory).
set -euo pipefail

PULUMI_VERSION="${PULUMI_VERSION:-v3.274.1}"
# The language host module is untagged and needs a pseudo-version. The module proxy reachable from
# these machines does not serve any version of it (tried: @v/list, @latest and pseudo-versions of the
# v3.259.0 / pkg/v3.259.0 / pkg/v3.260.0 tag commits), so it is opt-in.
LANGUAGE_HOST_VERSION="${PULUMI_LANGUAGE_HOST_VERSION:-}"
CACHE_ROOT="${PULUMI_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clerkguard}"
PREFIX="$CACHE_ROOT/pulumi-$PULUMI_VERSION"
BIN_DIR="$PREFIX/bin"
# Bump when the way the binaries are built changes, so stale caches are rebuilt.
RECIPE=2
LDFLAGS="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
PKG_MOD=github.com/pulumi/pulumi/pkg/v3
SDK_MOD=github.com/pulumi/pulumi/sdk/v3
LANG_MOD=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3

log() { echo "build-pulumi: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "go is not on PATH (need Go >= 1.26 or GOTOOLCHAIN=auto)"
command -v node >/dev/null 2>&1 || die "node is not on PATH"
[[ "$PULUMI_VERSION" =~ ^v3\.[0-9]+\.[0-9]+$ ]] || die "PULUMI_VERSION must look like v3.X.Y, got '$PULUMI_VERSION'"

# Module-mode builds only; the wrapper module is never vendored. Keep the user's other GOFLAGS.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"
export GOWORK=off
export PULUMI_SKIP_UPDATE_CHECK=true

mkdir -p "$BIN_DIR"

# One build at a time per cache directory (CI jobs and parallel shells share the cache).
exec 9>"$PREFIX/.lock"
if ! flock -n 9; then
  log "another build is running for $PREFIX; waiting for it"
  flock 9
fi

WORK_DIRS=()
cleanup() { local d; for d in "${WORK_DIRS[@]}"; do rm -rf "$d"; done; }
trap cleanup EXIT
new_work_dir() { local d; d="$(mktemp -d "${TMPDIR:-/tmp}/clerkguard-pulumi-build.XXXXXX")"; WORK_DIRS+=("$d"); echo "$d"; }

# Copies the module-to-module `replace` and the `exclude` directives of a dependency's go.mod into
# the current directory's go.mod. Go ignores replace/exclude directives of dependencies, so the
# wrapper must restate them to build what upstream builds. Local-path replaces (e.g. `=> ../sdk`)
# are skipped; the callers pin those modules explicitly.
adopt_directives() {
  local gomod="$1" edits
  edits="$(go mod edit -json "$gomod" | node -e '
    const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const out = [];
    for (const r of j.Replace || []) {
      if (!r.New.Version) continue; // local directory replacement
      const oldSpec = r.Old.Version ? `${r.Old.Path}@${r.Old.Version}` : r.Old.Path;
      out.push(`-replace=${oldSpec}=${r.New.Path}@${r.New.Version}`);
    }
    for (const e of j.Exclude || []) out.push(`-exclude=${e.Path}@${e.Version}`);
    process.stdout.write(out.join("\n"));
  ')" || die "could not read $gomod"
  if [[ -n "$edits" ]]; then
    local -a args
    mapfile -t args <<<"$edits"
    log "adopting from $(basename "$(dirname "$gomod")")/$(basename "$gomod"): ${args[*]}"
    go mod edit "${args[@]}"
  fi
}

# Prints the path of the downloaded go.mod of module@version.
module_gomod() {
  local out
  out="$(go mod download -json "$1@$2")" || die "go mod download $1@$2 failed (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"
  printf '%s' "$out" | node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8")); if (!j.GoMod) process.exit(1); process.stdout.write(j.GoMod)' \
    || die "no go.mod for $1@$2"
}

stamp_ok() { [[ -f "$BIN_DIR/.$1.recipe" && "$(cat "$BIN_DIR/.$1.recipe")" == "$RECIPE $2" ]]; }

# ---------------------------------------------------------------------------------------------
# pulumi
# ---------------------------------------------------------------------------------------------
if [[ -x "$BIN_DIR/pulumi" ]] && stamp_ok pulumi "$PULUMI_VERSION" &&
  [[ "$("$BIN_DIR/pulumi" version 2>/dev/null)" == "$PULUMI_VERSION" ]]; then
  log "cached pulumi $PULUMI_VERSION in $BIN_DIR"
else
  started=$SECONDS
  work="$(new_work_dir)"
  log "building pulumi $PULUMI_VERSION in $work (15-30 minutes on a fresh 2-core machine)"
  (
    cd "$work"
    go mod init clerkguard.local/pulumi-build >/dev/null 2>&1
    cat >tools.go <<'GO'
//go:build tools

// Package tools pins the Pulumi CLI main package so `go mod tidy` keeps its dependencies.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GO
    go mod edit -require="$PKG_MOD@$PULUMI_VERSION" -require="$SDK_MOD@$PULUMI_VERSION"
    # pkg/v3 replaces sdk/v3 with ../sdk upstream; pin it to the same tag instead.
    go mod edit -replace="$SDK_MOD=$SDK_MOD@$PULUMI_VERSION"
    adopt_directives "$(module_gomod "$SDK_MOD" "$PULUMI_VERSION")"
    adopt_directives "$(module_gomod "$PKG_MOD" "$PULUMI_VERSION")"
    go mod tidy >&2 || { log "go.mod was:"; cat go.mod >&2; exit 1; }
    go build -trimpath -ldflags "$LDFLAGS" -o "$work/pulumi" "$PKG_MOD/cmd/pulumi" >&2
  ) || die "building pulumi $PULUMI_VERSION failed"
  got="$("$work/pulumi" version 2>&1)" || die "the built pulumi does not run: $got"
  [[ "$got" == "$PULUMI_VERSION" ]] || die "the built pulumi reports version '$got', expected '$PULUMI_VERSION'"
  mv -f "$work/pulumi" "$BIN_DIR/pulumi"
  echo "$RECIPE $PULUMI_VERSION" >"$BIN_DIR/.pulumi.recipe"
  log "built pulumi $PULUMI_VERSION in $((SECONDS - started))s"
fi

# ---------------------------------------------------------------------------------------------
# pulumi-language-nodejs (optional)
# ---------------------------------------------------------------------------------------------
if [[ -n "$LANGUAGE_HOST_VERSION" ]]; then
  if [[ -x "$BIN_DIR/pulumi-language-nodejs" ]] && stamp_ok pulumi-language-nodejs "$LANGUAGE_HOST_VERSION"; then
    log "cached pulumi-language-nodejs $LANGUAGE_HOST_VERSION in $BIN_DIR"
  else
    started=$SECONDS
    work="$(new_work_dir)"
    log "building pulumi-language-nodejs $LANGUAGE_HOST_VERSION in $work"
    (
      cd "$work"
      go mod init clerkguard.local/pulumi-language-build >/dev/null 2>&1
      cat >tools.go <<'GO'
//go:build tools

// Package tools pins the language host main package so `go mod tidy` keeps its dependencies.
package tools

import _ "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
GO
      go mod edit -require="$LANG_MOD@$LANGUAGE_HOST_VERSION"
      # Upstream replaces pkg/v3 and sdk/v3 with ../../../../pkg and ../../..; use the CLI's tag.
      go mod edit -replace="$PKG_MOD=$PKG_MOD@$PULUMI_VERSION" -replace="$SDK_MOD=$SDK_MOD@$PULUMI_VERSION"
      adopt_directives "$(module_gomod "$LANG_MOD" "$LANGUAGE_HOST_VERSION")"
      go mod tidy >&2 || { log "go.mod was:"; cat go.mod >&2; exit 1; }
      go build -trimpath -ldflags "$LDFLAGS" -o "$work/pulumi-language-nodejs" "$LANG_MOD" >&2
    ) || die "building pulumi-language-nodejs $LANGUAGE_HOST_VERSION failed (unset PULUMI_LANGUAGE_HOST_VERSION to skip it; Automation API inline programs do not need it)"
    mv -f "$work/pulumi-language-nodejs" "$BIN_DIR/pulumi-language-nodejs"
    echo "$RECIPE $LANGUAGE_HOST_VERSION" >"$BIN_DIR/.pulumi-language-nodejs.recipe"
    log "built pulumi-language-nodejs in $((SECONDS - started))s"
  fi
elif [[ ! -x "$BIN_DIR/pulumi-language-nodejs" ]]; then
  log "skipping pulumi-language-nodejs (set PULUMI_LANGUAGE_HOST_VERSION to a pseudo-version the proxy serves);" \
    "Automation API inline programs and policy packs work without it, 'pulumi up' of a Pulumi.yaml project does not"
fi

# ---------------------------------------------------------------------------------------------
# pulumi-analyzer-policy-nodejs: without a nodejs language plugin the CLI starts this analyzer
# plugin as `pulumi-analyzer-policy-nodejs <engine-address> .` in the policy pack directory. It
# runs the pack with the policy pack's own @pulumi/pulumi (cmd/run-policy-pack).
# ---------------------------------------------------------------------------------------------
analyzer="$BIN_DIR/pulumi-analyzer-policy-nodejs"
cat >"$analyzer.tmp" <<'SH'
#!/bin/sh
# Generated by clerkguard scripts/build-pulumi.sh. Usage: pulumi-analyzer-policy-nodejs <engine-address> <pack-dir>
runner=$(node -e 'process.stdout.write(require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [process.cwd()] }))' 2>/dev/null) || {
  echo "pulumi-analyzer-policy-nodejs: cannot find @pulumi/pulumi/cmd/run-policy-pack from $(pwd); run npm install in the policy pack" >&2
  exit 1
}
exec node "$runner" "$@"
SH
chmod +x "$analyzer.tmp"
mv -f "$analyzer.tmp" "$analyzer"

echo "$BIN_DIR"
