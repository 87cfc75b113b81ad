"""Engines: how a corpus is spread over processes (local) or machines (Dask)."""
