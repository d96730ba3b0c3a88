"""MTR diagnostic for ProbeOps."""

__version__ = "0.1.0"
