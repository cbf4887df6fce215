"""sessionscope."""
