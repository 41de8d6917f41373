# Sourced by bash scripts that need a temporary directory: the shell's form of src/util/atomic-write.ts workDirIn.
# work_dir_in PARENT PREFIX VAR sets VAR to a new directory PARENT/PREFIX-PID-XXXXXX (PID: the script's, $$), after
# removing those that scripts now gone left there (killed by SIGKILL before their clean-up: a live one's is kept), and
# removes it when the script ends: its end, an error (set -e), Ctrl-C, a kill or a closed terminal. It sets a
# variable rather than printing: in $(...) the list of directories to remove would be the subshell's.
work_dir_in() {
  # locals named apart from any VAR a caller may pass (printf -v would set the local)
  local wd_parent="$1" wd_prefix="$2" wd_dir wd_pid
  for wd_dir in "$wd_parent/$wd_prefix"-*; do
    [[ -d "$wd_dir" ]] || continue
    wd_pid="${wd_dir#"$wd_parent/$wd_prefix"-}"
    wd_pid="${wd_pid%%-*}"
    [[ "$wd_pid" =~ ^[0-9]+$ && "$wd_pid" != "$$" ]] || continue
    kill -0 "$wd_pid" 2>/dev/null || rm -rf "$wd_dir" 2>/dev/null || true
  done
  wd_dir="$(mktemp -d "$wd_parent/$wd_prefix-$$-XXXXXX")"
  WORK_DIRS+=("$wd_dir")
  printf -v "$3" '%s' "$wd_dir"
}

WORK_DIRS=()
remove_work_dirs() { ((${#WORK_DIRS[@]} == 0)) || rm -rf "${WORK_DIRS[@]}"; }
# bash runs it also when SIGINT, SIGTERM or SIGHUP ends the script (test/scripts/work-dir.test.ts)
trap remove_work_dirs EXIT
