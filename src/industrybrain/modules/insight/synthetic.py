"""Synthetic monthly series for forecast tests and benchmarks (not the demo ground truth).

Two generators:

- :func:`cluster_like_series`: series shaped like the monthly output, sales and electricity of
  a cluster's enterprises and nodes: multiplicative level x trend x seasonality x noise, a
  Chinese-New-Year dip in January/February, occasional level shifts (a new line, a lost
  customer) and slow trend changes.
- :func:`m4_monthly_like_series`: a mix after the M4 monthly data set's composition (macro,
  micro, industry, finance, demographic, other): varied scales, additive and multiplicative
  seasonality of varied strength, random-walk and trend-stationary components, damped trends.

Both are deterministic for a given ``seed`` and return a long frame ``unique_id, ds, y``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _season(rng: np.random.Generator, period: int, strength: float) -> np.ndarray:
    """A smooth random seasonal profile with mean 0 and amplitude about ``strength``."""
    t = np.arange(period)
    profile = np.zeros(period)
    for harmonic in range(1, 4):
        amplitude = rng.normal(0, 1) / harmonic
        phase = rng.uniform(0, 2 * np.pi)
        profile += amplitude * np.sin(2 * np.pi * harmonic * t / period + phase)
    profile -= profile.mean()
    peak = np.abs(profile).max() or 1.0
    return strength * profile / peak


def _frame(series: list[np.ndarray], starts: list[pd.Timestamp], prefix: str) -> pd.DataFrame:
    ids, dates, values = [], [], []
    for number, (values_i, start) in enumerate(zip(series, starts, strict=True)):
        ids.extend([f"{prefix}{number:05d}"] * len(values_i))
        dates.append(pd.date_range(start, periods=len(values_i), freq="MS"))
        values.append(values_i)
    return pd.DataFrame(
        {
            "unique_id": ids,
            "ds": np.concatenate([d.values for d in dates]),
            "y": np.concatenate(values),
        }
    )


def cluster_like_series(
    count: int, *, length: int = 100, seed: int = 0, length_jitter: int = 12
) -> pd.DataFrame:
    """Monthly enterprise/node series (output, sales, electricity) of an industrial cluster."""
    rng = np.random.default_rng(seed)
    series: list[np.ndarray] = []
    starts: list[pd.Timestamp] = []
    for _ in range(count):
        n = int(length + rng.integers(-length_jitter, length_jitter + 1))
        t = np.arange(n)
        level = np.exp(rng.normal(7.0, 1.2))
        growth = rng.normal(0.004, 0.006)
        # A slow change of growth rate somewhere in the series (business cycle turn).
        turn = int(rng.integers(n // 3, n))
        growth_path = np.where(t < turn, growth, growth + rng.normal(0, 0.006))
        trend = np.exp(np.cumsum(growth_path))
        start = pd.Timestamp(2014, 1, 1) + pd.DateOffset(months=int(rng.integers(0, 36)))
        month = (start.month - 1 + t) % 12
        seasonal = 1 + _season(rng, 12, rng.uniform(0.03, 0.25))[month]
        # Spring Festival dip, stronger for labour-intensive enterprises.
        festival = 1 - rng.uniform(0.0, 0.3) * ((month == 1) + 0.4 * (month == 0))
        shift = np.ones(n)
        if rng.random() < 0.3:
            at = int(rng.integers(12, n - 6))
            shift[at:] = np.exp(rng.normal(0, 0.2))
        noise_sd = rng.uniform(0.02, 0.12)
        noise = np.exp(rng.normal(0, noise_sd, n))
        # A little autocorrelation in the noise, as orders carry over months.
        ar = np.exp(np.convolve(rng.normal(0, noise_sd / 2, n), [1, 0.6, 0.3])[:n])
        values = level * trend * seasonal * festival * shift * noise * ar
        series.append(np.round(values, 2))
        starts.append(start)
    return _frame(series, starts, "C")


def m4_monthly_like_series(
    count: int, *, length: int = 100, seed: int = 1, length_jitter: int = 12
) -> pd.DataFrame:
    """A mix of series in the spirit of M4 monthly (different domains and shapes)."""
    rng = np.random.default_rng(seed)
    series: list[np.ndarray] = []
    starts: list[pd.Timestamp] = []
    for _ in range(count):
        n = int(length + rng.integers(-length_jitter, length_jitter + 1))
        t = np.arange(n)
        kind = rng.choice(["macro", "micro", "industry", "finance", "demographic"])
        level = np.exp(rng.normal(8.0, 1.0))
        start = pd.Timestamp(2000, 1, 1) + pd.DateOffset(months=int(rng.integers(0, 180)))
        month = (start.month - 1 + t) % 12
        if kind == "finance":
            # Random walk with drift, weak seasonality, fat-tailed shocks.
            steps = rng.standard_t(4, n) * rng.uniform(0.01, 0.05) + rng.normal(0.002, 0.004)
            values = level * np.exp(np.cumsum(steps))
            values *= 1 + _season(rng, 12, rng.uniform(0, 0.03))[month]
        elif kind == "demographic":
            # Smooth, damped trend, strong and stable seasonality, little noise.
            phi = rng.uniform(0.9, 0.99)
            slope = rng.normal(0.004, 0.003)
            trend = np.exp(np.cumsum(slope * phi ** (t / 12)))
            seasonal = 1 + _season(rng, 12, rng.uniform(0.05, 0.3))[month]
            values = level * trend * seasonal * np.exp(rng.normal(0, 0.01, n))
        elif kind == "micro":
            # Noisy, additive seasonality, local level (random walk plus noise).
            local = np.cumsum(rng.normal(0, 0.02, n))
            seasonal = _season(rng, 12, rng.uniform(0.05, 0.4))[month]
            values = level * (1 + local + seasonal + rng.normal(0, rng.uniform(0.05, 0.15), n))
            values = np.maximum(values, level * 0.05)
        else:
            # Macro / industry: trend-stationary with cycles and a possible level shift.
            slope = rng.normal(0.003, 0.004)
            cycle = rng.uniform(0, 0.08) * np.sin(2 * np.pi * t / rng.uniform(36, 96))
            seasonal = _season(rng, 12, rng.uniform(0.0, 0.25))[month]
            shift = np.where(t >= rng.integers(12, n), rng.normal(0, 0.15), 0.0)
            ar = np.zeros(n)
            shocks = rng.normal(0, rng.uniform(0.01, 0.06), n)
            for i in range(1, n):
                ar[i] = 0.5 * ar[i - 1] + shocks[i]
            values = level * np.exp(slope * t + cycle + seasonal + shift + ar)
        series.append(np.round(values, 2))
        starts.append(start)
    return _frame(series, starts, "M")
