"""Index methods: prosperity (景气) diffusion index, composite index, chain-linked Laspeyres
price index and sub-indices by group. Pure functions over pandas frames (convert a Polars
frame with ``.to_pandas()``, a DuckDB relation with ``.df()``). Formulas: docs/insight-methods.md.

Months are ``pandas.Period`` values or ``YYYY-MM`` strings; every function returns a frame
sorted by month.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

Comparison = Literal["month_on_month_sa", "year_on_year"]


class IndexInputError(ValueError):
    """Input frames or parameters cannot make an index."""


def _months(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.PeriodDtype):
        return values.astype("period[M]")
    return pd.PeriodIndex(pd.to_datetime(values.astype(str)), freq="M").to_series(
        index=values.index
    )


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise IndexInputError(f"{what}: missing column(s) {', '.join(missing)}")


# --- seasonal adjustment --------------------------------------------------------------------


def seasonal_factors(values: pd.Series, period: int = 12) -> pd.Series:
    """Multiplicative seasonal factors by the ratio-to-moving-average method (classical
    decomposition, X-11's first pass).

    ``values`` is indexed by consecutive months. Trend = centred 2x12 moving average (weights
    1/24, 1/12 x 11, 1/24); ratio = value / trend; the factor of a calendar month is the mean
    of its ratios, normalised so that the 12 factors average 1. A series shorter than two full
    years, or with a non-positive value, gets factors of 1 (no adjustment).
    """
    n = len(values)
    if n < 2 * period or (values <= 0).any():
        return pd.Series(1.0, index=values.index)
    weights = np.r_[0.5, np.ones(period - 1), 0.5] / period
    trend = np.convolve(values.to_numpy(dtype=float), weights, mode="same")
    half = period // 2
    trend[:half] = np.nan
    trend[n - half :] = np.nan
    ratio = values.to_numpy(dtype=float) / trend
    position = np.arange(n) % period
    means = np.array([np.nanmean(ratio[position == p]) for p in range(period)])
    means = means / means.mean()
    return pd.Series(means[position], index=values.index)


def seasonally_adjust(values: pd.Series, period: int = 12) -> pd.Series:
    """``values / seasonal_factors(values)`` (see :func:`seasonal_factors`)."""
    return values / seasonal_factors(values, period)


# --- prosperity -----------------------------------------------------------------------------


def diffusion_index(
    panel: pd.DataFrame,
    *,
    comparison: Comparison = "month_on_month_sa",
    entity: str = "enterprise_id",
    month: str = "month",
    value: str = "value",
    tolerance: float = 1e-9,
) -> pd.DataFrame:
    """Diffusion index of one indicator: per month, 100 x (share of enterprises whose value
    rose + half the share whose value stayed level). 50 = as many rising as falling.

    ``panel`` has one row per enterprise and month. ``comparison``:

    - ``month_on_month_sa``: each enterprise's series is seasonally adjusted
      (:func:`seasonally_adjust`, ratio to the centred 12-month moving average) and compared
      with its previous month;
    - ``year_on_year``: compared with the same month a year earlier (no adjustment needed).

    An enterprise counts in a month only when both values exist. A relative change within
    ``tolerance`` counts as level (the default only absorbs floating-point noise of the
    seasonal adjustment: an unchanged adjusted value is level). Returns ``month, index, rising, level, falling, count``.
    """
    _require(panel, [entity, month, value], "diffusion_index")
    data = pd.DataFrame(
        {
            "entity": panel[entity].to_numpy(),
            "month": _months(panel[month]).to_numpy(),
            "value": pd.to_numeric(panel[value]).to_numpy(dtype=float),
        }
    )
    if data.duplicated(["entity", "month"]).any():
        raise IndexInputError("diffusion_index: more than one value for an enterprise and month")
    lag = 12 if comparison == "year_on_year" else 1
    if comparison not in ("year_on_year", "month_on_month_sa"):
        raise IndexInputError(f"unknown comparison {comparison!r}")
    changes = []
    for entity_id, group in data.groupby("entity", sort=False):
        months = group["month"]
        start, end = months.min(), months.max()
        full = pd.period_range(start, end, freq="M")
        series = pd.Series(group["value"].to_numpy(), index=pd.PeriodIndex(months)).reindex(full)
        if comparison == "month_on_month_sa":
            # Adjust on the observed months only; gaps stay missing.
            series = series.where(series.isna(), seasonally_adjust(series.interpolate()))
        previous = series.shift(lag)
        change = pd.DataFrame(
            {
                "month": full,
                "entity": entity_id,
                "now": series.to_numpy(),
                "before": previous.to_numpy(),
            }
        )
        changes.append(change.dropna())
    if not changes:
        return pd.DataFrame(columns=["month", "index", "rising", "level", "falling", "count"])
    all_changes = pd.concat(changes, ignore_index=True)
    relative = (all_changes["now"] - all_changes["before"]) / all_changes["before"].abs().where(
        all_changes["before"] != 0, 1.0
    )
    all_changes["direction"] = np.where(
        relative > tolerance, "rising", np.where(relative < -tolerance, "falling", "level")
    )
    counts = (
        all_changes.groupby(["month", "direction"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=["rising", "level", "falling"], fill_value=0)
    )
    counts["count"] = counts.sum(axis=1)
    counts["index"] = 100 * (counts["rising"] + 0.5 * counts["level"]) / counts["count"]
    result = counts.reset_index()[["month", "index", "rising", "level", "falling", "count"]]
    return result.sort_values("month").reset_index(drop=True)


def composite_index(
    components: Mapping[str, pd.DataFrame], weights: Mapping[str, float]
) -> pd.DataFrame:
    """Weighted mean of component indices (e.g. diffusion indices of electricity, sales,
    headcount, exports) per month: ``sum_k w_k I_k / sum_k w_k`` over the components present
    that month (weights re-normalised when a component is missing). Returns ``month, index``
    plus one column per component.
    """
    if not components:
        raise IndexInputError("composite_index: no components")
    unknown = set(components) - set(weights)
    if unknown:
        raise IndexInputError(f"composite_index: no weight for {', '.join(sorted(unknown))}")
    if any(weights[name] < 0 for name in components):
        raise IndexInputError("composite_index: weights must not be negative")
    table = pd.concat(
        {name: frame.set_index("month")["index"] for name, frame in components.items()}, axis=1
    ).sort_index()
    w = pd.Series({name: float(weights[name]) for name in table.columns})
    present = table.notna()
    weight_sum = present.mul(w, axis=1).sum(axis=1)
    value = table.fillna(0).mul(w, axis=1).sum(axis=1) / weight_sum.where(weight_sum > 0)
    result = table.copy()
    result.insert(0, "index", value)
    return result.reset_index().rename(columns={"index": "index"})


def prosperity_index(
    indicators: pd.DataFrame,
    definition: Any,
    *,
    comparison: Comparison | None = None,
) -> pd.DataFrame:
    """The prosperity index of a brain template's ``prosperity`` definition.

    ``indicators`` is long: ``enterprise_id, month, series, value``; ``definition`` is an
    ``IndexDefinition`` (``template.indices``) whose ``params.components`` give the series and
    weights. ``comparison`` defaults to ``params.comparison`` (``year_on_year`` when absent).
    """
    _require(indicators, ["enterprise_id", "month", "series", "value"], "prosperity_index")
    params = definition.params
    chosen: Comparison = comparison or params.get("comparison", "year_on_year")
    weights = {item["series"]: float(item["weight"]) for item in params.get("components", [])}
    components = {}
    for name in weights:
        rows = indicators[indicators["series"] == name]
        if len(rows):
            components[name] = diffusion_index(rows, comparison=chosen)
    if not components:
        raise IndexInputError(
            f"prosperity_index: none of the series {', '.join(weights)} is in the data"
        )
    return composite_index(components, {name: weights[name] for name in components})


# --- prices ---------------------------------------------------------------------------------


def chained_laspeyres(
    prices: pd.DataFrame,
    *,
    item: str = "item",
    month: str = "month",
    price: str = "price",
    weight: str = "weight",
    base_value: float = 100.0,
) -> pd.DataFrame:
    """Chain-linked Laspeyres price index, first month = ``base_value``.

    ``prices`` has one row per item and month with a ``price`` and a base-quantity or
    expenditure-share ``weight``. A weight given per item (constant) is a fixed base quantity
    q_i or share; a weight that varies by month is read as the quantity of that month and the
    link from t-1 to t uses the quantities of t-1 (annual or monthly re-weighting).

    Link t-1 -> t over the items priced in both months::

        L_t = sum_i p_i,t q_i,t-1 / sum_i p_i,t-1 q_i,t-1

    Index: I_0 = base_value, I_t = I_t-1 x L_t. Items missing in either month drop out of
    that link only (the matched-model method). Returns ``month, index, link, items``.
    """
    _require(prices, [item, month, price, weight], "chained_laspeyres")
    data = pd.DataFrame(
        {
            "item": prices[item].to_numpy(),
            "month": _months(prices[month]).to_numpy(),
            "price": pd.to_numeric(prices[price]).to_numpy(dtype=float),
            "weight": pd.to_numeric(prices[weight]).to_numpy(dtype=float),
        }
    )
    if data.duplicated(["item", "month"]).any():
        raise IndexInputError("chained_laspeyres: more than one price for an item and month")
    if (data["price"] <= 0).any() or (data["weight"] < 0).any():
        raise IndexInputError("chained_laspeyres: prices must be positive, weights not negative")
    price_table = data.pivot(index="month", columns="item", values="price").sort_index()
    weight_table = data.pivot(index="month", columns="item", values="weight").sort_index()
    months = pd.period_range(price_table.index.min(), price_table.index.max(), freq="M")
    price_table = price_table.reindex(months)
    weight_table = weight_table.reindex(months)
    rows = [
        {
            "month": months[0],
            "index": base_value,
            "link": np.nan,
            "items": int(price_table.iloc[0].notna().sum()),
        }
    ]
    level = base_value
    for t in range(1, len(months)):
        before, now, q = price_table.iloc[t - 1], price_table.iloc[t], weight_table.iloc[t - 1]
        matched = before.notna() & now.notna() & q.notna()
        denominator = float((before[matched] * q[matched]).sum())
        if not matched.any() or denominator == 0:
            link = np.nan  # no matched item: the index is carried forward unchanged
            level_next = level
        else:
            link = float((now[matched] * q[matched]).sum()) / denominator
            level_next = level * link
        level = level_next
        rows.append({"month": months[t], "index": level, "link": link, "items": int(matched.sum())})
    return pd.DataFrame(rows)


def template_price_index(
    prices: pd.DataFrame, definition: Any, *, item: str = "item"
) -> pd.DataFrame:
    """A brain template's ``price_raw`` / ``price_product`` index: the template gives each
    material (``params.materials``) or category (``params.categories``) its cost or sales
    share; ``prices`` holds ``item, month, price`` (items outside the template are ignored).

    Shares are turned into base quantities q_i = share_i / p_i,0 (p_i,0 = first observed price)
    so that the Laspeyres link weights each item by its base-period expenditure share.
    """
    params = definition.params
    listed = params.get("materials") or params.get("categories") or []
    shares = {entry["code"]: float(entry["weight"]) for entry in listed}
    data = prices[prices[item].isin(list(shares))].copy()
    if data.empty:
        raise IndexInputError("template_price_index: no price for any item of the definition")
    data["_month"] = _months(data["month"])
    first_price = data.sort_values("_month").groupby(item)["price"].first()
    data["weight"] = data[item].map(lambda code: shares[code] / float(first_price[code]))
    return chained_laspeyres(
        data.drop(columns="_month"), item=item, base_value=definition.base_value
    )


def sub_indices(
    frame: pd.DataFrame,
    group: str,
    method: Any,
    *,
    min_entities: int = 1,
    entity: str | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """The same index per group (chain stage, town, node): ``method(frame_of_group, **kwargs)``
    for each value of ``group``, stacked with a ``group`` column.

    ``min_entities`` leaves out groups with fewer distinct ``entity`` values (use 3 for
    published aggregates: a cell from fewer than 3 enterprises is never shown).
    """
    _require(frame, [group], "sub_indices")
    parts = []
    for key, rows in frame.groupby(group, sort=True):
        if entity is not None and rows[entity].nunique() < min_entities:
            continue
        result = method(rows, **kwargs)
        result.insert(0, "group", key)
        parts.append(result)
    if not parts:
        return pd.DataFrame(columns=["group", "month", "index"])
    return pd.concat(parts, ignore_index=True)
