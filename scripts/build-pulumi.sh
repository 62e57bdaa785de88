#!/usr/bin/env bash
# Builds the Pulumi CLI (from the Go module proxy) and the Node.js language host (from the upstream
# source in ../shared/pulumi-language-nodejs), because the official binaries cannot be downloaded on
# these machines. Binaries are cached outside the clone (the CLI by version, the language host by
# the hash of its sources), so only a fresh machine pays for the build; a warm machine does nothing
# but print the bin directory.
#
#   scripts/build-pulumi.sh                        # prints the bin directory on stdout
#   PULUMI_BUILD_CACHE=/some/dir scripts/build-pulumi.sh
#   PULUMI_LANGUAGE_HOST_SRC=/path/to/pulumi-language-nodejs scripts/build-pulumi.sh
#
# Everything except the final bin directory goes to stderr. Any failure exits non-zero.
#
# The bin directory holds what an official Pulumi install ships beside `pulumi`, so only it has
# to be on PATH:
#   pulumi                          the CLI and engine
#   pulumi-language-nodejs          runs `runtime: nodejs` programs (Pulumi.yaml) and policy packs
#   pulumi-resource-pulumi-nodejs   the dynamic-provider plugin launcher. It runs
#     @pulumi/pulumi/cmd/dynamic-provider resolved from the plugin's working directory (the project
#     directory), so that directory must be inside a Node project with @pulumi/pulumi installed
#     (or NODE_PATH must point at such a node_modules).
set -euo pipefail

PULUMI_VERSION="${PULUMI_VERSION:-v3.274.1}"
# The Node.js language host's source (the module proxy does not serve it): see its README.
LANGUAGE_HOST_SRC="${PULUMI_LANGUAGE_HOST_SRC:-$(cd "$(dirname "$0")/.." && pwd)/../shared/pulumi-language-nodejs}"
CACHE_ROOT="${PULUMI_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/clerkguard}"
PREFIX="$CACHE_ROOT/pulumi-$PULUMI_VERSION"
BIN_DIR="$PREFIX/bin"
# Bump when the way the binaries are built changes, so stale caches are rebuilt.
RECIPE=2
LDFLAGS="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
PKG_MOD=github.com/pulumi/pulumi/pkg/v3
SDK_MOD=github.com/pulumi/pulumi/sdk/v3

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

# Prints the path of the downloaded go.mod of <module>@<version>; exits non-zero with the proxy's error.
module_gomod() {
  local dir="$1" mod="$2" ver="$3" out res
  out="$(go -C "$dir" mod download -json "$mod@$ver" 2>/dev/null)" || true
  res="$(printf '%s' "$out" | node -e '
    let j = {};
    try { j = JSON.parse(require("fs").readFileSync(0, "utf8")); } catch { j.Error = "no JSON from go mod download"; }
    if (j.Error || !j.GoMod) { process.stdout.write(j.Error || "no go.mod in the download"); process.exit(1); }
    process.stdout.write(j.GoMod);
  ')" || die "cannot download $mod@$ver (GOPROXY=$(go env GOPROXY)): $res"
  printf '%s' "$res"
}

# Copies the module-to-module `replace` and the `exclude` directives of a dependency's go.mod into
# the wrapper's go.mod. Go ignores replace/exclude directives of dependencies, so the wrapper must
# restate them to build what upstream builds. Local-path replaces (e.g. `=> ../sdk`) are skipped;
# the callers pin those modules explicitly.
adopt_directives() {
  local dir="$1" mod="$2" ver="$3" gomod edits
  gomod="$(module_gomod "$dir" "$mod" "$ver")" || exit 1
  edits="$(go -C "$dir" mod edit -json "$gomod" | node -e '
    const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const out = [];
    for (const r of j.Replace || []) {
      if (!r.New.Version) continue; // local directory replacement
      const oldSpec = r.Old.Version ? `${r.Old.Path}@${r.Old.Version}` : r.Old.Path;
      out.push(`-replace=${oldSpec}=${r.New.Path}@${r.New.Version}`);
    }
    for (const e of j.Exclude || []) out.push(`-exclude=${e.Path}@${e.Version}`);
    process.stdout.write(out.join("\n"));
  ')" || die "could not read the go.mod of $mod@$ver ($gomod)"
  if [[ -n "$edits" ]]; then
    local -a args
    mapfile -t args <<<"$edits"
    log "adopting from the go.mod of $mod@$ver: ${args[*]}"
    go -C "$dir" mod edit "${args[@]}" || die "go mod edit ${args[*]} failed"
  fi
}

# new_wrapper <module name> <main package>: prints a fresh temp dir holding a wrapper module whose
# tools.go imports the main package (so `go mod tidy` keeps its dependencies).
new_wrapper() {
  local dir
  dir="$(mktemp -d "${TMPDIR:-/tmp}/clerkguard-pulumi-build.XXXXXX")" || die "mktemp failed"
  go -C "$dir" mod init "$1" 2>/dev/null || die "go mod init failed in $dir"
  printf '//go:build tools\n\n// Package tools pins %s for go mod tidy.\npackage tools\n\nimport _ "%s"\n' "$2" "$2" >"$dir/tools.go"
  printf '%s' "$dir"
}

