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
