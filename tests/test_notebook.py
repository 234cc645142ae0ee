"""notebooks/walkthrough.ipynb: committed clean, and runs top to bottom offline showing geo's figures.

The notebook is executed with nbclient in a fresh IPython kernel, in a temporary
folder (its working directory and its TMPDIR, so it writes nothing into the
repository), with the network cut off inside the kernel.  What it shows is
compared with the seeds run through the seeds here, stage by stage.
"""

from __future__ import annotations

import html
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

import geo
from geo.outputs.files.export import to_csv
from geo.outputs.web.render import map_html
from geo.present.checkwords import check_sentence

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOK = NOTEBOOKS / "walkthrough.ipynb"
EXAMPLE = "2024-07-13-homel-minsk"

#: Run first in the kernel (not saved in the notebook): any connection off this machine fails.
NO_NETWORK = '''
import socket
def _refuse(*args, **kwargs):
    raise OSError("network access is blocked while testing the notebook")
_connect = socket.socket.connect
def _local_only(self, address, *args):
    if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in ("127.0.0.1", "::1", "localhost"):
        _refuse()
    return _connect(self, address, *args)
socket.socket.connect = _local_only
socket.socket.connect_ex = _local_only
socket.getaddrinfo = socket.gethostbyname = _refuse
'''
#: Run last: which interpreter ran the kernel, and proof that the block above was in force.
PROBE = '''
import sys
print("python:", sys.executable)
try:
    socket.create_connection(("192.0.2.1", 80), timeout=1)
except OSError as err:
    print("probe:", err)
'''


def _km(value: float) -> str:
    """Whole km, rounded once from the computed figure, as the notebook and `geo analyze` write them."""
    return f"{value:,.0f}"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook after a run: (notebook, its temporary folder, the notebooks/ listing before and after)."""
    folder = tmp_path_factory.mktemp("notebook")
    # A kernelspec for *this* interpreter: jupyter's own "python3" lookup may find a spec that
    # runs whatever `python` is first on PATH (or another environment's kernel), not the
    # interpreter running pytest, which has the test extras and the geo under test.
    kernels = folder / "kernels"
    write_kernel_spec(str(kernels / "python3"))  # argv: [sys.executable, "-m", "ipykernel_launcher", ...]
    manager = KernelManager(kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    # The kernel imports the same geo as this test (the checkout, as pytest's pythonpath does),
    # and its temporary files go into the test's folder.
    source = str(Path(geo.__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")])),
               TMPDIR=str(folder))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(NO_NETWORK, id="test-no-network"))
    nb.cells.append(nbformat.v4.new_code_cell(PROBE, id="test-probe"))
    before = sorted(p.name for p in NOTEBOOKS.iterdir())
    client = NotebookClient(nb, km=manager, timeout=600, allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})
    client.execute(env=env)
    return nb, folder, before, sorted(p.name for p in NOTEBOOKS.iterdir())


def _cell(nb, cell_id: str):
    return next(c for c in nb.cells if c.get("id") == cell_id)


def _text(cell) -> str:
    """Everything a cell printed or displayed as text."""
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif "data" in out:
            parts.append(out.data.get("text/plain", ""))
    return "".join(parts)


def test_notebook_is_committed_without_outputs_as_canonical_json():
    text = NOTEBOOK.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    assert text.rstrip("\n") == nbformat.writes(nb)  # as nbformat writes it: sorted keys, one-space indent
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert nb.metadata.kernelspec.name == "python3"
    assert len({c.id for c in nb.cells}) == len(nb.cells)


def test_notebook_runs_top_to_bottom_offline_without_errors(executed):
    nb, _, _, _ = executed
    errors = [(c.get("id"), o.ename, o.evalue) for c in nb.cells if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")
    probe = _text(_cell(nb, "test-probe"))
    assert f"python: {sys.executable}\n" in probe
    assert "probe: network access is blocked" in probe


def test_notebook_shows_the_figures_the_pipeline_computes(executed, seeds):
    nb, _, _, _ = executed
    _, tracks, figures = seeds
    row = figures.set_index("id").loc[EXAMPLE]
    assert _text(_cell(nb, "load")) == "Incidents(4 reports, 3 placed on the map)"
    (low, high), (dlow, dhigh) = row["length_km_range"], row["depth_km_range"]
    length = _text(_cell(nb, "length"))
    assert f"Length: {_km(row['length_km'])} km, between {_km(low)} and {_km(high)} km" in length
    depth = _text(_cell(nb, "depth"))
    assert f"Depth past the UA border: {_km(row['depth_km'])} km, between {_km(dlow)} and {_km(dhigh)} km" in depth
    assert f"Depth from any border: {_km(row['depth_any_km'])} km" in depth
    # Every check of every incident, in words, with its status.
    checks = _text(_cell(nb, "checks"))
    for incident, rows in zip(figures["id"], figures["checks"]):
        for check in rows:
            assert f"{incident}  {check['check']:<8} {check['status']:<12}  {check_sentence(check)}" in checks


def test_notebook_map_is_the_offline_page(executed, seeds):
    nb, _, _, _ = executed
    reports, tracks, figures = seeds
    (shown,) = [o for o in _cell(nb, "map").outputs if "data" in o]
    match = re.match(r'<iframe srcdoc="([^"]*)"', shown.data["text/html"])
    assert match
    page = html.unescape(match.group(1))
    assert page == map_html(tracks, figures, reports=reports, offline=True)
    assert "<script src=" not in page


def test_notebook_writes_its_files_into_a_temporary_folder_only(executed, seeds):
    nb, folder, before, after = executed
    _, tracks, figures = seeds
    assert after == before  # nothing new in notebooks/
    (out,) = folder.glob("geo-walkthrough-*")
    assert sorted(p.name for p in out.iterdir()) == ["incidents.csv", "incidents.geojson", "incidents.gpkg",
                                                     "incidents.kmz", "map.html", "map.png"]
    assert (out / "incidents.csv").read_text(encoding="utf-8") == to_csv(tracks, figures)
    assert str(out) in _text(_cell(nb, "files"))
