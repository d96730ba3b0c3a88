"""ProbeOps measurement jobs and the worker that runs them."""
