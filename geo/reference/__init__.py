"""Reference geodata: countries, regions and borders, the data files, the projection, distance and label rasters."""
