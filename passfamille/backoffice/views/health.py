"""Back-office views: health (to be written)."""
