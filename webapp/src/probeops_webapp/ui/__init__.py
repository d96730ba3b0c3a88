"""The web UI: server-rendered pages on the same functions as the API.

Pages authenticate through the API's access policies with the JWT kept in
an httpOnly cookie (:mod:`.session`), validate with the API's schemas and
act through the API's functions, so a page can do nothing the API refuses.
"""

from __future__ import annotations

from flask import Flask

from probeops_webapp import access
from probeops_webapp.ui import (
    admin,
    blueprint,
    history,
    keys,
    live,
    measurement,
    probes,
    runs,
    schedules,
    session,
    signin,
)

__all__ = ["init_app"]

PAGES = (admin, history, keys, live, measurement, probes, runs, schedules, signin)


def init_app(app: Flask) -> None:
    """Serve the web UI from ``app``, next to the API."""
    session.configure(app)
    app.register_blueprint(blueprint.bp)
    access.mark_public(app, "ui.static")
