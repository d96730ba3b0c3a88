"""ICMP echo diagnostic for ProbeOps."""
