"""Tools run by hand from the project's folder (``python -m scripts.<name>``), not part of the
service."""
