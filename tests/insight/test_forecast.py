"""Forecast engine: input handling, output shape, intervals, model choice, accuracy, CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from industrybrain.cli import build_cli
from industrybrain.modules.insight.forecast import (
    ForecastInputError,
    conformal_quantile,
    forecast_series,
    naive_scale,
    prepare_long,
    read_long_csv,
    smape,
)
from industrybrain.modules.insight.synthetic import cluster_like_series

FAST = ["SeasonalNaive", "Theta", "AutoCES"]


def _seasonal(uid: str, months: int, start: str = "2018-01-01", seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(months)
    y = 100 + 0.5 * t + 20 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 2, months)
    ds = pd.date_range(start, periods=months, freq="MS").strftime("%Y-%m-%d")
    return pd.DataFrame({"unique_id": uid, "ds": ds, "y": y.round(3).astype(str)})


@pytest.fixture(scope="module")
def mixed() -> pd.DataFrame:
    parts = [_seasonal(f"s{i}", 72, seed=i) for i in range(4)]
    parts.append(_seasonal("short", 8))
    constant = _seasonal("flat", 40)
    constant["y"] = "7"
    parts.append(constant)
    negative = _seasonal("negative", 60, seed=9)
    negative["y"] = (negative["y"].astype(float) - 150).astype(str)
    parts.append(negative)
    gapped = _seasonal("gapped", 60, seed=5).drop(index=[20, 21, 35])
    parts.append(gapped)
    return pd.concat(parts, ignore_index=True)


def test_forecast_shape_columns_intervals_and_models(mixed: pd.DataFrame) -> None:
    prepared = prepare_long(mixed)
    assert prepared.period == "M"
    assert prepared.rows_filled == 3  # the three dropped months of "gapped"
    result = forecast_series(prepared, 6, levels=(80, 95), candidates=FAST, n_jobs=1)
    out = result.forecasts
    assert list(out.columns) == [
        "unique_id",
        "ds",
        "yhat",
        "lo-80",
        "hi-80",
        "lo-95",
        "hi-95",
        "model",
    ]
    assert len(out) == 8 * 6
    assert out.groupby("unique_id").size().eq(6).all()
    assert out[["yhat", "lo-80", "hi-95"]].notna().all().all()
    # Intervals nest: lo-95 <= lo-80 <= yhat <= hi-80 <= hi-95.
    assert (out["lo-95"] <= out["lo-80"]).all() and (out["lo-80"] <= out["yhat"]).all()
    assert (out["yhat"] <= out["hi-80"]).all() and (out["hi-80"] <= out["hi-95"]).all()
    models = out.groupby("unique_id")["model"].first()
    known = {*FAST, "Mean", "Median", "InverseError"}
    assert models["flat"] == "Constant" and models["short"] == "Naive"
    assert set(models.drop(["flat", "short"])) <= known
    flat = out[out["unique_id"] == "flat"]
    assert (flat["yhat"] == 7).all() and (flat["hi-95"] == 7).all()
    # Dates continue the input months.
    s0 = out[out["unique_id"] == "s0"]["ds"].tolist()
    assert s0 == [
        "2024-01-01",
        "2024-02-01",
        "2024-03-01",
        "2024-04-01",
        "2024-05-01",
        "2024-06-01",
    ]
    assert (out[out["unique_id"] == "negative"]["yhat"] < 0).all()


def test_rejected_rows_with_reasons_and_counts() -> None:
    good = _seasonal("a", 40)
    bad = pd.DataFrame(
        {
            "unique_id": ["", "a", "a", "a", "a"],
            "ds": ["2020-01-01", "not a date", "2021-01-01", "2022-01-01", "2018-01-01"],
            "y": ["1", "2", "", "abc", "5"],
        }
    )
    prepared = prepare_long(pd.concat([good, bad], ignore_index=True), first_line=2)
    assert prepared.rows_in == 45
    assert prepared.rows_in == prepared.rows_used + len(prepared.rejected)
    reasons = prepared.rejected.set_index("line")["reason"].to_dict()
    assert reasons == {
        42: "missing unique_id",
        43: "unreadable ds (expected a date like 2024-01-01)",
        44: "missing y",
        45: "y is not a number",
        46: "duplicate period for this unique_id",
    }


def test_malformed_input_gives_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ForecastInputError, match="missing column"):
        prepare_long(pd.DataFrame({"id": ["a"], "date": ["2020-01-01"], "value": ["1"]}))
    with pytest.raises(ForecastInputError, match="no usable rows"):
        prepare_long(pd.DataFrame({"unique_id": ["a"], "ds": ["x"], "y": ["1"]}))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ForecastInputError, match="empty"):
        read_long_csv(empty)
    odd = pd.DataFrame(
        {
            "unique_id": ["a"] * 3,
            "ds": ["2020-01-01", "2020-02-15", "2020-04-01"],
            "y": ["1", "2", "3"],
        }
    )
    with pytest.raises(ForecastInputError, match="frequency"):
        prepare_long(odd)


@pytest.mark.parametrize(
    ("dates", "period", "season", "first_out"),
    [
        (pd.date_range("2020-01-06", periods=120, freq="D"), "D", 7, "2020-05-05"),
        (pd.date_range("2020-03-31", periods=40, freq="QE"), "Q", 4, "2030-03-31"),
        (pd.date_range("2015-01-31", periods=60, freq="ME"), "M", 12, "2020-01-31"),
    ],
)
def test_frequency_inferred_from_dates(
    dates: pd.DatetimeIndex, period: str, season: int, first_out: str
) -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "unique_id": "x",
            "ds": dates.strftime("%Y-%m-%d"),
            "y": (50 + rng.normal(0, 1, len(dates))).astype(str),
        }
    )
    prepared = prepare_long(frame)
    assert prepared.period == period
    result = forecast_series(prepared, 3, candidates=FAST, n_jobs=1)
    assert result.report["season_length"] == season
    assert result.forecasts["ds"].iloc[0] == first_out


def test_errors_and_conformal_quantile() -> None:
    assert smape(np.array([100.0, 0.0]), np.array([50.0, 0.0])) == pytest.approx(
        200 * (50 / 150) / 2
    )
    # Seasonal naive scale of 1..24 with season 12: every |y_t - y_{t-12}| is 12.
    assert naive_scale(np.arange(1.0, 25.0), 12) == 12.0
    assert naive_scale(np.full(30, 3.0), 12) == 3.0  # a flat series falls back to its level
    # 9 scores, 80%: rank ceil(10 * 0.8) = 8 -> the 8th smallest.
    assert conformal_quantile(np.arange(1.0, 10.0), 80) == 8.0
    assert conformal_quantile(np.arange(1.0, 4.0), 95) == float("inf")


def test_ensemble_beats_seasonal_naive_on_seasonal_set() -> None:
    data = cluster_like_series(40, length=84, seed=11, length_jitter=0)
    test = data.groupby("unique_id").tail(12)
    train = data.drop(test.index)
    train = train.assign(ds=pd.to_datetime(train["ds"]).dt.strftime("%Y-%m-%d"))
    result = forecast_series(prepare_long(train.astype(str)), 12, candidates=FAST, n_jobs=1)
    ours, naive = [], []
    models = result.model_forecasts
    assert models is not None
    for uid, actual in test.groupby("unique_id")["y"]:
        ours.append(
            smape(
                actual.to_numpy(),
                result.forecasts.loc[result.forecasts["unique_id"] == uid, "yhat"].to_numpy(),
            )
        )
        naive.append(
            smape(
                actual.to_numpy(),
                models.loc[models["unique_id"] == uid, "SeasonalNaive"].to_numpy(),
            )
        )
    assert np.mean(ours) < 0.9 * np.mean(naive)


def test_cli_forecast_writes_forecasts_rejected_and_report(
    tmp_path: Path, mixed: pd.DataFrame
) -> None:
    source = tmp_path / "long.csv"
    with_bad = pd.concat(
        [mixed, pd.DataFrame({"unique_id": ["s0"], "ds": ["2019-13-45"], "y": ["1"]})],
        ignore_index=True,
    )
    with_bad.to_csv(source, index=False)
    out = tmp_path / "out" / "fc.csv"
    result = CliRunner().invoke(
        build_cli(),
        [
            "insight",
            "forecast",
            "--input",
            str(source),
            "--horizon",
            "4",
            "--out",
            str(out),
            "--level",
            "90",
            "--models",
            ",".join(FAST),
            "--jobs",
            "1",
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "rejected 1" in result.output
    written = pd.read_csv(out)
    assert list(written.columns) == ["unique_id", "ds", "yhat", "lo-90", "hi-90", "model"]
    assert len(written) == 8 * 4
    rejected = pd.read_csv(out.with_name("fc.rejected.csv"))
    assert rejected["reason"].tolist() == ["unreadable ds (expected a date like 2024-01-01)"]
    assert out.with_name("fc.report.json").is_file()


def test_cli_refuses_bad_input(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("id,when,value\na,2020-01-01,1\n")
    result = CliRunner().invoke(
        build_cli(),
        [
            "insight",
            "forecast",
            "--input",
            str(source),
            "--horizon",
            "3",
            "--out",
            str(tmp_path / "o.csv"),
        ],
    )
    assert result.exit_code == 1
    assert "missing column" in result.output
    result = CliRunner().invoke(
        build_cli(),
        [
            "insight",
            "forecast",
            "--input",
            str(source),
            "--horizon",
            "3",
            "--out",
            str(tmp_path / "o.csv"),
            "--level",
            "120",
        ],
    )
    assert result.exit_code == 2


def test_forecast_tool_component_is_declared() -> None:
    from industrybrain.plugins import collect

    components = {c.id: c for c in collect("register_components")}
    component = components["insight.forecast"]
    assert component.kind == "tool"
    assert component.config_schema()["properties"]["horizon"]["minimum"] == 1
