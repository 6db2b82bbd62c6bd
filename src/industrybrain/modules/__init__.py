"""Built-in modules. Each sub-package is a plugin registered through the hooks of ``hookspecs``."""
