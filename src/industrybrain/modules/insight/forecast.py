"""Forecasts of many series: per-series model choice by rolling-origin cross-validation,
combinations of models, and conformal prediction intervals. Method: docs/insight-methods.md.

Public API::

    from industrybrain.modules.insight.forecast import read_long_csv, forecast_series
    prepared = read_long_csv(path)             # validated, regular, rejected rows with reasons
    result = forecast_series(prepared, horizon=18, levels=(80, 95))
    result.forecasts                           # unique_id, ds, yhat, lo-80, hi-80, ..., model
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

# Candidate models. The default set is what fits 1,500 monthly series with horizon 18 in the
# time budget (benchmarks/bench_forecast.py); the slow ones can be asked for by name.
# Measured on 1,500 series (2 cores, loaded): per fit SeasonalNaive 0.5 s, Theta 9 s, AutoCES
# 9 s, DynamicTheta 5 s, DynamicOptimizedTheta 11 s, OptimizedTheta 20 s, AutoTheta 41 s,
# AutoETS (restricted to damped additive) 37 s, AutoETS 100+ s, AutoARIMA (limited) 300+ s.
# DynamicTheta and DynamicOptimizedTheta forecast almost like Theta and added nothing to the
# combinations; SeasonalESOptimized was worse than SeasonalNaive.
DEFAULT_CANDIDATES: tuple[str, ...] = ("SeasonalNaive", "Theta", "AutoCES")
OTHER_CANDIDATES: tuple[str, ...] = (
    "DynamicTheta",
    "DynamicOptimizedTheta",
    "SeasonalESOptimized",
    "OptimizedTheta",
    "AutoTheta",
    "AutoETS",
    "AutoARIMA",
)
# Combinations of every non-naive candidate, evaluated by cross-validation like single models.
COMBINATIONS: tuple[str, ...] = ("Mean", "Median", "InverseError")
SELECTIONS = ("per_series", "global")

FREQUENCIES: dict[str, tuple[str, int]] = {
    # inferred period -> (pandas period alias, default season length)
    "D": ("D", 7),
    "W": ("W", 52),
    "M": ("M", 12),
    "Q": ("Q", 4),
    "Y": ("Y", 1),
}


class ForecastInputError(ValueError):
    """The input cannot be forecast as a whole (missing columns, no usable rows, ...)."""


def _model(name: str, season_length: int) -> Any:
    from statsforecast import models

    season = max(1, season_length)
    factories: dict[str, Callable[[], Any]] = {
        "SeasonalNaive": lambda: models.SeasonalNaive(season_length=season),
        "SeasonalESOptimized": lambda: models.SeasonalExponentialSmoothingOptimized(
            season_length=season, alias="SeasonalESOptimized"
        ),
        "Theta": lambda: models.Theta(season_length=season),
        "DynamicTheta": lambda: models.DynamicTheta(season_length=season),
        "DynamicOptimizedTheta": lambda: models.DynamicOptimizedTheta(season_length=season),
        "OptimizedTheta": lambda: models.OptimizedTheta(season_length=season),
        "AutoCES": lambda: models.AutoCES(season_length=season),
        "AutoETS": lambda: models.AutoETS(season_length=season),
        "AutoTheta": lambda: models.AutoTheta(season_length=season),
        "AutoARIMA": lambda: models.AutoARIMA(season_length=season),
    }
    if name not in factories:
        known = ", ".join(sorted(factories))
        raise ForecastInputError(f"unknown model {name!r}; choose from {known}")
    model = factories[name]()
    model.alias = name  # output columns carry our names (AutoCES would otherwise say "CES")
    return model


# --- input ----------------------------------------------------------------------------------


@dataclass
class PreparedSeries:
    """Validated long data on a regular integer time axis (period ordinals)."""

    frame: pd.DataFrame  # unique_id, ds (int period ordinal), y; gaps filled
    rejected: pd.DataFrame  # line, unique_id, ds, y, reason
    rows_in: int
    rows_used: int
    rows_filled: int
    period: str  # pandas period alias: D, W, M, Q, Y
    anchor: str  # "start" or "end": how input dates sat in their period

    @property
    def series_count(self) -> int:
        return int(self.frame["unique_id"].nunique())


def read_long_csv(path: Path) -> PreparedSeries:
    """Read ``unique_id,ds,y`` (UTF-8, header row) and prepare it; see :func:`prepare_long`."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError as exc:
        raise ForecastInputError(f"{path}: the file is empty") from exc
    except UnicodeDecodeError as exc:
        raise ForecastInputError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    return prepare_long(raw, first_line=2)


