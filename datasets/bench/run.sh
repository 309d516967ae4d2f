#!/usr/bin/env bash
# Write throughput of the datasets writer vs h5py on the same rows, then bounded memory:
# `generate` of a dataset twice the JVM heap. Usage: datasets/bench/run.sh WORKDIR [rows]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$(dirname "$(dirname "$here")")"
work="${1:?WORKDIR}"; rows="${2:-200000}"; mkdir -p "$work"
(cd "$root" && mvn -q -B -DskipTests -pl datasets -am clean package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt)
cp="$root/datasets/target/classes:$(cat "$root/datasets/target/classpath.txt")"
[ -f "$work/data.npy" ] || /usr/bin/python3 "$here/make_data.py" "$work/data.npy" "$rows"
cat "$work/data.npy" > /dev/null
/usr/bin/python3 "$here/h5py_write.py" "$work/data.npy" "$work/h5py.h5"
java -cp "$cp" org.multitables4j.datasets.bench.WriteBench "$work/data.npy" "$work/ours.h5"
java -cp "$cp" org.multitables4j.datasets.bench.WriteBench "$work/data.npy" "$work/ours.h5"  1
# bounded memory: 2x the heap (-Xmx256m, 512 MB of float32 rows); peak RSS from /usr/bin/time when available
if command -v /usr/bin/time >/dev/null; then t="/usr/bin/time -v"; else t=""; fi
$t java -Xmx256m -cp "$cp" org.multitables4j.datasets.cli.DatasetsCli generate clusters --rows 500000 --dim 256 \
  -o "$work/big.h5" -q 2>&1 | grep -E 'Maximum resident|Elapsed' || true
ls -l "$work/big.h5"
