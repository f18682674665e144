"""Pure domain rules: no Pyramid, no ZODB."""
