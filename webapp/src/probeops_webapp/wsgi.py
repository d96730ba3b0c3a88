"""WSGI entry for gunicorn: ``gunicorn probeops_webapp.wsgi:app``."""

from probeops_store import migrate
from probeops_store.database import Store
from probeops_store.settings import load

from probeops_webapp.app import create_app

settings = load()
store = Store(settings.database_url)
migrate.require_current(store)
app = create_app(settings, store)
