"""Pydantic shapes of the brain registry API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class BrainRead(_Read):
    id: int
    code: str
    name_zh: str
    name_en: str
    industry_class: str
    industry_name: str = ""
    region_code: str
    region_name: str = ""
    operator_organization_id: int
    status: str
    template: str
    created_at: datetime
    updated_at: datetime


class BrainCreate(BaseModel):
    code: str = Field(min_length=3, max_length=64)
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    industry_class: str = Field(description="GB/T 4754-2017 class code (4 digits), e.g. 3441")
    region_code: str = Field(description="GB/T 2260 city or county code, e.g. 331081")
    operator_organization_id: int
    template: str = Field("", max_length=64, description="brain template id, e.g. pumps-valves")
    status: str = "planned"


class BrainUpdate(BaseModel):
    name_zh: str | None = Field(None, min_length=1, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    template: str | None = Field(None, max_length=64)
    operator_organization_id: int | None = None


class StatusChange(BaseModel):
    status: str
    reason: str = Field("", max_length=500)


class BrainEventRead(_Read):
    id: int
    brain_id: int
    kind: str
    detail: dict[str, Any]
    actor_user_id: int | None
    actor_organization_id: int | None
    at: datetime


class PartitionRead(_Read):
    id: int
    brain_id: int
    organization_id: int
    region_code: str
    name: str
    status: str
    merged_into_id: int | None
    created_at: datetime


class PartitionCreate(BaseModel):
    region_code: str
    name: str = Field(min_length=1, max_length=200)


class PartitionMerge(BaseModel):
    source_id: int
    target_id: int
    name: str | None = Field(None, max_length=200)


class BrainEnterpriseRead(_Read):
    id: int
    brain_id: int
    organization_id: int
    partition_id: int | None
    enterprise_key: str
    name: str
    enterprise_organization_id: int | None
    joined_at: datetime


class BrainEnterpriseCreate(BaseModel):
    enterprise_key: str = Field(min_length=1, max_length=64, description="e.g. the USCC")
    name: str = Field("", max_length=200)
    partition_id: int | None = None
    enterprise_organization_id: int | None = None
