"""Where a login may send the browser afterwards."""

from __future__ import annotations

from flask import Flask
from probeops_webapp.ui import session
from probeops_webapp.ui.blueprint import bp


def test_login_goes_back_only_to_paths_of_this_site():
    app = Flask(__name__)
    app.register_blueprint(bp)
    with app.test_request_context():
        kept = [session.safe_next(url) for url in ("/history?status=failed", "/")]
        refused = {
            session.safe_next(url)
            for url in ("https://evil.example/", "//evil.example", "/\\evil.example")
        }

    assert kept == ["/history?status=failed", "/"]
    assert refused == {"/"}


class _Queue:
    def submit(self, measurement_id: str, time_limit: float | None = None) -> None:
        raise AssertionError("nothing is queued here")

    def close(self) -> None:
        pass


def test_cookies_are_secure_in_production_and_plain_on_embedded(tmp_path, server):
    from probeops_store.database import Store
    from probeops_store.settings import load
    from probeops_webapp.app import create_app

    settings = load(
        {
            "PROBEOPS_PROFILE": "production",
            "PROBEOPS_DATABASE_URL": f"sqlite:///{tmp_path}/platform.sqlite3",
            "PROBEOPS_SECRET_KEY": "a production secret of forty characters..",
        }
    )
    store = Store(settings.database_url)
    production = create_app(settings, store, _Queue())
    store.dispose()

    assert production.config["JWT_COOKIE_SECURE"] is True
    assert server.app.config["JWT_COOKIE_SECURE"] is False