def prepare_long(raw: pd.DataFrame, *, first_line: int = 1) -> PreparedSeries:
    """Validate rows, infer the frequency from ``ds`` and put every series on a regular axis.

    Rows are rejected with a reason (missing id, unreadable date, missing or non-numeric or
    non-finite value, duplicate period of a series); ``rows_in == rows_used + rows_rejected``.
    Missing periods inside a series are filled by linear interpolation (``rows_filled``).
    """
    raw = raw.reset_index(drop=True)
    columns = {str(column).strip().lower(): column for column in raw.columns}
    missing = [name for name in ("unique_id", "ds", "y") if name not in columns]
    if missing:
        raise ForecastInputError(
            f"missing column(s) {', '.join(missing)}; expected a header unique_id,ds,y "
            f"(found {', '.join(map(str, raw.columns)) or 'none'})"
        )
    data = pd.DataFrame(
        {
            "line": np.arange(first_line, first_line + len(raw)),
            "unique_id": raw[columns["unique_id"]].astype(str).str.strip(),
            "ds_text": raw[columns["ds"]].astype(str).str.strip(),
            "y_text": raw[columns["y"]].astype(str).str.strip(),
        }
    )
    rows_in = len(data)
    data["ds"] = pd.to_datetime(data["ds_text"], errors="coerce", format="mixed")
    data["y"] = pd.to_numeric(data["y_text"].str.replace(",", "", regex=False), errors="coerce")
    reason = pd.Series("", index=data.index, dtype=object)
    reason[data["unique_id"] == ""] = "missing unique_id"
    reason[(reason == "") & data["ds"].isna()] = "unreadable ds (expected a date like 2024-01-01)"
    reason[(reason == "") & (data["y_text"] == "")] = "missing y"
    reason[(reason == "") & data["y"].isna()] = "y is not a number"
    reason[(reason == "") & ~np.isfinite(data["y"].fillna(0))] = "y is not finite"

    good = data[reason == ""]
    if good.empty:
        rejected = _rejected(data, reason)
        raise ForecastInputError(
            f"no usable rows among {rows_in}"
            + (
                f"; first problem: line {rejected.iloc[0]['line']}: {rejected.iloc[0]['reason']}"
                if len(rejected)
                else ""
            )
        )
    period = infer_period(good)
    periods = good["ds"].dt.to_period(period)
    anchor = (
        "end"
        if bool((good["ds"].dt.normalize() == periods.dt.end_time.dt.normalize()).all())
        and period != "D"
        else "start"
    )
    data.loc[good.index, "ordinal"] = periods.array.asi8
    duplicated = data.loc[good.index].duplicated(subset=["unique_id", "ordinal"], keep="first")
    reason[duplicated[duplicated].index] = "duplicate period for this unique_id"
    rejected = _rejected(data, reason)

    used = data[reason == ""][["unique_id", "ordinal", "y"]].rename(columns={"ordinal": "ds"})
    used["ds"] = used["ds"].astype("int64")
    used = used.sort_values(["unique_id", "ds"], kind="stable")
    regular, filled = _fill_gaps(used)
    return PreparedSeries(
        frame=regular,
        rejected=rejected,
        rows_in=rows_in,
        rows_used=len(used),
        rows_filled=filled,
        period=period,
        anchor=anchor,
    )


def _rejected(data: pd.DataFrame, reason: pd.Series) -> pd.DataFrame:
    bad = data[reason != ""]
    return pd.DataFrame(
        {
            "line": bad["line"].to_numpy(),
            "unique_id": bad["unique_id"].to_numpy(),
            "ds": bad["ds_text"].to_numpy(),
            "y": bad["y_text"].to_numpy(),
            "reason": reason[reason != ""].to_numpy(),
        }
    )


