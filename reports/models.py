"""Weekly district reports and the provincial roll-up (SPEC §6)."""
