"""Tracks measured against borders: pure, vectorised, row-independent figures (tables in, tables out)."""
