"""What draws the presentation model: the web map, the print image and the files; none imports another."""
