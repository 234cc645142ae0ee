"""geo: reported drone flights turned into geocoded tracks, measured against borders.

The notebook-sized API (see :mod:`geo.api`)::

    incidents = geo.load()                  # the shipped reports, or geo.load("my-reports/")
    figures = geo.analyze(incidents)        # one row of figures per incident
    geo.make_map(incidents, offline=True)   # displays inline in Jupyter
    geo.write_export("incidents.gpkg", incidents)

Importing ``geo`` is cheap: the stages load when a function is first called.
"""

__version__ = "0.1.0"

from geo.api import Incidents, analyze, load, make_map, write_export, write_image, write_map  # noqa: E402

__all__ = ["__version__", "Incidents", "load", "analyze", "make_map", "write_map", "write_export", "write_image"]
