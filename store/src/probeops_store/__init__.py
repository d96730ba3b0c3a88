"""Storage shared by the ProbeOps API and its workers: models, migrations."""

from probeops_store.database import Store
from probeops_store.errors import StoreError

__all__ = ["Store", "StoreError"]
