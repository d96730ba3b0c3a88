"""WSGI entry for gunicorn: ``gunicorn probeops_webapp.wsgi:app``."""

from probeops_store.settings import load

from probeops_webapp.app import create_app

app = create_app(load())
