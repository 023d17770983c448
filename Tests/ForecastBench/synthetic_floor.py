#!/usr/bin/env python3
"""How low MASE can go on the yardstick's synthetic daily set: two forecasts no real method can make.

The yardstick's `gen.py` draws each daily series as base × level × weekly profile × lognormal noise,
the level a piecewise-linear trend with one level shift. This script draws the same series again
(same seed, same order of draws; it checks the values equal `data/daily.csv`) and keeps what the
generator knew but did not write:

- `clairvoyant`: the noise-free median of every future day, breaks and shifts included;
- `knows_past`: the noise-free level and slope at the window's last day and the true weekly
  profile, extrapolated without the breaks and shifts still to come: what a perfect estimator of
  the history could forecast.

Both are scored by the yardstick on the forecast bench's windows (28 days × 4) and parts (the
CRC-32 split of `forecast_bench.py`), so that a MASE target on this set can be read against what
any forecaster could reach. Run with the forecast bench's Python (numpy, pandas):

    .build/forecast-venv/bin/python Tests/ForecastBench/synthetic_floor.py \
        --yardstick ../shared/tools/forecast-bench --work .build/forecast-floor
"""
import argparse
import os
import subprocess
import sys
import zlib

import numpy as np
import pandas as pd

HORIZON, WINDOWS, DAYS, SERIES, SEED = 28, 4, 400, 20, 7


def draw(gen):
    """The daily set as gen.daily_set draws it, with each series' noise-free parts kept."""
    rng = np.random.default_rng(SEED)
    days = pd.date_range("2024-01-01", periods=DAYS, freq="D")
    weekday = days.dayofweek.values
    series = []
    for i in range(SERIES):
        cluster, phase = i // 2, ("prefill" if i % 2 == 0 else "decode")
        base = rng.uniform(150, 2500) * (1.0 if phase == "prefill" else rng.uniform(1.5, 3.0))
        trend, _ = gen.piecewise_linear(DAYS, rng, rng.integers(2, 4))
        shift_at = int(rng.integers(int(0.3 * DAYS), int(0.9 * DAYS)))
        shift = rng.choice([-1, 1]) * rng.uniform(0.10, 0.35)
        level = np.clip(1.0 + trend + shift * (np.arange(DAYS) >= shift_at), 0.2, None)
        amp = rng.uniform(0.10, 0.35)
        week = np.array([1.0, 1.03, 1.04, 1.02, 0.98, 1 - amp, 1 - 1.2 * amp])
        week = week / week.mean()
        sigma = rng.uniform(0.04, 0.12)
        noise = np.exp(rng.normal(-0.5 * sigma**2, sigma, DAYS))
        series.append(dict(uid=f"c{cluster:02d}_{phase}", base=base, trend=trend, level=level,
                           week=week[weekday], median=np.exp(-0.5 * sigma**2),
                           y=np.round(base * level * week[weekday] * noise, 3)))
    return days, series


def forecasts(days, series):
    """Both floors' forecasts, one row per series, window and day, as the yardstick reads them."""
    rows = {"clairvoyant": [], "knows_past": []}
    for s in series:
        for w in range(WINDOWS):
            cut = DAYS - HORIZON - w * HORIZON
            cutoff = days[cut - 1].strftime("%Y-%m-%d")
            # The trend's own slope (a shift is a step, not a slope); none while the level is clipped.
            slope = s["trend"][cut - 1] - s["trend"][cut - 2] if s["level"][cut - 1] > 0.2 else 0.0
            for k in range(HORIZON):
                t = cut + k
                day = days[t].strftime("%Y-%m-%d")
                scale = s["base"] * s["week"][t] * s["median"]
                rows["clairvoyant"].append((s["uid"], cutoff, day, scale * s["level"][t]))
                rows["knows_past"].append((s["uid"], cutoff, day, scale * (s["level"][cut - 1] + slope * (k + 1))))
    return {name: pd.DataFrame(r, columns=["unique_id", "cutoff", "ds", "yhat"]) for name, r in rows.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--yardstick", required=True, help="the forecast-bench folder (gen.py, bench.py, data/)")
    parser.add_argument("--work", required=True, help="folder for the parts and the floors' forecasts")
    args = parser.parse_args()
    sys.path.insert(0, args.yardstick)
    import gen  # the yardstick's generator: its piecewise-linear trend draws

    os.makedirs(args.work, exist_ok=True)
    days, series = draw(gen)
    published = pd.read_csv(os.path.join(args.yardstick, "data", "daily.csv"))
    drawn = np.concatenate([s["y"] for s in series])
    if len(published) != len(drawn) or np.abs(published.y.values - drawn).max() > 1e-9:
        sys.exit("the drawn series differ from data/daily.csv: gen.py changed; this floor no longer applies")
    floors = forecasts(days, series)
    print("| part | floor | MASE |\n|---|---|---:|")
    for part, parity in (("tune", 0), ("holdout", 1)):
        ids = [u for u in published.unique_id.unique() if zlib.crc32(u.encode()) % 2 == parity]
        data = os.path.join(args.work, f"daily_{part}.csv")
        published[published.unique_id.isin(ids)].to_csv(data, index=False)
        for name, frame in floors.items():
            path = os.path.join(args.work, f"{name}_{part}.csv")
            frame[frame.unique_id.isin(ids)].to_csv(path, index=False)
            out = os.path.join(args.work, f"{name}_{part}_scored")
            subprocess.run([sys.executable, os.path.join(args.yardstick, "bench.py"), data, "--freq", "D", "--h",
                            str(HORIZON), "--windows", str(WINDOWS), "--season", "7", "--models", "none",
                            "--score", f"{name}={path}", "--out", out], check=True, capture_output=True)
            scored = pd.read_csv(out + ".csv")
            print(f"| {part} | {name} | {scored[scored.model.str.startswith(name)].MASE.iloc[0]:.3f} |")


if __name__ == "__main__":
    main()
