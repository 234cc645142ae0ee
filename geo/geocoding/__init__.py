"""Place names to coordinates: the shipped gazetteer, the opt-in online fallback, name folding."""
