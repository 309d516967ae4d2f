#!/usr/bin/env bash
# Before/after throughput of two builds of the loader in ONE run: the same data files, the same
# JVM options, the two builds alternated workload by workload in the same time window (the first
# build of each pair swaps every round), several rounds; then a table of medians, spreads and
# after/before ratios.
#
# Usage: benchmarks/before_after.sh BEFORE_DIR AFTER_DIR DATA_DIR [OUT_DIR]
#   BEFORE_DIR, AFTER_DIR: checkouts of the project, each with its benchmarks harness built by
#     mvn -B -o -q -DskipTests -pl benchmarks -am package dependency:build-classpath \
#         -Dmdep.outputFile=target/classpath.txt
#   DATA_DIR: gzip.h5, raw.h5, blosc.h5 from benchmarks/make_workload.py
#   OUT_DIR: raw logs, results.csv and table.md (default: benchmarks/target/before-after)
# Environment: ROUNDS (3), HARNESS_REPEAT (5, measured passes per Harness contender),
#   JAVA_OPTS (-Xmx3g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn), JOBS (all; a space-separated
#   subset of the job names below), PYTHON (/usr/bin/python3, only for the table).
#
# Jobs (each run once per build per round, in a fresh JVM):
#   harness-gzip/raw/blosc  Harness FILE /x --backends-only: ORDERED, AS_AVAILABLE, SHUFFLED, RANDOM
#                           with 2 workers, threads and processes (one iterator kept across passes),
#                           ORDERED with 1 process, the one-thread decode limits, time to first batch
#   reader-gzip/raw         ReaderBench FILE /x (defaults: 10000 random single rows, 2 workers, 512 MiB)
#   sampling-cold           SamplingBench gzip.h5 /x --batches 200 --random-streaming (cache 256 MiB
#                           < data: every draw is likely a chunk decode)
#   sampling-warm           SamplingBench gzip.h5 /x --cache-mib 512 --batches 1000 (the whole dataset
#                           stays in the Reader's cache after the warm-up pass: the gather path)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
before="$(cd "${1:?BEFORE_DIR}" && pwd)"; after="$(cd "${2:?AFTER_DIR}" && pwd)"
data="$(cd "${3:?DATA_DIR}" && pwd)"; out="${4:-$here/target/before-after}"
rounds="${ROUNDS:-3}"; repeat="${HARNESS_REPEAT:-5}"
read -r -a jopts <<< "${JAVA_OPTS:--Xmx3g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn}"
jobs="${JOBS:-harness-gzip harness-raw harness-blosc reader-gzip reader-raw sampling-cold sampling-warm}"
mkdir -p "$out/raw"
for b in "$before" "$after"; do
  [ -f "$b/benchmarks/target/classpath.txt" ] || { echo "no harness built in $b (see the usage)" >&2; exit 2; }
done
classpath() { echo "$1/benchmarks/target/classes:$(cat "$1/benchmarks/target/classpath.txt")"; }
cp_before="$(classpath "$before")"; cp_after="$(classpath "$after")"

job_args() {
  case "$1" in
    harness-gzip|harness-raw|harness-blosc)
      echo "org.multitables4j.benchmarks.Harness $data/${1#harness-}.h5 /x --backends-only --repeat $repeat" ;;
    reader-gzip|reader-raw)
      echo "org.multitables4j.benchmarks.ReaderBench $data/${1#reader-}.h5 /x --indices $out/raw/indices-$1.txt" ;;
    sampling-cold)
      echo "org.multitables4j.benchmarks.SamplingBench $data/gzip.h5 /x --batches 200 --random-streaming" ;;
    sampling-warm)
      echo "org.multitables4j.benchmarks.SamplingBench $data/gzip.h5 /x --cache-mib 512 --batches 1000" ;;
    *) echo "unknown job $1" >&2; return 2 ;;
  esac
}

run_one() { # round build job
  local cp dir log
  if [ "$2" = before ]; then cp="$cp_before"; dir="$before"; else cp="$cp_after"; dir="$after"; fi
  log="$out/raw/r$1-$2-$3.log"
  read -r -a args <<< "$(job_args "$3")"
  {
    echo "# build=$2 dir=$dir commit=$(git -C "$dir" rev-parse --short HEAD 2>/dev/null || echo '?') job=$3 round=$1"
    echo "# start=$(date -u +%H:%M:%S) loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# java ${jopts[*]} ${args[*]}"
  } > "$log"
  local t0=$SECONDS rc=0
  (cd "$dir" && java "${jopts[@]}" -cp "$cp" "${args[@]}") >> "$log" 2>&1 || rc=$?
  echo "# rc=$rc seconds=$((SECONDS - t0)) end_loadavg=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$log"
  printf '%s round %s %-6s %-14s rc=%s %4ss load %s\n' "$(date -u +%H:%M:%S)" "$1" "$2" "$3" "$rc" \
    "$((SECONDS - t0))" "$(cut -d' ' -f1 /proc/loadavg)"
}

{
  echo "# before: $before ($(git -C "$before" rev-parse --short HEAD 2>/dev/null || echo '?'))"
  echo "# after:  $after ($(git -C "$after" rev-parse --short HEAD 2>/dev/null || echo '?'))"
  echo "# data: $data; rounds $rounds; Harness --repeat $repeat; JAVA_OPTS ${jopts[*]}"
  echo "# $(java -version 2>&1 | head -1); $(nproc) cores; $(uname -srm)"
} | tee "$out/run-info.txt"
start=$SECONDS
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then first=before; second=after; else first=after; second=before; fi
  for j in $jobs; do
    run_one "$r" "$first" "$j"
    run_one "$r" "$second" "$j"
  done
done
echo "# wall $((SECONDS - start)) s" | tee -a "$out/run-info.txt"
"${PYTHON:-/usr/bin/python3}" "$here/before_after_table.py" "$out"
