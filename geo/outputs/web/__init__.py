"""The web map: folium drawing, escaping, offline assets, bulk lines, templates and static files."""
