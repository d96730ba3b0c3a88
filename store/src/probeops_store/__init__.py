"""Storage shared by the ProbeOps API and its workers: models, migrations.

Importing the package is cheap; the database libraries load with
:mod:`probeops_store.database` and :mod:`probeops_store.models`.
"""
