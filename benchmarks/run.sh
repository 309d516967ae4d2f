#!/usr/bin/env bash
# One table per workload: this loader (threads; ORDERED, AS_AVAILABLE, SHUFFLED, RANDOM; 1 and 2
# workers), the decode limit, memcpy, jhdf, a naive jhdf iterator behind AsyncDataSetIterator, and
# h5py + multitables through peer_bench.py, in one run on the same files.
# Usage: benchmarks/run.sh DATA_DIR MULTITABLES_SRC [OUT_DIR]
#   DATA_DIR holds gzip.h5, raw.h5, blosc.h5 from benchmarks/make_workload.py;
#   MULTITABLES_SRC is a directory holding the multitables package source.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
data="${1:?DATA_DIR}"; mt="${2:?MULTITABLES_SRC}"; outdir="${3:-$here/target/results}"
peer="${PEER_BENCH:-$root/benchmarks/peer_figures.py}"
(cd "$root" && mvn -q -B -DskipTests -pl benchmarks -am clean package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt)
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
mkdir -p "$outdir"
harness() { java -Xmx3g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" org.multitables4j.benchmarks.Harness "$@"; }
for f in gzip raw blosc; do
  [ -f "$data/$f.h5" ] || continue
  echo "== $f.h5"
  harness "$data/$f.h5" /x --multitables "$mt" --peer-script "$peer" --csv "$outdir/$f.csv" --epochs 20 || true
done
# a file larger than the page cache: the same files read from the disk, dropped from the page cache
# before every pass (writing a file larger than this machine's memory would take longer than the run)
for f in gzip raw; do
  [ -f "$data/$f.h5" ] || continue
  echo "== $f.h5, cold page cache"
  harness "$data/$f.h5" /x --cold --multitables "$mt" --cold-peer-script "$here/cold_peers.py" --csv "$outdir/$f-cold.csv" || true
done
[ -f "$data/table.h5" ] || /usr/bin/python3 "$here/make_table.py" "$data" || true
if [ -f "$data/table.h5" ]; then
  echo "== table.h5 /table column x (PyTables table)"
  harness "$data/table.h5" /table --column x --csv "$outdir/table.csv" --epochs 5 || true
fi
if [ -f "$root/data/fashion-mnist.h5" ]; then
  echo "== fashion-mnist.h5 /train/x (uint8 images)"
  harness "$root/data/fashion-mnist.h5" /train/x --batch 128 --multitables "$mt" --peer-script "$peer" \
    --csv "$outdir/images.csv" --epochs 5 || true
fi
