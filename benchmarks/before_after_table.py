#!/usr/bin/python3
"""Table of a before_after.sh run: reads OUT_DIR/raw/r<round>-<before|after>-<job>.log and writes
OUT_DIR/results.csv (one value per row, round and build) and OUT_DIR/table.md (per row: median over
the rounds of each build's per-run figure, min..max over the rounds, after/before of the medians and
the min..max of the per-round paired ratios). Usage: before_after_table.py OUT_DIR"""
import csv, glob, os, re, statistics, sys

out = sys.argv[1]
HARNESS = re.compile(r"^(?P<name>\S.*?)\s+(?P<v>[0-9.]+) MB/s\s+passes \[(?P<p>[^\]]*)\]")
FAILED = re.compile(r"^(?P<name>\S.*?)\s+failed: (?P<why>.*)")
FIRST = re.compile(r"^time to first batch, (?P<b>\w+), 2 workers: median (?P<v>[0-9.]+) ms of \[(?P<p>[^\]]*)\]")
READER = re.compile(r"rows_per_s=(?P<v>[0-9.]+) \(passes (?P<lo>[0-9.]+)\.\.(?P<hi>[0-9.]+)\)")
SAMPLING = re.compile(r"^(?P<name>\S.*?)\s+rows_per_s=(?P<v>[0-9.]+) \(passes (?P<lo>[0-9.]+)\.\.(?P<hi>[0-9.]+), "
                      r".*read_amplification=(?P<amp>[0-9.]+)")
LOG = re.compile(r"r(?P<round>\d+)-(?P<build>before|after)-(?P<job>.+)\.log$")

values = {}   # (job, row, unit) -> {build: {round: value}}
passes = {}   # (job, row, unit, build, round) -> "pass figures"
notes = []
order = []


def put(job, row, unit, build, rnd, v, p=""):
    key = (job, row, unit)
    if key not in values:
        values[key] = {"before": {}, "after": {}}
        order.append(key)
    values[key][build][rnd] = v
    passes[key + (build, rnd)] = p


for path in sorted(glob.glob(os.path.join(out, "raw", "r*-*.log"))):
    m = LOG.search(os.path.basename(path))
    if not m:
        continue
    rnd, build, job = int(m["round"]), m["build"], m["job"]
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("# rc=") and not line.startswith("# rc=0 "):
            notes.append(f"{job} {build} round {rnd}: {line[2:]}")
        if job.startswith("harness-"):
            if (h := HARNESS.match(line)):
                name = h["name"].replace("multitables4j ", "").replace(" (kept across passes)", "")
                put(job, name, "MB/s", build, rnd, float(h["v"]), h["p"])
            elif (f := FIRST.match(line)):
                put(job, f"time to first batch, {f['b'].lower()}=2", "ms (lower is better)", build, rnd,
                    float(f["v"]), f["p"])
            elif (f := FAILED.match(line)):
                notes.append(f"{job} {build} round {rnd}: {f['name']} failed: {f['why']}")
        elif job.startswith("reader-"):
            if line.startswith("reader=") and (r := READER.search(line)):
                put(job, "Reader random single-row requests", "rows/s", build, rnd, float(r["v"]),
                    f"{r['lo']}..{r['hi']}")
        elif job.startswith("sampling-"):
            if (s := SAMPLING.match(line)):
                name = s["name"]
                if name.startswith("Hdf5SamplingIterator") or name.startswith("sampling over a Reader"):
                    name = "sampler over a Reader (before: Hdf5SamplingIterator; after: RANDOM_WITH_REPLACEMENT of builder(reader))"
                put(job, name, "rows/s", build, rnd, float(s["v"]), f"{s['lo']}..{s['hi']} amp {s['amp']}")

with open(os.path.join(out, "results.csv"), "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["job", "row", "unit", "build", "round", "value", "passes"])
    for key in order:
        for build in ("before", "after"):
            for rnd, v in sorted(values[key][build].items()):
                w.writerow(list(key) + [build, rnd, v, passes[key + (build, rnd)]])


def fmt(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def cell(d):
    if not d:
        return "–", None
    vs = sorted(d.values())
    med = statistics.median(vs)
    return f"{fmt(med)} ({fmt(vs[0])}..{fmt(vs[-1])})", med


lines = ["| workload | row | unit | before: median (min..max of rounds) | after: median (min..max of rounds) "
         "| after/before | paired per-round ratios | |",
         "|---|---|---|---|---|---|---|---|"]
for key in order:
    job, row, unit = key
    b, a = values[key]["before"], values[key]["after"]
    bc, bm = cell(b)
    ac, am = cell(a)
    ratio = am / bm if bm and am is not None else None
    paired = sorted(a[r] / b[r] for r in a if r in b and b[r] > 0)
    lower_better = unit.startswith("ms")
    flag = ""
    if ratio is not None and ((not lower_better and ratio < 0.95) or (lower_better and ratio > 1 / 0.95)):
        flag = "**worse**"
    pr = f"{paired[0]:.2f}..{paired[-1]:.2f}" if paired else "–"
    rs = f"{ratio:.2f}" if ratio is not None else "–"
    lines.append(f"| {job} | {row} | {unit} | {bc} | {ac} | {rs} | {pr} | {flag} |")
lines += [""] + [f"- {n}" for n in notes]
open(os.path.join(out, "table.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
