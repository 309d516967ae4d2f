#!/usr/bin/env bash
# Side-by-side throughput on the shared workload: h5py and multitables (peer_bench.py) and this
# loader, alternating in one run so that both see the same machine state.
# Usage: benchmarks/run.sh DATA_DIR MULTITABLES_SRC [rounds]
#   DATA_DIR holds gzip.h5 and raw.h5 from shared/bench/make_bench_files.py;
#   MULTITABLES_SRC is a directory holding the multitables package source.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
data="${1:?DATA_DIR}"; mt="${2:?MULTITABLES_SRC}"; rounds="${3:-1}"
peer="${PEER_BENCH:-$root/../shared/bench/peer_bench.py}"
(cd "$root" && mvn -q -B -DskipTests -pl benchmarks -am clean package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt)
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
loader() { java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" org.multitables4j.benchmarks.LoaderBench "$@"; }
for r in $(seq "$rounds"); do
  for f in gzip raw; do
    echo "== $f.h5 round $r"
    /usr/bin/python3 "$peer" "$data/$f.h5" /x "$mt" 2
    loader "$data/$f.h5" /x --workers 2 --orders AS_AVAILABLE,ORDERED,SHUFFLED
    loader "$data/$f.h5" /x --workers 1 --orders ORDERED
  done
done
