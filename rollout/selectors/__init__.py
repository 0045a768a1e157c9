"""Selectors: non-trivial reads, each starting from ``rollout.scoping`` (one module per area)."""
