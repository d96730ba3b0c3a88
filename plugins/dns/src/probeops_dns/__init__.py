"""DNS diagnostic for ProbeOps."""
