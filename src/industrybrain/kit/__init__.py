"""Domain-free building blocks shared by every module (imports no module, no web)."""
