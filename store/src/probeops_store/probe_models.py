"""The probe tables: agents, their enrolment tokens, work and results.

A probe is an agent in the field that runs diagnostics for one org. It
enrols once with a short-lived token, then works with its own credential;
only hashes of both are stored. A measurement aimed at probes gets one job
per probe; a schedule names checks probes repeat on their own. Every result
a probe uploads is stored under the id the probe gave it, once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from probeops_store.models import Base, Document, UTCDateTime, new_id, utcnow


class Probe(Base):
    __tablename__ = "probes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    location: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[str] = mapped_column(String(50), default="")
    diagnostics: Mapped[list[str]] = mapped_column(JSON, default=list)
    capabilities: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    outbox: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """What the agent last reported of its outbox: pending and dropped."""
    clock_offset_s: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EnrolmentToken(Base):
    __tablename__ = "probe_enrolment_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    probe_id: Mapped[str | None] = mapped_column(
        ForeignKey("probes.id", ondelete="SET NULL")
    )


class ProbeJob(Base):
    """One probe's part of a measurement: every target, measured once."""

    __tablename__ = "probe_jobs"
    __table_args__ = (Index(None, "probe_id", "status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    measurement_number: Mapped[int] = mapped_column(
        ForeignKey("measurements.number", ondelete="CASCADE"), index=True
    )
    probe_id: Mapped[str] = mapped_column(ForeignKey("probes.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    """pending, done, or offline when the probe stayed silent too long."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Schedule(Base):
    """A check that probes repeat on their own, every interval plus jitter."""

    __tablename__ = "probe_schedules"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    diagnostic: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(300))
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    interval_s: Mapped[float] = mapped_column(Float)
    jitter_s: Mapped[float] = mapped_column(Float, default=0.0)
    probe_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProbeResult(Base):
    """A result as a probe uploaded it, stored once per probe and id."""

    __tablename__ = "probe_results"
    __table_args__ = (Index(None, "probe_id", "received_at"),)

    probe_id: Mapped[str] = mapped_column(
        ForeignKey("probes.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    job_id: Mapped[str | None] = mapped_column(
        ForeignKey("probe_jobs.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int | None] = mapped_column(Integer)
    schedule_id: Mapped[str | None] = mapped_column(
        ForeignKey("probe_schedules.id", ondelete="SET NULL")
    )
    diagnostic: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(300))
    document: Mapped[dict[str, Any]] = mapped_column(Document)
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """The probe's wall clock when the measurement started."""
    duration_ms: Mapped[float] = mapped_column(Float)
    since_sync_s: Mapped[float | None] = mapped_column(Float)
    """Seconds since the probe's clock was last seen in sync, if ever."""
    clock_offset_s: Mapped[float] = mapped_column(Float, default=0.0)
    clock_skew: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
