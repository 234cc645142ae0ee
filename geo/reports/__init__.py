"""Incident reports: the model, YAML loading with line numbers, validation and where the places are."""
