"""The ProbeOps probe agent."""

__version__ = "0.1.0"
