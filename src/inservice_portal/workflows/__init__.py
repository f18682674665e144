"""Repoze.workflow definitions, one per module."""
