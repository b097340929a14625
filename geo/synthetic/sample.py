"""The deterministic synthetic LA sample (DATA.md section 5): parcels, sites, incidents, demo zones."""
from __future__ import annotations

import pandas as pd

from geo import schema
from geo.records import Sample
from geo.synthetic.anchors import build_districts
from geo.synthetic.boundaries import build_lapd_divisions, build_neighborhood_councils, earlier_council_plan
from geo.synthetic.control import build_control, build_parts, build_places, build_ramps
from geo.synthetic.incidents import build_incidents
from geo.synthetic.parcels import generate_parcels
from geo.synthetic.sites import build_sites, build_status, site_plan

CHUNK_ROWS = 400_000


def generate_sample(*, n_parcels: int = 3000, n_incidents: int = 250) -> Sample:
    """Build the synthetic sample: ``n_parcels`` private parcels plus 360 City sites and their parcels.

    Every row is ``is_synthetic`` with ``source = SYNTHETIC_SOURCE``; frames carry exactly the
    canonical columns of ``geo.schema`` plus ``geometry``, in EPSG:4326 snapped to 1e-7 degrees.
    The same arguments give the same bytes on every machine (hash-keyed randomness, no clock).
    Up to 10,000 parcels sit in blocks around real neighbourhood anchors; more fill the
    118 x 148 ft lattice centred on City Hall (50k, 800k and 2.4M benchmark tiers).

    Raises
    ------
    ValueError
        When ``n_parcels`` or ``n_incidents`` is negative.
    """
    if n_parcels < 0 or n_incidents < 0:
        raise ValueError(f"generate_sample: counts must be >= 0, got n_parcels={n_parcels}, n_incidents={n_incidents}")
    districts = build_districts()
    sites, city_parcels, parks = build_sites(districts)
    chunks = [generate_parcels(n_parcels, start, start + CHUNK_ROWS, districts=districts)
              for start in range(0, n_parcels, CHUNK_ROWS)]
    private = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else (
        chunks[0] if chunks else city_parcels.iloc[:0])
    del chunks
    incidents = build_incidents(n_incidents, parcels=private, sites=sites, districts=districts)
    parcels = pd.concat([private, city_parcels], ignore_index=True)
    frames = {schema.PARCELS: parcels, schema.SITES: sites, schema.INCIDENTS: incidents, schema.DISTRICTS: districts,
              schema.PARKS: parks, schema.LAPD_AREAS: build_lapd_divisions(),
              schema.NEIGHBORHOOD_COUNCILS: build_neighborhood_councils(), schema.PLACES: build_places(),
              schema.RAMPS: build_ramps()}
    plan = site_plan()
    return Sample(frames=frames, status=build_status(sites, plan), boundaries=(earlier_council_plan(),),
                  control=build_control(sites, plan), parts=build_parts(sites, plan))
