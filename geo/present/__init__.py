"""What a reader is told and shown, decided once for every output.

:func:`geo.present.scene.build_scene` makes the presentation model of a run
(:class:`~geo.present.scene.Scene`: each incident's colour, heading, summary,
description and legs with their figures and words, from the analysis' legs
table); :mod:`geo.present.words` puts figures into sentences and number formats,
:mod:`geo.present.style` holds the palette, line styles and symbols,
:mod:`geo.present.shapes` the display-only shapes (uncertainty corridors,
distance bands), :mod:`geo.present.legs` how a track is drawn leg by leg, and
:mod:`geo.present.popups` the rows an incident's and a stop's popup show.
The web map, the print image and the file outputs draw from here and never
from each other.
"""
