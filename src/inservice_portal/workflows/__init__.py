"""Repoze.workflow definitions, one per module (DESIGN.md §3)."""
