"""Settings of the platform (API, workers, database), in one typed place.

Every value comes from a ``PROBEOPS_*`` environment variable declared with
:func:`probeops.settings.setting`, so a bad value stops start-up naming the
variable and what it accepts. :func:`load` reads them all at once into a
:class:`PlatformSettings`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from probeops.policy import TargetPolicy
from probeops.settings import InvalidSetting, parse_bool, setting

EMBEDDED, PRODUCTION = "embedded", "production"
DEMO_ALLOWLIST = ("127.0.0.0/8", "::1/128")


def _choice(*allowed: str):
    def parse(raw: str) -> str:
        if raw not in allowed:
            raise ValueError(f"{raw!r} is not one of {', '.join(allowed)}")
        return raw

    return parse


def _positive(kind: type):
    def parse(raw: str):
        value = kind(raw)
        if value <= 0:
            raise ValueError(f"{raw} is not positive")
        return value

    return parse


def _listen(raw: str) -> tuple[str, int]:
    host, _, port = raw.rpartition(":")
    number = int(port)
    if not host or not 0 <= number < 65536:
        raise ValueError("expected HOST:PORT with a port in 0-65535")
    return host.strip("[]"), number


def _allowlist(raw: str) -> TargetPolicy:
    if raw == "none":
        return TargetPolicy()
    return TargetPolicy.from_cidrs(part for part in raw.split(",") if part.strip())


def _default_data_dir() -> str:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "probeops")


PROFILE = setting(
    "PROBEOPS_PROFILE",
    EMBEDDED,
    _choice(EMBEDDED, PRODUCTION),
    "embedded: SQLite and in-process jobs, loopback targets allowed (demo); "
    "production: PostgreSQL, Redis and RQ workers.",
    f"{EMBEDDED} or {PRODUCTION}",
)
DATA_DIR = setting(
    "PROBEOPS_DATA_DIR",
    _default_data_dir(),
    Path,
    "Directory for the embedded database and the generated secret key.",
    "a directory path",
)
DATABASE_URL = setting(
    "PROBEOPS_DATABASE_URL",
    "default",
    str,
    "SQLAlchemy URL of the database; 'default' is a SQLite file in the data "
    "directory (embedded) or postgresql://postgres@127.0.0.1:5432/probeops.",
    "'default', sqlite:///PATH or postgresql://USER@HOST:PORT/DB",
)
REDIS_URL = setting(
    "PROBEOPS_REDIS_URL",
    "redis://127.0.0.1:6379/0",
    str,
    "Redis holding the job queue, token blocklist and login limits "
    "(production profile).",
    "redis://HOST:PORT/DB",
)
QUEUE = setting(
    "PROBEOPS_QUEUE",
    "probeops-measurements",
    str,
    "Name of the RQ queue measurements are sent to.",
    "a queue name",
)
SECRET_KEY = setting(
    "PROBEOPS_SECRET_KEY",
    "generate",
    str,
    "Key signing the API's tokens; 'generate' keeps a random key in the data "
    "directory (embedded profile only).",
    "'generate' or a random string of at least 32 characters",
)
TARGET_ALLOWLIST = setting(
    "PROBEOPS_TARGET_ALLOWLIST",
    "none",
    _allowlist,
    "CIDRs the target policy opens on purpose; the embedded profile always "
    "adds loopback.",
    "'none' or comma separated CIDRs, e.g. 192.0.2.0/24,2001:db8::/32",
)
ACCESS_MINUTES = setting(
    "PROBEOPS_ACCESS_TOKEN_MINUTES",
    "15",
    _positive(int),
    "Lifetime of an access token.",
    "a positive whole number of minutes",
)
REFRESH_DAYS = setting(
    "PROBEOPS_REFRESH_TOKEN_DAYS",
    "30",
    _positive(int),
    "Lifetime of a refresh token.",
    "a positive whole number of days",
)
LOGIN_LIMIT = setting(
    "PROBEOPS_LOGIN_LIMIT",
    "5 per minute",
    str,
    "Failed logins allowed per address and e-mail before 429 answers.",
    "a rate such as '5 per minute' or '20/hour'",
)
JOB_TIMEOUT = setting(
    "PROBEOPS_JOB_TIMEOUT",
    "300",
    _positive(int),
    "Seconds a measurement job may run before the worker stops it.",
    "a positive whole number of seconds",
)
JOB_TTL = setting(
    "PROBEOPS_JOB_TTL",
    "3600",
    _positive(int),
    "Seconds a queued job may wait before it is dropped as stale.",
    "a positive whole number of seconds",
)
JOB_RETRIES = setting(
    "PROBEOPS_JOB_RETRIES",
    "3",
    int,
    "Times a job is retried after an infrastructure error (database, Redis).",
    "a whole number from 0",
)
REQUEUE_AFTER = setting(
    "PROBEOPS_REQUEUE_AFTER",
    "30",
    _positive(float),
    "Seconds after which a worker queues again a measurement that is still "
    "waiting, or whose worker died, so none is lost to a crash or a Redis "
    "restart.",
    "a positive number of seconds",
)
THREADS = setting(
    "PROBEOPS_EMBEDDED_THREADS",
    "4",
    _positive(int),
    "Threads running measurements inside the API process (embedded profile).",
    "a positive whole number",
)
WORKER_THREADS = setting(
    "PROBEOPS_WORKER_THREADS",
    "4",
    _positive(int),
    "Jobs one `probeops worker` process runs at once, each on its own thread "
    "(measurements mostly wait on the network, so threads overlap well).",
    "a positive whole number",
)
LISTEN = setting(
    "PROBEOPS_LISTEN",
    "127.0.0.1:8000",
    _listen,
    "Address and port `probeops serve` listens on.",
    "HOST:PORT; port 0 picks a free port",
)
CREATE_ADMIN = setting(
    "PROBEOPS_CREATE_ADMIN",
    "1",
    parse_bool,
    "Whether `probeops serve` creates a first admin when there is no user.",
    "1/true/yes/on or 0/false/no/off",
)


@dataclass(frozen=True)
class PlatformSettings:
    """Everything the API and the workers read from the environment."""

    profile: str = EMBEDDED
    data_dir: Path = field(default_factory=lambda: Path(_default_data_dir()))
    database_url: str = "sqlite://"
    redis_url: str = "redis://127.0.0.1:6379/0"
    queue: str = "probeops-measurements"
    secret_key: str = "generate"
    policy: TargetPolicy = field(default_factory=TargetPolicy)
    access_minutes: int = 15
    refresh_days: int = 30
    login_limit: str = "5 per minute"
    job_timeout: int = 300
    job_ttl: int = 3600
    job_retries: int = 3
    requeue_after: float = 30.0
    threads: int = 4
    worker_threads: int = 4
    listen: tuple[str, int] = ("127.0.0.1", 8000)
    create_admin: bool = True

    @property
    def embedded(self) -> bool:
        return self.profile == EMBEDDED


def load(environ: Mapping[str, str] | None = None) -> PlatformSettings:
    """Read every platform setting; raise ``InvalidSetting`` on a bad one."""
    environ = os.environ if environ is None else environ
    profile = PROFILE.read(environ)
    data_dir = DATA_DIR.read(environ)
    settings = PlatformSettings(
        profile=profile,
        data_dir=data_dir,
        database_url=_database_url(DATABASE_URL.read(environ), profile, data_dir),
        redis_url=REDIS_URL.read(environ),
        queue=QUEUE.read(environ),
        secret_key=_secret_key(SECRET_KEY.read(environ), profile),
        policy=_policy(TARGET_ALLOWLIST.read(environ), profile),
        access_minutes=ACCESS_MINUTES.read(environ),
        refresh_days=REFRESH_DAYS.read(environ),
        login_limit=LOGIN_LIMIT.read(environ),
        job_timeout=JOB_TIMEOUT.read(environ),
        job_ttl=JOB_TTL.read(environ),
        job_retries=_retries(JOB_RETRIES.read(environ)),
        requeue_after=REQUEUE_AFTER.read(environ),
        threads=THREADS.read(environ),
        worker_threads=WORKER_THREADS.read(environ),
        listen=LISTEN.read(environ),
        create_admin=CREATE_ADMIN.read(environ),
    )
    return settings


def _database_url(raw: str, profile: str, data_dir: Path) -> str:
    if raw == "default":
        if profile == EMBEDDED:
            return f"sqlite:///{data_dir / 'probeops.sqlite3'}"
        return "postgresql://postgres@127.0.0.1:5432/probeops"
    if not raw.startswith(("sqlite:", "postgresql:", "postgresql+psycopg2:")):
        raise InvalidSetting(
            f"PROBEOPS_DATABASE_URL={raw!r} is not valid; allowed: "
            f"{DATABASE_URL.allowed}"
        )
    return raw


def _secret_key(raw: str, profile: str) -> str:
    if raw == "generate" and profile == PRODUCTION:
        raise InvalidSetting(
            "PROBEOPS_SECRET_KEY must be set in the production profile; "
            f"allowed: {SECRET_KEY.allowed}"
        )
    if raw != "generate" and len(raw) < 32:
        raise InvalidSetting(
            f"PROBEOPS_SECRET_KEY has {len(raw)} characters; "
            f"allowed: {SECRET_KEY.allowed}"
        )
    return raw


def _policy(policy: TargetPolicy, profile: str) -> TargetPolicy:
    if profile != EMBEDDED:
        return policy
    demo = TargetPolicy.from_cidrs(DEMO_ALLOWLIST)
    return TargetPolicy(tuple(dict.fromkeys(policy.allow + demo.allow)))


def _retries(value: int) -> int:
    if value < 0:
        raise InvalidSetting(
            f"PROBEOPS_JOB_RETRIES={value} is not valid; allowed: {JOB_RETRIES.allowed}"
        )
    return value
