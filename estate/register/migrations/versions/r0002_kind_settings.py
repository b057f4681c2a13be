"""What made each plan: its kind (plan, frontier point, scenario, re-plan),
its label within a batch, the command's settings and the estate version; and
indexes for listing a workbook's plans newest first.

Plans recorded by the first register become kind ``plan`` with empty settings.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("plans", sa.Column("kind", sa.String(20), nullable=False,
                                     server_default="plan"))
    op.add_column("plans", sa.Column("label", sa.String(200), nullable=True))
    op.add_column("plans", sa.Column("settings", sa.Text, nullable=False,
                                     server_default="{}"))
    op.add_column("plans", sa.Column("estate_version", sa.String(40), nullable=True))
    op.create_index("ix_plans_fingerprint", "plans", ["fingerprint"])
    op.create_index("ix_plans_created_at", "plans", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_plans_created_at", "plans")
    op.drop_index("ix_plans_fingerprint", "plans")
    with op.batch_alter_table("plans") as batch:
        for column in ("estate_version", "settings", "label", "kind"):
            batch.drop_column(column)
