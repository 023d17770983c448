#!/usr/bin/env python3
"""Writes Tests/Fixtures/forecasting/reference_forecasts.csv: statsforecast's forecasts of a few
series of the forecast yardstick, for ForecastingTests to compare phasecast's against.

Run once with a Python that has statsforecast (the version goes into the file); the tests read
only the CSV. Usage: make_reference_fixtures.py YARDSTICK_DIR OUT_CSV
"""
import csv
import sys

import numpy as np
import statsforecast
from statsforecast.models import ARIMA, AutoARIMA, AutoETS

yardstick, out = sys.argv[1], sys.argv[2]


def series(path, uid, last=None):
    values = [float(r["y"]) for r in csv.DictReader(open(path)) if r["unique_id"] == uid]
    return np.array(values if last is None else values[-last:])


rows = []
# Daily: synthetic GPU-hours (weekly season, growth, a level shift); 300 days to fit, 14 to score.
daily = series(f"{yardstick}/data/daily.csv", "c01_prefill")[:314]
train, test = daily[:300], daily[300:]
# A fixed order fitted by conditional sum of squares, then its state filtered exactly
# (statsforecast's "CSS" alone forecasts zeros in 2.1.1; CSS-ML keeps the CSS coefficients here).
fixed = ARIMA(order=(1, 0, 1), seasonal_order=(0, 1, 1), season_length=7, method="CSS-ML").fit(train)
rows.append(("daily_c01_prefill", "ARIMA_101_011_7", fixed.predict(14)["mean"]))
coefficients = fixed.model_["coef"]
rows.append(("daily_c01_prefill", "ARIMA_101_011_7_coef", [coefficients[k] for k in ("ar1", "ma1", "sma1")]))
rows.append(("daily_c01_prefill", "AutoARIMA", AutoARIMA(season_length=7).fit(train).predict(14)["mean"]))
rows.append(("daily_c01_prefill", "AutoETS", AutoETS(season_length=7).fit(train).predict(14)["mean"]))
# Hourly, two weeks of an AWS CloudWatch CPU metric (NAB, MIT licence): 311 hours to fit, 24 to score.
short = series(f"{yardstick}/data/public/nab_hourly_short.csv", "ec2_cpu_utilization_5f5533_h")
s_train, s_test = short[:311], short[311:335]
rows.append(("nab_ec2_cpu_5f5533", "AutoETS", AutoETS(season_length=24).fit(s_train).predict(24)["mean"]))
rows.append(("nab_ec2_cpu_5f5533", "AutoARIMA", AutoARIMA(season_length=24).fit(s_train).predict(24)["mean"]))

with open(out, "w", newline="") as handle:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["series", "role", "step", "value"])
    handle.write(f"# statsforecast {statsforecast.__version__}, numpy {np.__version__}\n")
    for name, values in [("daily_c01_prefill", train), ("nab_ec2_cpu_5f5533", s_train)]:
        for k, v in enumerate(values):
            writer.writerow([name, "train", k, repr(float(v))])
    for name, values in [("daily_c01_prefill", test), ("nab_ec2_cpu_5f5533", s_test)]:
        for k, v in enumerate(values):
            writer.writerow([name, "actual", k, repr(float(v))])
    for name, model, values in rows:
        for k, v in enumerate(values):
            writer.writerow([name, model, k, repr(float(v))])
