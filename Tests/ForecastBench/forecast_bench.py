#!/usr/bin/env python3
"""Forecast accuracy and speed of `phasecast backtest` against statsforecast and Prophet.

Run by `make bench-forecast`. Every set is split by a stable hash of its series ids into a *tune*
part (where defaults may be chosen) and a *holdout* part (never looked at while choosing), and
both are reported; a set marked holdout-only was never tuned on at all. For each set and part
the peers and phasecast forecast the same windows, scored by the yardstick (`bench.py --score`).
The summary gives phasecast's MASE, OWA and interval coverage, the best peer's MASE (the
statsforecast and Prophet models; Naive2 is shown beside them), their ratio against the 0.95
target, coverage against nominal ± 5 points, and CPU per series-window against MSTL's (target at
most 0.5). Peers and phasecast run on the same machine; peer tables are cached in `--work` by
the set's contents, since the peers do not change between runs of phasecast.

Needs the yardstick folder (`--yardstick`, with bench.py and its data) and a Python that has
statsforecast, pandas and prophet (`--python`).
"""
import argparse
import csv
import gzip
import hashlib
import os
import subprocess
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

# name: file (relative to the yardstick, or to this folder with "local:"), frequency, horizon,
# windows, seasons, MASE scale season, peers, transform (keep the last N points), holdout only.
SETS = {
    "m4_hourly": dict(file="data/m4_hourly.csv.gz", freq="H", h=48, windows=1, seasons="24,168", scale=24,
                      peers="SeasonalNaive,Naive2,AutoETS,AutoTheta,MSTL"),
    "m4_hourly_14d": dict(file="data/m4_hourly.csv.gz", freq="H", h=48, windows=1, seasons="24,168", scale=24,
                          peers="SeasonalNaive,Naive2,AutoETS,AutoTheta,MSTL", last=14 * 24 + 48),
    "nab_hourly_short": dict(file="data/public/nab_hourly_short.csv", freq="H", h=24, windows=3, seasons="24",
                             scale=24, peers="SeasonalNaive,Naive2,AutoETS,AutoTheta,MSTL"),
    "nab_hourly_long": dict(file="data/public/nab_hourly_long.csv", freq="H", h=168, windows=3, seasons="24,168",
                            scale=24, peers="SeasonalNaive,Naive2,AutoETS,AutoTheta,MSTL,Prophet"),
    "synthetic_daily": dict(file="data/daily.csv", freq="D", h=28, windows=4, seasons="7", scale=7,
                            peers="SeasonalNaive,Naive2,AutoETS,AutoARIMA,AutoTheta,MSTL,Prophet"),
    "synthetic_hourly": dict(file="data/hourly.csv", freq="H", h=48, windows=3, seasons="24,168", scale=24,
                             peers="SeasonalNaive,Naive2,AutoETS,AutoTheta,MSTL"),
    "pedestrians_daily": dict(file="local:data/melbourne_pedestrians_daily.csv", freq="D", h=28, windows=4,
                              seasons="7", scale=7,
                              peers="SeasonalNaive,Naive2,AutoETS,AutoARIMA,AutoTheta,MSTL,Prophet",
                              holdout_only=True),
}


def part_of(series_id):
    """A series' part, stable across runs and machines: even CRC-32 tunes, odd is held out."""
    return "tune" if zlib.crc32(series_id.encode()) % 2 == 0 else "holdout"