# tidy_and_build <dir> <main package> <output>
tidy_and_build() {
  go -C "$1" mod tidy >&2 || { log "go mod tidy failed; the wrapper go.mod was:"; cat "$1/go.mod" >&2; die "go mod tidy failed"; }
  go -C "$1" build -trimpath -ldflags "$LDFLAGS" -o "$3" "$2" >&2 || die "go build $2 failed"
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
  work="$(new_wrapper clerkguard.local/pulumi-build "$PKG_MOD/cmd/pulumi")" || exit 1
  WORK_DIRS+=("$work")
  log "building pulumi $PULUMI_VERSION in $work (about 8 minutes on a fresh 2-core machine; much less with a warm Go build cache)"
  go -C "$work" mod edit -require="$PKG_MOD@$PULUMI_VERSION" -require="$SDK_MOD@$PULUMI_VERSION" \
    -replace="$SDK_MOD=$SDK_MOD@$PULUMI_VERSION" || die "go mod edit failed" # upstream: sdk/v3 => ../sdk
  adopt_directives "$work" "$SDK_MOD" "$PULUMI_VERSION"
  adopt_directives "$work" "$PKG_MOD" "$PULUMI_VERSION"
  tidy_and_build "$work" "$PKG_MOD/cmd/pulumi" "$work/pulumi"
  got="$(PULUMI_HOME="$work/home" "$work/pulumi" version 2>&1)" || die "the built pulumi does not run: $got"
  [[ "$got" == "$PULUMI_VERSION" ]] || die "the built pulumi reports version '$got', expected '$PULUMI_VERSION'"
  mv -f "$work/pulumi" "$BIN_DIR/pulumi"
  echo "$RECIPE $PULUMI_VERSION" >"$BIN_DIR/.pulumi.recipe"
  log "built pulumi $PULUMI_VERSION in $((SECONDS - started))s"
fi

# ---------------------------------------------------------------------------------------------
# pulumi-language-nodejs: the `runtime: nodejs` language host that `pulumi up` of Pulumi.yaml and
# `--policy-pack DIR` start. The module proxy does not serve it, so it is built from the upstream
# source kept in ../shared/pulumi-language-nodejs (its README: commit, go.mod changes). The engine
# looks for it beside `pulumi` first, so it never comes from PATH (no "using ... from $PATH"
# warning). Cached by the hash of its sources and the Go version.
# ---------------------------------------------------------------------------------------------
[[ -d "$LANGUAGE_HOST_SRC" && -f "$LANGUAGE_HOST_SRC/go.mod" && -f "$LANGUAGE_HOST_SRC/main.go" ]] ||
  die "no pulumi-language-nodejs source in '$LANGUAGE_HOST_SRC' (expected go.mod and main.go; set PULUMI_LANGUAGE_HOST_SRC to the directory holding it)"
source_hash="$(cd "$LANGUAGE_HOST_SRC" && find . -type f ! -path './.git/*' -print0 | LC_ALL=C sort -z |
  xargs -0 sha256sum | sha256sum | cut -c1-16)" || die "cannot hash $LANGUAGE_HOST_SRC"
lang_key="src-$source_hash $(go env GOVERSION)"
lang_bin="$BIN_DIR/pulumi-language-nodejs"
if [[ -x "$lang_bin" ]] && stamp_ok pulumi-language-nodejs "$lang_key" && "$lang_bin" -version >/dev/null 2>&1; then
  log "cached pulumi-language-nodejs ($lang_key) in $BIN_DIR"
else
  started=$SECONDS
  work="$(mktemp -d "${TMPDIR:-/tmp}/clerkguard-language-build.XXXXXX")" || die "mktemp failed"
  WORK_DIRS+=("$work")
  cp -r "$LANGUAGE_HOST_SRC/." "$work/" || die "cannot copy $LANGUAGE_HOST_SRC to $work"
  lang_version="$(go -C "$work" list -m -f '{{.Version}}' "$SDK_MOD" 2>/dev/null)" || lang_version=""
  log "building pulumi-language-nodejs from $LANGUAGE_HOST_SRC ($lang_key, sdk $lang_version) in $work" \
    "(about 1-2 minutes right after the pulumi build, 7-13 minutes alone on empty Go caches)"
  go -C "$work" build -trimpath \
    -ldflags "-s -w${lang_version:+ -X $SDK_MOD/go/common/version.Version=$lang_version}" \
    -o "$work/pulumi-language-nodejs" . >&2 || die "go build of pulumi-language-nodejs failed"
  got="$("$work/pulumi-language-nodejs" -version 2>&1)" || die "the built pulumi-language-nodejs does not run: $got"
  mv -f "$work/pulumi-language-nodejs" "$lang_bin"
  echo "$RECIPE $lang_key" >"$BIN_DIR/.pulumi-language-nodejs.recipe"
  log "built pulumi-language-nodejs $got in $((SECONDS - started))s"
fi

# ---------------------------------------------------------------------------------------------
# pulumi-resource-pulumi-nodejs: found next to `pulumi` as a bundled plugin, so neither
# node_modules/@pulumi/pulumi on PATH nor the "using ... from $PATH" warning is needed. Unlike the
# npm copy, it fails with a message instead of exiting 0 when @pulumi/pulumi cannot be resolved.
# ---------------------------------------------------------------------------------------------
shim="$BIN_DIR/pulumi-resource-pulumi-nodejs"
cat >"$shim.tmp" <<'SH'
#!/bin/sh
# Generated by clerkguard scripts/build-pulumi.sh: starts the Node.js dynamic-provider plugin.
script=$(node -e 'process.stdout.write(require.resolve("@pulumi/pulumi/cmd/dynamic-provider"))' 2>/dev/null) || {
  echo "pulumi-resource-pulumi-nodejs: cannot resolve @pulumi/pulumi/cmd/dynamic-provider from $(pwd);" \
    "run Pulumi from a directory inside a Node project that has @pulumi/pulumi installed, or set NODE_PATH" >&2
  exit 1
}
exec node "$script" "$@"
SH
chmod +x "$shim.tmp"
mv -f "$shim.tmp" "$shim"
rm -f "$BIN_DIR/pulumi-analyzer-policy-nodejs" # written by an earlier revision; v3.274.1 never uses it

echo "$BIN_DIR"
