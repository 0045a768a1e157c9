"""Non-trivial reads, with the user's scope applied (through ``rollout.scoping``)."""
