"""The print image (PNG, SVG), drawn with matplotlib."""