def infer_period(frame: pd.DataFrame) -> str:
    """The period of the data from the median gap in days between consecutive dates."""
    dates = frame[["unique_id", "ds"]].drop_duplicates().sort_values(["unique_id", "ds"])
    gaps = dates.groupby("unique_id")["ds"].diff().dt.days.dropna()
    gaps = gaps[gaps > 0]
    if gaps.empty:
        # Only one date per series: fall back to month if dates are first-of-month.
        if bool((frame["ds"].dt.day == 1).all()):
            return "M"
        raise ForecastInputError("cannot infer the frequency: every series has a single date")
    median = float(gaps.median())
    for low, high, period in (
        (0.5, 1.5, "D"),
        (6, 8, "W"),
        (27, 32, "M"),
        (88, 93, "Q"),
        (360, 370, "Y"),
    ):
        if low <= median <= high:
            return period
    raise ForecastInputError(
        f"cannot infer the frequency: median gap between dates is {median:g} days "
        "(daily, weekly, monthly, quarterly and yearly data are supported)"
    )


def _fill_gaps(used: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    parts = []
    filled = 0
    for unique_id, group in used.groupby("unique_id", sort=True):
        full = np.arange(group["ds"].iloc[0], group["ds"].iloc[-1] + 1)
        if len(full) == len(group):
            parts.append(group)
            continue
        values = pd.Series(group["y"].to_numpy(), index=group["ds"].to_numpy()).reindex(full)
        filled += int(values.isna().sum())
        values = values.interpolate(method="index")
        parts.append(pd.DataFrame({"unique_id": unique_id, "ds": full, "y": values.to_numpy()}))
    frame = pd.concat(parts, ignore_index=True)
    return frame, filled


# --- errors ---------------------------------------------------------------------------------


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Symmetric MAPE in percent, 200 * |a - f| / (|a| + |f|), 0 when both are 0."""
    denominator = np.abs(actual) + np.abs(forecast)
    ratio = np.divide(
        np.abs(actual - forecast),
        denominator,
        out=np.zeros_like(denominator),
        where=denominator > 0,
    )
    return float(200 * ratio.mean())


def naive_scale(history: np.ndarray, season_length: int) -> float:
    """In-sample mean absolute error of the seasonal naive forecast (the MASE denominator).

    Falls back to the naive (lag 1) error for series shorter than a season plus one, and to
    the mean absolute level (or 1) when that is zero, so that a scale is never zero.
    """
    lag = season_length if len(history) > season_length else 1
    if len(history) > lag:
        scale = float(np.mean(np.abs(history[lag:] - history[:-lag])))
        if scale > 0:
            return scale
        if lag > 1 and len(history) > 1:
            scale = float(np.mean(np.abs(np.diff(history))))
            if scale > 0:
                return scale
    level = float(np.mean(np.abs(history))) if len(history) else 0.0
    return level if level > 0 else 1.0


def local_scale(history: np.ndarray, season_length: int) -> float:
    """The naive scale over the last two seasons (at least 12 points) of ``history``.

    Interval widths follow the series' recent level: on a growing series the errors of the
    next periods are larger than the average error over its whole history.
    """
    window = max(2 * season_length, 12) + season_length
    return naive_scale(history[-window:], season_length)


def mase(
    actual: np.ndarray, forecast: np.ndarray, history: np.ndarray, season_length: int
) -> float:
    return float(np.mean(np.abs(actual - forecast)) / naive_scale(history, season_length))


# --- forecasting ----------------------------------------------------------------------------


@dataclass
class ForecastResult:
    forecasts: pd.DataFrame
    report: dict[str, Any] = field(default_factory=dict)
    cv_scores: pd.DataFrame | None = None  # unique_id x method: CV mean absolute error / scale
    # Every candidate's own forecast (unique_id, ds, one column per candidate) for comparison.
    model_forecasts: pd.DataFrame | None = None


def _combine(
    method: str, values: pd.DataFrame, members: Sequence[str], weights: pd.DataFrame | None
) -> pd.Series:
    block = values[list(members)]
    if method == "Mean":
        return block.mean(axis=1)
    if method == "Median":
        return block.median(axis=1)
    if method == "InverseError":
        assert weights is not None
        w = weights.loc[values["unique_id"], list(members)].to_numpy()
        return pd.Series((block.to_numpy() * w).sum(axis=1), index=values.index)
    return values[method]


def forecast_series(
    prepared: PreparedSeries,
    horizon: int,
    *,
    season_length: int | None = None,
    levels: Sequence[int] = (80, 95),
    candidates: Sequence[str] = DEFAULT_CANDIDATES,
    n_windows: int = 3,
    step_size: int | None = None,
    selection: str = "per_series",
    margin: float = 0.3,
    refit: bool = False,
    n_jobs: int = 2,
) -> ForecastResult:
    """Forecast every series ``horizon`` periods ahead with calibrated intervals.

    Series long enough for ``n_windows`` rolling origins get the method (single candidate or
    combination) with the lowest cross-validated mean absolute error (equivalently MASE);
    shorter seasonal-capable series get the method that is best over all cross-validated
    series; very short series get the naive forecast; constant series their constant.

    ``refit=False`` (default) estimates each model's parameters once, at the first cutoff,
    and moves the origin forward with those parameters (statsforecast's ``forward``): the
    other windows then cost a filter pass instead of an optimisation. On the benchmark this
    was as accurate as refitting at every origin and a third faster.
    """
    started = time.perf_counter()
    if horizon < 1:
        raise ForecastInputError("horizon must be at least 1")
    if selection not in SELECTIONS:
        raise ForecastInputError(f"selection must be one of {', '.join(SELECTIONS)}")
    for level in levels:
        if not 0 < level < 100:
            raise ForecastInputError(f"interval level {level} must be between 0 and 100")
    season = season_length or FREQUENCIES[prepared.period][1]
    step = step_size or max(1, horizon // 3)
    min_train = max(2 * season + 2, 10)
    frame = prepared.frame
    stats = frame.groupby("unique_id")["y"].agg(["size", "min", "max"])
    constant = stats.index[stats["min"] == stats["max"]]
    varying = stats.drop(constant)
    cv_ids = varying.index[varying["size"] >= horizon + (n_windows - 1) * step + min_train]
    medium_ids = varying.index[(varying["size"] >= min_train) & ~varying.index.isin(cv_ids)]
    short_ids = varying.index[varying["size"] < min_train]

    candidates = list(dict.fromkeys(candidates))
    members = [name for name in candidates if name != "SeasonalNaive"] or list(candidates)
    methods = list(candidates) + (list(COMBINATIONS) if len(members) > 1 else [])
    histories = {uid: g["y"].to_numpy() for uid, g in frame.groupby("unique_id", sort=False)}
    starts = {
        uid: int(ds) for uid, ds in frame.groupby("unique_id", sort=False)["ds"].first().items()
    }

    parts: list[pd.DataFrame] = []
    cv_scores: pd.DataFrame | None = None
    model_forecasts: pd.DataFrame | None = None
    interval_scores: dict[int, np.ndarray] = {}
    global_best = "Median" if "Median" in methods else methods[0]
    modelled = frame[frame["unique_id"].isin(cv_ids.union(medium_ids))]
    if len(modelled):
        from statsforecast import StatsForecast
        from statsforecast.models import SeasonalNaive

        models = [_model(name, season) for name in candidates]
        engine = StatsForecast(
            models=models, freq=1, n_jobs=n_jobs, fallback_model=SeasonalNaive(season_length=season)
        )
        weights = None
        chosen = pd.Series(global_best, index=modelled["unique_id"].unique(), dtype=object)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if len(cv_ids):
                cv = pd.DataFrame(
                    engine.cross_validation(
                        h=horizon,
                        df=frame[frame["unique_id"].isin(cv_ids)],
                        n_windows=n_windows,
                        step_size=step,
                        refit=refit,
                    )
                ).reset_index(drop=True)
                cv_scores, weights, chosen_cv, global_best = _select(
                    cv, candidates, members, methods, histories, season, selection, margin
                )
                chosen.loc[chosen_cv.index] = chosen_cv
                chosen.loc[medium_ids] = global_best
                interval_scores = _conformal_scores(
                    cv, chosen_cv, members, weights, histories, starts, season
                )
            future = pd.DataFrame(engine.forecast(h=horizon, df=modelled)).reset_index(drop=True)
        if weights is None or len(medium_ids):
            # Series without their own CV errors combine with equal weights.
            equal = pd.DataFrame(1.0 / len(members), index=chosen.index, columns=members)
            weights = equal if weights is None else pd.concat([weights, equal.loc[medium_ids]])
        future["step"] = future.groupby("unique_id").cumcount() + 1
        future["model"] = future["unique_id"].map(chosen)
        yhat = pd.Series(np.nan, index=future.index)
        for method in future["model"].unique():
            rows = future["model"] == method
            yhat[rows] = _combine(method, future[rows], members, weights)
        future["yhat"] = yhat
        parts.append(future[["unique_id", "ds", "step", "yhat", "model"]])
        model_forecasts = future[["unique_id", "ds", *candidates]].copy()
        model_forecasts["ds"] = _to_dates(model_forecasts["ds"], prepared)
    for ids, label in ((short_ids, "Naive"), (constant, "Constant")):
        if len(ids):
            last = frame[frame["unique_id"].isin(ids)].groupby("unique_id").tail(1)
            repeated = last.loc[last.index.repeat(horizon)].copy()
            repeated["step"] = np.tile(np.arange(1, horizon + 1), len(last))
            repeated["ds"] = repeated["ds"] + repeated["step"]
            repeated["yhat"] = repeated["y"]
            repeated["model"] = label
            parts.append(repeated[["unique_id", "ds", "step", "yhat", "model"]])
    forecasts = pd.concat(parts, ignore_index=True).sort_values(["unique_id", "step"])
    forecasts = forecasts.reset_index(drop=True)
    _add_intervals(forecasts, levels, interval_scores, histories, season, horizon)
    forecasts["ds"] = _to_dates(forecasts["ds"], prepared)
    order = ["unique_id", "ds", "yhat"]
    for level in levels:
        order += [f"lo-{level}", f"hi-{level}"]
    forecasts = forecasts[[*order, "model"]]
    report = {
        "rows_in": prepared.rows_in,
        "rows_used": prepared.rows_used,
        "rows_rejected": len(prepared.rejected),
        "rows_filled": prepared.rows_filled,
        "series": prepared.series_count,
        "period": prepared.period,
        "season_length": season,
        "horizon": horizon,
        "cross_validated_series": len(cv_ids),
        "medium_series": len(medium_ids),
        "short_series": len(short_ids),
        "constant_series": len(constant),
        "global_best": global_best,
        "models": forecasts.groupby("unique_id")["model"].first().value_counts().to_dict(),
        "seconds": round(time.perf_counter() - started, 2),
    }
    return ForecastResult(
        forecasts=forecasts, report=report, cv_scores=cv_scores, model_forecasts=model_forecasts
    )


def _select(
    cv: pd.DataFrame,
    candidates: Sequence[str],
    members: Sequence[str],
    methods: Sequence[str],
    histories: dict[str, np.ndarray],
    season: int,
    selection: str,
    margin: float,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, str]:
    """Mean absolute CV error of every method per series; the winner per series and overall."""
    errors = pd.DataFrame({"unique_id": cv["unique_id"]})
    for name in candidates:
        errors[name] = (cv["y"] - cv[name]).abs()
    mae = errors.groupby("unique_id")[list(candidates)].mean()
    inverse = 1.0 / mae[list(members)].clip(lower=1e-12)
    weights = inverse.div(inverse.sum(axis=1), axis=0)
    if len(members) > 1 and "Mean" in methods:
        for method in COMBINATIONS:
            errors[method] = (cv["y"] - _combine(method, cv, members, weights)).abs()
    scores = errors.groupby("unique_id")[list(methods)].mean()
    scale = pd.Series({uid: naive_scale(histories[uid], season) for uid in scores.index})
    scaled = scores.div(scale, axis=0)
    global_best = str(scaled.mean().idxmin())
    chosen = pd.Series(global_best, index=scores.index, dtype=object)
    if selection == "per_series":
        # A series leaves the overall best method only when its own winner is clearly better
        # on its CV windows: with two or three windows, a small lead is mostly noise.
        own = scaled.idxmin(axis=1)
        lead = 1 - scaled.min(axis=1) / scaled[global_best].clip(lower=1e-12)
        switch = lead >= margin
        chosen[switch] = own[switch]
    return scaled, weights, chosen, global_best


def _conformal_scores(
    cv: pd.DataFrame,
    chosen: pd.Series,
    members: Sequence[str],
    weights: pd.DataFrame,
    histories: dict[str, np.ndarray],
    starts: dict[str, int],
    season: int,
) -> dict[int, np.ndarray]:
    """Absolute CV errors of each series' chosen method over its naive scale, per step."""
    cv = cv.copy()
    cv["step"] = cv.groupby(["unique_id", "cutoff"]).cumcount() + 1
    cv["method"] = cv["unique_id"].map(chosen)
    prediction = pd.Series(np.nan, index=cv.index)
    for method in cv["method"].unique():
        rows = cv["method"] == method
        prediction[rows] = _combine(method, cv[rows], members, weights)
    pairs = cv[["unique_id", "cutoff"]].drop_duplicates()
    scales = {
        (uid, cutoff): local_scale(histories[uid][: int(cutoff) - starts[uid] + 1], season)
        for uid, cutoff in zip(pairs["unique_id"], pairs["cutoff"], strict=True)
    }
    scale = pd.Series(
        [scales[key] for key in zip(cv["unique_id"], cv["cutoff"], strict=True)], index=cv.index
    )
    cv["score"] = (cv["y"] - prediction).abs() / scale
    return {int(step): group.to_numpy() for step, group in cv.groupby("step")["score"]}


def conformal_quantile(scores: np.ndarray, level: float) -> float:
    """Split-conformal quantile: the ceil((n + 1) level)-th smallest score (``inf`` if n small)."""
    n = len(scores)
    rank = math.ceil((n + 1) * level / 100)
    if n == 0 or rank > n:
        return math.inf
    return float(np.sort(scores)[rank - 1])


def _add_intervals(
    forecasts: pd.DataFrame,
    levels: Sequence[int],
    scores: dict[int, np.ndarray],
    histories: dict[str, np.ndarray],
    season: int,
    horizon: int,
) -> None:
    scale = forecasts["unique_id"].map(
        {uid: local_scale(h, season) for uid, h in histories.items()}
    )
    constant = forecasts["model"] == "Constant"
    pooled_count = sum(len(v) for v in scores.values())
    for level in levels:
        if pooled_count and min(len(v) for v in scores.values()) >= 50:
            per_step = np.array(
                [conformal_quantile(scores[k], level) for k in range(1, horizon + 1)]
            )
        elif pooled_count:
            # Few CV errors: pool the steps, assuming errors grow with the square root of the step.
            normalised = np.concatenate([v / math.sqrt(k) for k, v in scores.items()])
            per_step = conformal_quantile(normalised, level) * np.sqrt(np.arange(1, horizon + 1))
            if not np.isfinite(per_step).all():
                per_step = np.full(horizon, np.max(normalised)) * np.sqrt(np.arange(1, horizon + 1))
        else:
            # No series was long enough to cross-validate: a Gaussian random-walk interval with
            # the naive error as scale (sigma ~ 1.25 * mean absolute error).
            from statistics import NormalDist

            z = NormalDist().inv_cdf(0.5 + level / 200)
            per_step = 1.25 * z * np.sqrt(np.arange(1, horizon + 1))
        per_step = np.maximum.accumulate(per_step)
        width = per_step[forecasts["step"].to_numpy() - 1] * scale.to_numpy()
        width[constant.to_numpy()] = 0.0
        forecasts[f"lo-{level}"] = forecasts["yhat"] - width
        forecasts[f"hi-{level}"] = forecasts["yhat"] + width


def _to_dates(ordinals: pd.Series, prepared: PreparedSeries) -> pd.Series:
    periods = pd.PeriodIndex.from_ordinals(ordinals.to_numpy(), freq=prepared.period)
    how = "end" if prepared.anchor == "end" else "start"
    stamps = periods.to_timestamp(how=how).normalize()
    return pd.Series(stamps.strftime("%Y-%m-%d"), index=ordinals.index)
