"""The tool component (工具组件) this module offers to the capability center."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from industrybrain.kit.components import ComponentSpec


class ForecastConfig(BaseModel):
    """Settings of a forecast run."""

    model_config = ConfigDict(extra="forbid")

    horizon: int = Field(12, ge=1, description="Periods to forecast.")
    season_length: int | None = Field(None, ge=1, description="Default: from the frequency.")
    levels: list[int] = Field(default_factory=lambda: [80, 95], description="Interval levels.")
    models: list[str] = Field(
        default_factory=list, description="Candidate models; empty = fast set."
    )
    selection: str = Field("per_series", pattern="^(per_series|global)$")


def forecast_component() -> ComponentSpec:
    return ComponentSpec(
        kind="tool",
        id="insight.forecast",
        version="1.0.0",
        title_zh="时间序列预测",
        title_en="Time-series forecasting",
        description_zh=(
            "按滚动起点交叉验证为每条序列选择统计模型或模型组合（Theta、CES、季节朴素等），"
            "输出预测值与经校准的预测区间。"
        ),
        description_en=(
            "Per-series choice of a statistical model or combination (Theta, CES, seasonal "
            "naive, ...) by rolling-origin cross-validation, with calibrated conformal "
            "prediction intervals."
        ),
        input_schema={
            "type": "object",
            "description": "long table",
            "properties": {
                "unique_id": {"type": "string"},
                "ds": {"type": "string"},
                "y": {"type": "number"},
            },
        },
        output_schema={
            "type": "object",
            "properties": {
                "unique_id": {"type": "string"},
                "ds": {"type": "string"},
                "yhat": {"type": "number"},
                "model": {"type": "string"},
            },
        },
        config_model=ForecastConfig,
    )
