"""View callables, one module per area."""
