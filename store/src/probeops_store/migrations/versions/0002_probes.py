"""Probes: agents, enrolment tokens, jobs, schedules and uploaded results.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(table: str, column: str, target: str, ondelete: str):
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column],
        [target],
        name=op.f(f"fk_{table}_{column}_{referred}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    _probes()
    _enrolment_tokens()
    _jobs()
    _schedules()
    _results()


def _probes() -> None:
    op.create_table(
        "probes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("location", sa.JSON(), nullable=False),
        sa.Column("version", sa.String(length=50), nullable=False),
        sa.Column("diagnostics", sa.JSON(), nullable=False),
        sa.Column("capabilities", sa.JSON(), nullable=False),
        sa.Column("prefix", sa.String(length=32), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("outbox", sa.JSON(), nullable=False),
        sa.Column("clock_offset_s", sa.Float(), nullable=True),
        _when("created_at"),
        _when("last_seen_at", True),
        _when("revoked_at", True),
        _fk("probes", "org_id", "orgs.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_probes")),
        sa.UniqueConstraint("prefix", name=op.f("uq_probes_prefix")),
    )


def _enrolment_tokens() -> None:
    table = "probe_enrolment_tokens"
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("prefix", sa.String(length=32), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        _when("created_at"),
        _when("expires_at"),
        _when("used_at", True),
        sa.Column("probe_id", sa.String(length=32), nullable=True),
        _fk(table, "org_id", "orgs.id", "CASCADE"),
        _fk(table, "user_id", "users.id", "SET NULL"),
        _fk(table, "probe_id", "probes.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("prefix", name=op.f(f"uq_{table}_prefix")),
    )


def _jobs() -> None:
    op.create_table(
        "probe_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("measurement_number", sa.Integer(), nullable=False),
        sa.Column("probe_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        _when("created_at"),
        _when("deadline_at"),
        _when("finished_at", True),
        _fk("probe_jobs", "measurement_number", "measurements.number", "CASCADE"),
        _fk("probe_jobs", "probe_id", "probes.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_probe_jobs")),
    )
    op.create_index(
        op.f("ix_probe_jobs_measurement_number"), "probe_jobs", ["measurement_number"]
    )
    op.create_index(
        op.f("ix_probe_jobs_probe_id_status"), "probe_jobs", ["probe_id", "status"]
    )


def _schedules() -> None:
    op.create_table(
        "probe_schedules",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("diagnostic", sa.String(length=100), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("interval_s", sa.Float(), nullable=False),
        sa.Column("jitter_s", sa.Float(), nullable=False),
        sa.Column("probe_ids", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        _when("created_at"),
        _fk("probe_schedules", "org_id", "orgs.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_probe_schedules")),
    )


def _results() -> None:
    table = "probe_results"
    op.create_table(
        table,
        sa.Column("probe_id", sa.String(length=32), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("job_id", sa.String(length=32), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("schedule_id", sa.String(length=32), nullable=True),
        sa.Column("diagnostic", sa.String(length=100), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column(
            "document",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        _when("measured_at"),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("since_sync_s", sa.Float(), nullable=True),
        sa.Column("clock_offset_s", sa.Float(), nullable=False),
        sa.Column("clock_skew", sa.Boolean(), nullable=False),
        _when("received_at"),
        _fk(table, "probe_id", "probes.id", "CASCADE"),
        _fk(table, "job_id", "probe_jobs.id", "CASCADE"),
        _fk(table, "schedule_id", "probe_schedules.id", "SET NULL"),
        sa.PrimaryKeyConstraint("probe_id", "id", name=op.f(f"pk_{table}")),
    )
    op.create_index(op.f("ix_probe_results_job_id"), table, ["job_id"])
    op.create_index(
        op.f("ix_probe_results_probe_id_received_at"),
        table,
        ["probe_id", "received_at"],
    )


def downgrade() -> None:
    op.drop_table("probe_results")
    op.drop_table("probe_schedules")
    op.drop_table("probe_jobs")
    op.drop_table("probe_enrolment_tokens")
    op.drop_table("probes")
