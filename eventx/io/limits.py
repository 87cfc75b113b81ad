"""Limits of what is read, shared by the readers and the command line's defaults (a module of
its own: the command line shows them without importing the readers)."""

DEFAULT_MAX_DOC_BYTES = 100_000_000  # twice the largest document we test with (50 MB)
