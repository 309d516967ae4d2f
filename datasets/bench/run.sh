#!/usr/bin/env bash
# Write throughput of the datasets writer vs h5py on the same rows (float32 [rows, 256], gzip 4 +
# shuffle, 1024-row chunks), then bounded memory: `generate` of a dataset four times the JVM heap.
# Usage: datasets/bench/run.sh WORKDIR [rows] [rounds]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; module="$(dirname "$here")"
work="${1:?WORKDIR}"; rows="${2:-200000}"; rounds="${3:-2}"; mkdir -p "$work"
(cd "$module/.." && mvn -q -B -DskipTests -f datasets/pom.xml package)
cp="$module/target/classes:$module/target/lib/*"
[ -f "$work/data.npy" ] || /usr/bin/python3 "$here/make_data.py" "$work/data.npy" "$rows"
cat "$work/data.npy" > /dev/null
echo "cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$rounds"); do   # interleaved, so that a busy neighbour hurts both sides alike
  /usr/bin/python3 "$here/h5py_write.py" "$work/data.npy" "$work/h5py.h5"
  java -cp "$cp" org.multitables4j.datasets.bench.WriteBench "$work/data.npy" "$work/ours.h5" 1
  java -cp "$cp" org.multitables4j.datasets.bench.WriteBench "$work/data.npy" "$work/ours.h5" "$(nproc)"
done
ls -l "$work/h5py.h5" "$work/ours.h5"
# bounded memory: 512 MB of float32 rows through a 128 MB heap; peak RSS from /usr/bin/time when available
if [ -x /usr/bin/time ]; then t="/usr/bin/time -v"; else t=""; fi
$t java -Xmx128m -cp "$cp" org.multitables4j.datasets.cli.DatasetsCli generate clusters --rows 500000 --dim 256 \
  -o "$work/big.h5" -q 2>&1 | grep -E 'Maximum resident|Elapsed' || true
ls -l "$work/big.h5"
