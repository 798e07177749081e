"""Data layer: find the files of a task (local, cache, download) and parse them."""
