"""Developer tools: architecture contracts and generated reference docs (not used at run time)."""
