"""Pure domain rules: no Pyramid, no ZODB (DESIGN.md §4)."""
