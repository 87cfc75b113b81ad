"""Regression testing of rule packs: the suite runner and the pytest plugin."""
