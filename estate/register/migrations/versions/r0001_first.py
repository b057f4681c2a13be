"""The first register: plans with their totals and decisions, and the inputs
they were made from (one row per workbook fingerprint).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inputs",
        sa.Column("fingerprint", sa.String(80), primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=True, unique=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("workbook", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.String(80), sa.ForeignKey("inputs.fingerprint"),
                  nullable=False),
        sa.Column("reference", sa.Text, nullable=True),
        sa.Column("reference_version", sa.String(200), nullable=True),
        sa.Column("objective_name", sa.String(40), nullable=True),
        sa.Column("carbon_price", sa.Float, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("objective", sa.Float, nullable=True),
        sa.Column("bound", sa.Float, nullable=True),
        sa.Column("gap", sa.Float, nullable=True),
        sa.Column("solve_seconds", sa.Float, nullable=False),
        sa.Column("horizon_start", sa.String(7), nullable=False),
        sa.Column("horizon_months", sa.Integer, nullable=False),
        sa.Column("cost", sa.Float, nullable=True),
        sa.Column("cost_discounted", sa.Float, nullable=True),
        sa.Column("co2e_tonnes", sa.Float, nullable=True),
        sa.Column("plan_json", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "plan_applications",
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("app_id", sa.String(200), primary_key=True),
        sa.Column("strategy", sa.String(20), nullable=False),
        sa.Column("target_site", sa.String(200), nullable=True),
        sa.Column("start", sa.String(7), nullable=True),
        sa.Column("live_from", sa.String(7), nullable=True),
    )
    op.create_table(
        "plan_contracts",
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("contract_id", sa.String(200), primary_key=True),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("renewals", sa.Integer, nullable=False),
        sa.Column("end_month", sa.String(7), nullable=False),
        sa.Column("notice_by", sa.String(7), nullable=True),
    )
    op.create_table(
        "plan_sites",
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("site_id", sa.String(200), primary_key=True),
        sa.Column("exit_month", sa.String(7), nullable=False),
    )


def downgrade() -> None:
    for table in ("plan_sites", "plan_contracts", "plan_applications", "plans", "inputs"):
        op.drop_table(table)
