"""A network lab of namespaces joined by veth links, for tests and by hand."""
