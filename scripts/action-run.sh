#!/usr/bin/env bash
# The body of the clerkguard GitHub Action (action.yml): runs `clerkguard check` or
# `clerkguard drift` with the action's inputs (INPUT_* variables), writes the reports to
# INPUT_REPORT_DIR, and hands the outcome to the later steps through GITHUB_OUTPUT. It always
# exits 0 once the outputs are written, so the state-saving and upload steps run whatever the
# result; the action's last step fails the job from the `exit-code` output.
#
# Runs as a plain script too (the tests do): set CLERKGUARD_BIN and the INPUT_* variables;
# GITHUB_OUTPUT and GITHUB_STEP_SUMMARY are optional.
set -uo pipefail
set -f # baseline names are paths, never globs

command="${INPUT_COMMAND:-check}"
report_dir="${INPUT_REPORT_DIR:-clerkguard-report}"
bin="${CLERKGUARD_BIN:?CLERKGUARD_BIN must point at bin/clerkguard}"

output() { if [ -n "${GITHUB_OUTPUT:-}" ]; then printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"; fi; }
summary() { if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat >>"$GITHUB_STEP_SUMMARY"; else cat >/dev/null; fi; }
finish() {
  local code="$1" sarif="$2"
  output exit-code "$code"
  output report-dir "$(pwd)/$report_dir"
  if [ -n "$sarif" ] && [ -s "$sarif" ]; then output sarif-file "$(pwd)/$sarif"; else output sarif-file ""; fi
  echo "clerkguard $command exited $code"
  exit 0
}
is_true() { [ "$1" = "true" ]; }

read -r -d '' -a baselines <<<"${INPUT_BASELINES:-}" || true

if ! mkdir -p "$report_dir"; then
  echo "::error title=clerkguard::cannot create the report directory '$report_dir'"
  finish 1 ""
fi

case "$command" in
  check)
    fail_on="${INPUT_FAIL_ON:-high}"
    node "$bin" check "${baselines[@]}" --fail-on "$fail_on" --format sarif >"$report_dir/check.sarif"
    code=$?
    # The human-readable copies are for the log and the job summary; the exit code is the SARIF run's.
    node "$bin" check "${baselines[@]}" --fail-on "$fail_on" --format markdown >"$report_dir/check.md" 2>/dev/null
    node "$bin" check "${baselines[@]}" --fail-on "$fail_on" --format text 2>/dev/null | tee "$report_dir/check.txt"
    summary <"$report_dir/check.md"
    finish "$code" "$report_dir/check.sarif"
    ;;
  drift)
    args=(drift "${baselines[@]}" --out "$report_dir")
    if is_true "${INPUT_SLACK:-false}"; then args+=(--slack --state "${INPUT_STATE_FILE:-.clerkguard/state.json}"); fi
    if is_true "${INPUT_STRICT:-false}"; then args+=(--strict); fi
    if [ -n "${INPUT_DASHBOARD_EXPORT:-}" ]; then args+=(--dashboard-export "$INPUT_DASHBOARD_EXPORT"); fi
    if [ -n "${INPUT_SHARD:-}" ]; then args+=(--shard "$INPUT_SHARD"); fi
    node "$bin" "${args[@]}"
    code=$?
    if [ -f "$report_dir/report.md" ]; then summary <"$report_dir/report.md"; fi
    finish "$code" "$report_dir/report.sarif"
    ;;
  *)
    echo "::error title=clerkguard::unknown command '$command' (expected check or drift)"
    finish 1 ""
    ;;
esac
