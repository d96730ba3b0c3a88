"""A live embedded platform on loopback and Debian's Chromium driving it.

The platform is the one ``probeops serve`` runs (SQLite, in-process jobs,
loopback allowed), listening on a free port of 127.0.0.1, with one extra
diagnostic that stands for a third-party plugin the UI knows nothing of.
Screenshots of every page land in ``artifacts/ui/``.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import marshmallow as ma
import pytest
from probeops import Diagnostic, Outcome
from probeops.plugins import load_registry
from probeops_store import migrate
from probeops_store.database import Store
from probeops_store.settings import load
from probeops_webapp import accounts
from probeops_webapp.app import create_app
from probeops_webapp.testing import PASSWORD, RecordingQueue
from probeops_worker.worker import job_context
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "ui"
ADMIN = "admin@ui.example"


class GreetingOptions(ma.Schema):
    """Options of a diagnostic the web UI has never heard of."""

    words = ma.fields.Integer(
        load_default=2,
        validate=ma.validate.Range(
            min=1, max=5, error="must be between {min} and {max}, got {input}"
        ),
        metadata={"description": "how many words to say", "flags": ["-w"]},
    )
    tone = ma.fields.String(
        load_default="plain",
        validate=ma.validate.OneOf(
            ["plain", "warm"], error="must be one of {choices}, got {input}"
        ),
        metadata={"description": "how to say them"},
    )
    shout = ma.fields.Boolean(
        load_default=False, metadata={"description": "in capitals"}
    )
    extra = ma.fields.List(ma.fields.String(), load_default=None)


def _greet(request):
    options = request.options
    words = (["hello", "there", "dear", "old", "friend"])[: options["words"]]
    text = " ".join(words + (options["extra"] or []))
    text = text.upper() if options["shout"] else text
    return [
        Outcome(
            body={"said": text, "tone": options["tone"], "to": {"address": t.address}}
        )
        for t in request.targets
    ]


GREETING = Diagnostic(
    name="greeting",
    version="9.9",
    summary="Say hello to a target (a made-up third-party plugin)",
    options_schema=GreetingOptions,
    run=_greet,
    default_deadline=lambda options: 5.0,
)


class LiveServer:
    """The platform serving HTTP on 127.0.0.1 from a background thread."""

    def __init__(self, directory: Path) -> None:
        settings = load(
            {"PROBEOPS_DATA_DIR": str(directory), "PROBEOPS_LOGIN_LIMIT": "1000/minute"}
        )
        self.store = Store(settings.database_url)
        migrate.upgrade(self.store)
        registry = load_registry()
        registry.diagnostics[GREETING.name] = GREETING
        context = job_context(settings, self.store)
        context.registry = registry
        self.queue = RecordingQueue(context, 2)
        self.app = create_app(settings, self.store, self.queue, registry)
        self.http = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http.server_port}"

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.http.shutdown()
        self.queue.close()
        self.store.dispose()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("platform")).start()
    accounts.create_user(live.store, ADMIN, PASSWORD, "admin", "ui")
    yield live
    live.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/system-packages.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture
def page(browser, server, artifacts):
    """A fresh browser context (no cookies) whose page knows the server."""
    context = browser.new_context(
        base_url=server.url, viewport={"width": 1200, "height": 900}
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def admin(page):
    """The page, logged in as the org's admin."""
    log_in(page, ADMIN)
    return page


def log_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def snap(page, name: str) -> None:
    """Save a full-page screenshot as a test artefact."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
