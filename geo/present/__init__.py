"""What a reader is told and shown, decided once for every output.

:mod:`geo.present.words` puts figures into sentences and number formats,
:mod:`geo.present.style` holds the palette, line styles and symbols,
:mod:`geo.present.shapes` the display-only shapes (uncertainty corridors,
distance bands), :mod:`geo.present.legs` what a leg of a track is, and
:mod:`geo.present.popups` the rows an incident's and a stop's popup show.
The web map, the print image and the file outputs draw from here and never
from each other.
"""
