"""Map legends, layer names, tooltip headings and notices in Spanish; English stays the default."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import schema
from layers.incidents import incident_map
from layers.overview import store_overview_map
from layers.public_map import PUBLIC_FIELDS, public_map
from layers.site_map import site_map
from layers.style import Legend
from tests.layers.test_incidents_layers import frames  # noqa: F401  (a fixture)
from tests.layers.test_overview import _frames


def _html(fmap) -> str:
    return fmap.get_root().render()


def test_overview_legend_and_layers_in_spanish():
    es, en = (_html(store_overview_map(**_frames(), synthetic=True, lang=lang)) for lang in ("es", "en"))
    for text in ("Sitios de la Ciudad: letrero", "Incidentes: verificación", "parcela del tasador",
                 "Distritos del Concejo Municipal (SINT\\u00c9TICO)", "Colocado", "Sin verificar", "Dañado",
                 "DATOS SINTÉTICOS DE DEMOSTRACIÓN", "Departamento"):
        assert text in es, text
    for text in ("City sites: sign", "Incidents: verification", "assessor parcel", "Council districts (SYNTHETIC)",
                 "Unverified"):
        assert text in en and text not in es, text


def test_incident_map_legend_and_notes_in_spanish(frames):  # noqa: F811
    es = _html(incident_map(*frames, mode="points", synthetic=False, lang="es"))
    for text in ("Verificación", "Corroborado", "Confirmado por el LAPD", "3 incidentes coinciden con los filtros",
                 "Fecha"):
        assert text in es, text
    assert "incidents match the filters" not in es and "Verification" not in es
    choropleth = _html(incident_map(*frames, mode="choropleth", synthetic=False, lang="es"))
    assert "Incidentes por distrito" in choropleth and "Incidents by district" not in choropleth


def test_public_map_in_spanish():
    sites = gpd.GeoDataFrame({schema.NAME: ["Lot A"], schema.OWNING_DEPT: ["Transportation (LADOT)"],
                              "protected_status": ["signed"]}, geometry=[shapely.Point(-118.25, 34.05)], crs=4326)
    assert set(sites.columns) - {"geometry"} == set(PUBLIC_FIELDS)
    html = _html(public_map(sites, districts=sites.iloc[:0], synthetic=False, tiles=None, lang="es"))
    for text in ("Propiedad de la Ciudad", "con letrero (y portón donde corresponde)", "Propiedad protegida de la Ciudad"):
        assert text in html, text
    assert "City property" not in html


@pytest.mark.parametrize(("color_by", "title"), [("sign", "Letrero"), ("gate", "Portón / barrera"),
                                                  ("tier", "Riesgo de concentración (interno)")])
def test_site_map_legends_in_spanish(color_by, title):
    built = _frames()
    sites = built["sites"].merge(built["status"], on=schema.SITE_ID).assign(final_tier="high")
    html = _html(site_map(sites, color_by=color_by, fields=[schema.SITE_ID], aliases=["Sitio"], synthetic=False,
                          tiles=None, lang="es"))
    assert f"<b>{title}</b>" in html and "Cerrado con llave" in html
    if color_by == "sign":
        assert "Sin letrero" in html and "Borde del marcador: portón" in html  # "none" under Sign reads "No sign"


def test_legend_defaults_to_english_and_keeps_unknown_words():
    html = _html_of(Legend({"Sign": {"none": "#000", "Lot 7": "#111"}}))
    assert "No sign" in html and "Lot 7" in html
    assert "Sin letrero" in _html_of(Legend({"Sign": {"none": "#000"}}, lang="es"))


def _html_of(legend: Legend) -> str:
    import folium

    fmap = folium.Map(tiles=None)
    legend.add_to(fmap)
    return fmap.get_root().render()


def test_english_is_unchanged_by_default(frames):  # noqa: F811
    html = _html(incident_map(*frames, mode="points", synthetic=False))
    assert "3 incidents match the filters" in html and pd.notna(html)


def _tooltip_values(html: str) -> list[tuple[str, str]]:
    import json
    import re

    out = []
    for blob in re.findall(r"_add\((\{\"features\".*?\})\);\s*$", html, flags=re.S | re.M):
        for feature in json.loads(blob)["features"]:
            out += [(k, v) for k, v in feature["properties"].items() if not k.startswith("_") and isinstance(v, str)]
    return out


@pytest.mark.parametrize("lang", ["en", "es"])
def test_map_tooltips_read_codes_as_words_in_the_language(lang):
    """A tooltip never shows a raw code ("high", "closed_locked", "signed, not gated") where a word exists."""
    from geo.labels import code_label

    built = _frames()
    sites = built["sites"].merge(built["status"], on=schema.SITE_ID).assign(
        final_tier="high", protection_detail="signed, not gated", determination="candidate")
    fields = [schema.SITE_ID, schema.NAME, schema.SIGN_STATUS, schema.GATE_STATUS, "final_tier", "protection_detail",
              schema.DETERMINATION]
    maps = [site_map(sites, color_by="tier", fields=fields, aliases=fields, synthetic=False, tiles=None, lang=lang),
            store_overview_map(**built, synthetic=True, lang=lang)]
    shipped = [kv for fmap in maps for kv in _tooltip_values(_html(fmap))]
    assert any(v == code_label("signed, not gated", "protection_detail", lang) for _k, v in shipped)
    raw = sorted({f"{k}={v}" for k, v in shipped if code_label(v, k, lang) != v})
    assert not raw, f"codes shipped raw in {lang} tooltips: {raw}"
    if lang == "es":
        assert ("protection_detail", "Con letrero, portón sin cerrar") in shipped
        assert ("gate_status", "Abierto") in shipped or ("gate_status", "Abierta") in shipped
