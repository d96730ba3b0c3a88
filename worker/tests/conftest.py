import pytest
from probeops_store import migrate
from probeops_store.database import Store
from probeops_store.testing import postgres_database


@pytest.fixture(scope="session")
def postgres_url():
    with postgres_database() as url:
        yield url


@pytest.fixture
def store(postgres_url):
    """The PostgreSQL test database at the newest schema, emptied afterwards."""
    store = Store(postgres_url)
    migrate.upgrade(store)
    yield store
    migrate.downgrade(store, "base")
    store.dispose()
