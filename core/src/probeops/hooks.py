"""The pluggy markers plugins use to declare hook implementations."""

import pluggy

PROJECT = "probeops"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
