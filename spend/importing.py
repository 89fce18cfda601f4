"""Import payment files from the finance system (filled in below)."""
