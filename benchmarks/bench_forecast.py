"""Forecast accuracy, calibration and speed: 1,500 monthly series of about 100 points,
horizon 18 (issue 9).

Series: 750 cluster-like (trend, seasonality, Spring Festival dip, level shifts, noise) and 750
in the spirit of M4 monthly (macro, micro, industry, finance, demographic shapes), generated
by ``industrybrain.modules.insight.synthetic`` (not the demo ground truth). The last 18 points
of every series are held out; everything is fitted on the rest.

Compared on the hold-out: our forecast (rolling-origin CV choice of model or combination,
conformal intervals) and each single candidate model run on its own with statsforecast's
own intervals. Bound: our run at most 120 s on 2 cores. Set BENCH_FORECAST_EXTRA=AutoETS,...
to add slower single models to the table.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import print_table, record

HORIZON = 18
SERIES = int(os.environ.get("BENCH_FORECAST_SERIES", "1500"))
BOUND_SECONDS = 120.0
LEVELS = (80, 95)


def _scores(frame, actual, history, column, lo=None, hi=None):  # type: ignore[no-untyped-def]
    import numpy as np

    from industrybrain.modules.insight.forecast import mase, smape

    smapes, mases = [], []
    for uid, group in frame.groupby("unique_id", sort=False):
        smapes.append(smape(actual[uid], group[column].to_numpy()))
        mases.append(mase(actual[uid], group[column].to_numpy(), history[uid], 12))
    covered = {}
    y = np.concatenate([actual[uid] for uid in frame["unique_id"].unique()])
    for level in LEVELS:
        low = frame[f"{lo or column}-lo-{level}" if lo else f"lo-{level}"].to_numpy()
        high = frame[f"{hi or column}-hi-{level}" if hi else f"hi-{level}"].to_numpy()
        covered[level] = float(np.mean((y >= low) & (y <= high)) * 100)
    return float(np.mean(smapes)), float(np.mean(mases)), covered


def main() -> int:
    import pandas as pd
    from statsforecast import StatsForecast

    from industrybrain.modules.insight.forecast import (
        DEFAULT_CANDIDATES,
        _model,
        forecast_series,
        prepare_long,
    )
    from industrybrain.modules.insight.synthetic import (
        cluster_like_series,
        m4_monthly_like_series,
    )

    half = SERIES // 2
    data = pd.concat(
        [cluster_like_series(half, seed=3), m4_monthly_like_series(SERIES - half, seed=4)],
        ignore_index=True,
    )
    test = data.groupby("unique_id").tail(HORIZON)
    train = data.drop(test.index)
    actual = {uid: g.to_numpy() for uid, g in test.groupby("unique_id")["y"]}
    history = {uid: g.to_numpy() for uid, g in train.groupby("unique_id")["y"]}
    as_text = train.assign(ds=train["ds"].dt.strftime("%Y-%m-%d")).astype(str)
    load_before = os.getloadavg()[0]

    started = time.perf_counter()
    prepared = prepare_long(as_text)
    result = forecast_series(prepared, HORIZON, levels=LEVELS, n_jobs=2)
    ours_seconds = time.perf_counter() - started
    ours = result.forecasts.sort_values(["unique_id", "ds"], kind="stable")
    rows = []
    smape_ours, mase_ours, cover_ours = _scores(ours, actual, history, "yhat")
    rows.append(("ours (CV choice + conformal)", smape_ours, mase_ours, cover_ours, ours_seconds))
    print(f"ours: {ours_seconds:.1f} s, sMAPE {smape_ours:.2f}", flush=True)

    extra = [m for m in os.environ.get("BENCH_FORECAST_EXTRA", "").split(",") if m]
    singles = {}
    train_sf = train.rename(columns={})[["unique_id", "ds", "y"]]
    for name in [*DEFAULT_CANDIDATES, *extra]:
        engine = StatsForecast(models=[_model(name, 12)], freq="MS", n_jobs=2)
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = pd.DataFrame(engine.forecast(df=train_sf, h=HORIZON, level=list(LEVELS)))
        seconds = time.perf_counter() - started
        frame = frame.sort_values(["unique_id", "ds"], kind="stable")
        s, m, c = _scores(frame, actual, history, name, lo=name, hi=name)
        singles[name] = s
        print(f"{name}: {seconds:.1f} s, sMAPE {s:.2f}", flush=True)
        rows.append((name, s, m, c, seconds))
    load_after = os.getloadavg()[0]

    print_table(
        ["method", "sMAPE %", "MASE", "cover 80", "cover 95", "seconds (with intervals)"],
        [
            [name, f"{s:.2f}", f"{m:.3f}", f"{c[80]:.1f}", f"{c[95]:.1f}", f"{sec:.1f}"]
            for name, s, m, c, sec in rows
        ],
    )
    print(
        f"load average: {load_before:.1f} before, {load_after:.1f} after; models chosen: "
        f"{result.report['models']}"
    )
    best_name = min(singles, key=lambda k: singles[k])
    naive = next(r for r in rows if r[0] == "SeasonalNaive")
    best = next(r for r in rows if r[0] == best_name)
    record(
        "insight forecast, 1,500 monthly series, h=18 (hold-out last 18)",
        f"sMAPE {smape_ours:.2f}, MASE {mase_ours:.3f}, cover 80/95 "
        f"{cover_ours[80]:.1f}/{cover_ours[95]:.1f} %, {ours_seconds:.0f} s "
        f"(load {load_before:.1f})",
        f"SeasonalNaive sMAPE {naive[1]:.2f}, MASE {naive[2]:.3f}; best single {best_name} "
        f"sMAPE {best[1]:.2f}, MASE {best[2]:.3f}, {best[4]:.0f} s with its own intervals; "
        f"bound {BOUND_SECONDS:.0f} s",
        f"sMAPE {smape_ours / naive[1]:.2f}x naive, {smape_ours / best[1]:.3f}x best single",
    )
    ok = (
        smape_ours < 0.9 * naive[1]
        and smape_ours <= best[1] * 1.005
        and all(abs(cover_ours[level] - level) <= 5 for level in LEVELS)
        and ours_seconds <= BOUND_SECONDS
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
