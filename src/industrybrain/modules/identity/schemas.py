"""Pydantic shapes of the identity API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class OrganizationRead(_Read):
    id: int
    type: str
    name_zh: str
    name_en: str
    uscc: str | None
    region_code: str | None
    status: str
    created_at: datetime


class OrganizationCreate(BaseModel):
    type: str
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    uscc: str | None = Field(None, min_length=18, max_length=18)
    region_code: str | None = None


class OrganizationUpdate(BaseModel):
    name_zh: str | None = Field(None, min_length=1, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    region_code: str | None = None
    status: str | None = None


class UserRead(_Read):
    id: int
    username: str
    email: str | None
    display_name: str
    disabled: bool
    created_at: datetime


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=8, max_length=1000)
    display_name: str = ""
    email: str | None = None
    organization_id: int
    role: str = "member"


class UserUpdate(BaseModel):
    display_name: str | None = None
    email: str | None = None
    disabled: bool | None = None


class MembershipRead(_Read):
    id: int
    user_id: int
    organization_id: int
    role: str
    created_at: datetime


class MembershipCreate(BaseModel):
    user_id: int
    role: str


class MembershipUpdate(BaseModel):
    role: str


class ApiKeyRead(_Read):
    id: int
    prefix: str
    name: str
    organization_id: int
    permissions: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    permissions: list[str]
    expires_at: datetime | None = None


class ApiKeyCreated(ApiKeyRead):
    secret: str = Field(description="the key itself; shown once, send it as X-API-Key")


class LoginRequest(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1000)
    organization_id: int | None = None


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime


class Me(BaseModel):
    method: str
    user: UserRead | None
    organization: OrganizationRead
    role: str | None
    permissions: list[str]
    csrf_token: str | None = None
