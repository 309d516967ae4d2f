#!/usr/bin/env bash
# Time to the first batch with worker processes, two builds side by side in ONE run: each round
# runs FirstBatchBench once per build in a fresh JVM (the first build swapping every round), so
# both see the same machine load. Also prints the children's CPU time until the first batch,
# which the load of other jobs distorts less than the wall-clock time.
#
# Usage: benchmarks/first_batch.sh BEFORE_CP AFTER_CP FILE [DATASET] [ROUNDS] [-- FirstBatchBench options]
#   BEFORE_CP, AFTER_CP: files holding a class path each (the benchmarks' classes, then the
#     loader and its dependencies), e.g. made with
#     mvn -B -o -q -DskipTests -pl benchmarks -am package dependency:build-classpath \
#         -Dmdep.outputFile=target/classpath.txt
#     and then  echo "$PWD/benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" > after.cp
#   FILE: e.g. gzip.h5 of benchmarks/make_workload.py; DATASET defaults to /x; ROUNDS to 3
# Environment: JAVA_OPTS (-Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)
set -euo pipefail
before="$(cat "${1:?BEFORE_CP}")"; after="$(cat "${2:?AFTER_CP}")"; file="${3:?FILE}"
dataset="${4:-/x}"; rounds="${5:-3}"; shift $(( $# < 5 ? $# : 5 )); [ "${1:-}" = "--" ] && shift
read -r -a jopts <<< "${JAVA_OPTS:--Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn}"
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then order="before after"; else order="after before"; fi
  for b in $order; do
    if [ "$b" = before ]; then cp="$before"; else cp="$after"; fi
    echo "## round $r build $b load $(cut -d' ' -f1 /proc/loadavg)"
    java "${jopts[@]}" -cp "$cp" org.multitables4j.benchmarks.FirstBatchBench "$file" "$dataset" "$@" | grep -v "^load average"
  done
done
