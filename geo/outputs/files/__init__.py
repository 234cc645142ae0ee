"""Files for analysts: JSON, GeoJSON, CSV, the terminal table, GeoPackage, KML and KMZ."""
