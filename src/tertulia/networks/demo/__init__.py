"""The demo connector: a lively, deterministic bilingual stream for the demo brands."""
