"""Pages of checkpoints: master data (core), public declarations, arrivals, daily lists."""
