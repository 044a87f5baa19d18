#!/usr/bin/env bash
# Top frames of a JFR recording's execution samples: self (leaf frame) and total (anywhere on the
# stack, counted once per sample), optionally only samples whose stack contains a pattern.
#   test/jfr-top.sh target/bench/jfr/tributary.jfr [N] [stack-pattern]
set -euo pipefail
file="$1"; n="${2:-15}"; pattern="${3:-}"
jfr print --events jdk.ExecutionSample --stack-depth 96 "$file" | awk -v n="$n" -v pat="$pattern" '
  function flush() {
    if (depth > 0 && (pat == "" || stack ~ pat)) {
      samples++; self[leaf]++
      for (f in seen) total[f]++
    }
    depth = 0; stack = ""; delete seen
  }
  /stackTrace = \[/ { flush(); instack = 1; next }
  instack && /^[[:space:]]*\]/ { instack = 0; flush(); next }
  instack {
    f = $0; sub(/^[[:space:]]+/, "", f); sub(/[[:space:]]+line:.*/, "", f)
    if (f == "..." ) next
    if (depth == 0) leaf = f
    depth++; seen[f] = 1; stack = stack "\n" f
  }
  END {
    printf "%d samples%s\n\nself:\n", samples, (pat == "" ? "" : " matching " pat)
    for (f in self) printf "%6d %5.1f%%  %s\n", self[f], 100 * self[f] / samples, f | "sort -rn | head -" n
    close("sort -rn | head -" n)
    printf "\ntotal (dev.tributary frames and their callees):\n"
    for (f in total) if (f ~ /^dev\.tributary|^org\.apache\.parquet|^reactor/) printf "%6d %5.1f%%  %s\n", total[f], 100 * total[f] / samples, f | "sort -rn | head -" n
  }'
