"""Back-office views: detail (to be written)."""
