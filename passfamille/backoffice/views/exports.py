"""Back-office views: exports (to be written)."""
