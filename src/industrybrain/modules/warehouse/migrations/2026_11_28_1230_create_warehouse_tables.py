"""create warehouse tables

Revision ID: c5e8d2a1f704
Revises:
Create Date: 2026-11-28 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import industrybrain.kit.db

revision: str = "c5e8d2a1f704"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("warehouse",)
depends_on: str | Sequence[str] | None = "a1d3e7f0b201"

_TS = industrybrain.kit.db.UTCDateTime(timezone=True)


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["organization_id"],
        ["identity_organization.id"],
        name=op.f(f"fk_{table}_organization_id_identity_organization"),
        ondelete="RESTRICT",
    )


def _org_index(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f(f"ix_{table}_organization_id"), ["organization_id"], unique=False
        )


def upgrade() -> None:
    op.create_table(
        "warehouse_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("classification", sa.String(length=16), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("schedule", sa.String(length=64), nullable=False),
        sa.Column("connector_options", sa.JSON(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.CheckConstraint(
            "classification IN ('公共数据', '企业数据', '个人信息')",
            name=op.f("ck_warehouse_source_classification"),
        ),
        sa.CheckConstraint("grade BETWEEN 1 AND 4", name=op.f("ck_warehouse_source_grade")),
        _org_fk("warehouse_source"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warehouse_source")),
        sa.UniqueConstraint("code", name=op.f("uq_warehouse_source_code")),
    )
    _org_index("warehouse_source")
    op.create_table(
        "warehouse_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("options_digest", sa.String(length=16), nullable=False),
        sa.Column("relative_dir", sa.String(length=200), nullable=False),
        sa.Column("original_name", sa.String(length=500), nullable=False),
        sa.Column("rows_in", sa.Integer(), nullable=False),
        sa.Column("rows_landed", sa.Integer(), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), nullable=False),
        sa.Column("encoding", sa.String(length=32), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("ingested_at", _TS, nullable=False),
        _org_fk("warehouse_file"),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["warehouse_source.id"],
            name=op.f("fk_warehouse_file_source_id_warehouse_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warehouse_file")),
        sa.UniqueConstraint(
            "source_id",
            "sha256",
            "options_digest",
            name=op.f("uq_warehouse_file_source_id_sha256_options_digest"),
        ),
    )
    _org_index("warehouse_file")
    with op.batch_alter_table("warehouse_file", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_warehouse_file_source_id"), ["source_id"], unique=False
        )
    op.create_table(
        "warehouse_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("engine", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("message", sa.String(length=2000), nullable=False),
        sa.Column("hashes", sa.JSON(), nullable=False),
        sa.Column("started_at", _TS, nullable=False),
        sa.Column("finished_at", _TS, nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'succeeded', 'failed', 'abandoned')",
            name=op.f("ck_warehouse_run_status"),
        ),
        _org_fk("warehouse_run"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warehouse_run")),
    )
    _org_index("warehouse_run")
    op.create_table(
        "warehouse_run_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("source_code", sa.String(length=48), nullable=False),
        sa.Column("rows_in", sa.Integer(), nullable=False),
        sa.Column("rows_loaded", sa.Integer(), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), nullable=False),
        sa.Column("reused", sa.Boolean(), nullable=False),
        sa.Column("quality", sa.JSON(), nullable=False),
        _org_fk("warehouse_run_source"),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["warehouse_run.id"],
            name=op.f("fk_warehouse_run_source_run_id_warehouse_run"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["warehouse_source.id"],
            name=op.f("fk_warehouse_run_source_source_id_warehouse_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warehouse_run_source")),
        sa.UniqueConstraint(
            "run_id", "source_id", name=op.f("uq_warehouse_run_source_run_id_source_id")
        ),
    )
    _org_index("warehouse_run_source")
    with op.batch_alter_table("warehouse_run_source", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_warehouse_run_source_run_id"), ["run_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("warehouse_run_source")
    op.drop_table("warehouse_run")
    op.drop_table("warehouse_file")
    op.drop_table("warehouse_source")