def read_rows(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        index = {name: header.index(name) for name in ("unique_id", "ds", "y")}
        for row in reader:
            yield row[index["unique_id"]], row[index["ds"]], row[index["y"]]


def write_part(source, spec, part, target):
    """Writes the rows of one part of a set (all of it for a holdout-only set's holdout)."""
    by_id = {}
    for series_id, ds, y in read_rows(source):
        keep = part == "all" or (part == "holdout" if spec.get("holdout_only") else part_of(series_id) == part)
        if keep:
            by_id.setdefault(series_id, []).append((ds, y))
    with open(target, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unique_id", "ds", "y"])
        for series_id, rows in by_id.items():
            if spec.get("last"):
                rows = rows[-spec["last"]:]
            for ds, y in rows:
                writer.writerow([series_id, ds, y])
    return len(by_id)


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(command)}\n{result.stderr[-4000:]}")
    return result


def read_table(path):
    with open(path, newline="") as handle:
        return {row["model"]: row for row in csv.DictReader(handle)}


def number(row, key):
    try:
        return float(row.get(key) or "nan")
    except ValueError:
        return float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--yardstick", required=True, help="the forecast-bench folder (bench.py, data/)")
    parser.add_argument("--python", required=True, help="a Python with statsforecast, pandas, prophet")
    parser.add_argument("--phasecast", required=True, help="the phasecast binary (a release build)")
    parser.add_argument("--work", required=True, help="folder for parts, forecasts and cached peer tables")
    parser.add_argument("--sets", default=",".join(SETS), help="comma list of: " + ", ".join(SETS))
    parser.add_argument("--parts", default="tune,holdout", help="comma list of tune, holdout, all")
    parser.add_argument("--models", default="auto", help="phasecast --models (default auto)")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    bench = os.path.join(args.yardstick, "bench.py")
    summary = []
    for name in args.sets.split(","):
        if name not in SETS:
            sys.exit(f"unknown set '{name}'; sets: {', '.join(SETS)}")
        spec = SETS[name]
        file = spec["file"]
        source = os.path.join(HERE, file[6:]) if file.startswith("local:") else os.path.join(args.yardstick, file)
        for part in args.parts.split(","):
            if spec.get("holdout_only") and part == "tune":
                continue
            stem = os.path.join(args.work, f"{name}_{part}")
            count = write_part(source, spec, part, stem + ".csv")
            if count == 0:
                continue
            common = [stem + ".csv", "--freq", spec["freq"], "--h", str(spec["h"]), "--windows",
                      str(spec["windows"]), "--step", str(spec["h"]), "--season", spec["seasons"],
                      "--scale-season", str(spec["scale"])]
            with open(stem + ".csv", "rb") as handle:
                digest = hashlib.sha256(handle.read() + " ".join(common[1:] + [spec["peers"]]).encode()).hexdigest()[:16]
            peer_table = os.path.join(args.work, f"peers_{name}_{part}_{digest}")
            if not os.path.exists(peer_table + ".csv"):
                print(f"{name}/{part}: peers ({spec['peers']}) on {count} series …", file=sys.stderr, flush=True)
                run([args.python, bench] + common + ["--models", spec["peers"], "--out", peer_table])
            forecasts = stem + "_phasecast.csv"
            result = run([args.phasecast, "backtest", "--series", stem + ".csv", "--freq", spec["freq"],
                          "--horizon", str(spec["h"]), "--windows", str(spec["windows"]), "--step",
                          str(spec["h"]), "--season", spec["seasons"], "--models", args.models,
                          "--out", forecasts])
            cpu = next((line for line in result.stdout.splitlines() if " s CPU" in line), "")
            cpu_seconds = float(cpu.split(" s CPU")[0].split(",")[-1].strip()) if cpu else float("nan")
            run([args.python, bench] + common + ["--models", "none", "--score", f"phasecast={forecasts}",
                                                 "--score-time", f"phasecast={cpu_seconds}",
                                                 "--merge-table", peer_table + ".csv", "--out", stem + "_scored"])
            table = read_table(stem + "_scored.csv")
            mine = next(v for k, v in table.items() if k.startswith("phasecast"))
            rivals = {k: v for k, v in table.items() if not k.startswith("phasecast") and k != "Naive2"}
            best = min(rivals, key=lambda k: number(rivals[k], "MASE"))
            naive2 = table.get("Naive2", {})
            owa = 0.5 * (number(mine, "sMAPE") / number(naive2, "sMAPE") + number(mine, "MASE") / number(naive2, "MASE"))
            summary.append(dict(set=name, part=part, n=int(number(mine, "n_sw")), mase=number(mine, "MASE"), owa=owa,
                                cov80=number(mine, "Cov80"), cov95=number(mine, "Cov95"), best=best,
                                best_mase=number(rivals[best], "MASE"), naive2=number(naive2, "MASE"),
                                ms=1000 * cpu_seconds / number(mine, "n_sw"),
                                mstl_ms=number(table.get("MSTL", {}), "ms_per_fit")))
    print("| set | part | series × windows | phasecast MASE | OWA | Cov80 | Cov95 | coverage ±5 | best peer | "
          "peer MASE | ratio | ≤ 0.95 | Naive2 MASE | CPU ms/fit | MSTL ms/fit | CPU ratio | ≤ 0.5 |")
    print("|---|---|---:|---:|---:|---:|---:|---|---|---:|---:|---|---:|---:|---:|---:|---|")
    for s in summary:
        ratio = s["mase"] / s["best_mase"]
        covered = abs(s["cov80"] - 0.80) <= 0.05 and abs(s["cov95"] - 0.95) <= 0.05
        cpu_ratio = s["ms"] / s["mstl_ms"]
        print(f"| {s['set']} | {s['part']} | {s['n']} | {s['mase']:.3f} | {s['owa']:.3f} | {s['cov80']:.3f} | "
              f"{s['cov95']:.3f} | {'met' if covered else 'not met'} | {s['best']} | {s['best_mase']:.3f} | "
              f"{ratio:.3f} | {'met' if ratio <= 0.95 else 'not met'} | {s['naive2']:.3f} | {s['ms']:.1f} | "
              f"{s['mstl_ms']:.1f} | {cpu_ratio:.2f} | {'met' if cpu_ratio <= 0.5 else 'not met'} |")


if __name__ == "__main__":
    main()
