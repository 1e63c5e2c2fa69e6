"""The HTTP side of the kernel: request context, dependencies, templates, error rendering."""
