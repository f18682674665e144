"""Persistent resources of the tree, one module per concept."""
