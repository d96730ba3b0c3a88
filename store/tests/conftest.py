import pytest
from probeops_store.testing import migrated, postgres_database


@pytest.fixture(scope="session")
def postgres_url():
    with postgres_database() as url:
        yield url


@pytest.fixture
def store(postgres_url):
    """The PostgreSQL test database at the newest schema, emptied afterwards."""
    with migrated(postgres_url) as store:
        yield store
