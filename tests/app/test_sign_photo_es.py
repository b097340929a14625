"""AppTest: a sign photo saved with a status reads in Spanish in the site panel (its GPS check) while the stored
note stays the English text it always was."""
from __future__ import annotations

import hashlib

from geo import schema
from geo.access.roles import Actor
from geo.services.status import save_site_status
from tests.app.test_liaison_field import DEPT, _liaison
from tests.app.text_scan import all_text
from tests.geo.test_intake import jpeg


def test_the_photo_gps_check_reads_in_spanish(sample_store):
    sites = sample_store.read_layer(schema.SITES)
    site = sites[sites[schema.OWNING_DEPT] == DEPT].iloc[0]
    sid = site[schema.SITE_ID]
    point = site.geometry.representative_point()
    photo = jpeg(lat=point.y, lon=point.x)
    version = sample_store.status_history(sid)[-1].version
    save_site_status(sample_store, Actor("ana", "liaison", DEPT), sid, {schema.SIGN_STATUS: "posted"},
                     expect_version=version, photo=("sign.jpg", photo))
    note = sample_store.status_history(sid)[-1].changes[schema.STATUS_NOTE][1]
    assert note == f"sign photo sha256:{hashlib.sha256(photo).hexdigest()[:16]} (inside site)"
    at = _liaison()
    at.selectbox(key="selected_site").set_value(sid).run()
    assert "GPS: inside site" in all_text(at)
    at.sidebar.selectbox(key="lang_picker").select("es").run()
    assert not at.exception, at.exception
    captions = all_text(at)
    assert "GPS: dentro del sitio" in captions and "GPS: inside site" not in captions
    # the note field still holds the stored English text: it is what the liaison edits and saves back
    assert captions.count("inside site") == 1 and f'default: "{note}"' in captions
