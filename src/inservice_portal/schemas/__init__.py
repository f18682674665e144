"""Colander schemas."""
