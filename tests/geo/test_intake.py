"""Incident intake: A.3 routing, B.2 supervisor fields, contacts kept apart, evidence hashes, EXIF, rejections."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import stat

import pytest
import shapely
from PIL import Image

from geo import schema
from geo.access.roles import Actor
from geo.errors import AccessDenied
from geo.intake.evidence import EvidenceUpload
from geo.intake.exif import exif_tag_count
from geo.intake.reports import IncidentReport, IntakeRejected
from geo.services.admin import load_liaisons
from geo.services.intake import import_incidents, submit_incident
from stagemap_cli.main import main
from tests.actors import ADMIN, records
from tests.conftest import canonical_frame

SITE_BOX = (-118.25, 34.05, -118.249, 34.051)
INSIDE = (34.0505, -118.2495)  # lat, lon
NEAR = (34.0505, -118.2487)  # ~90 ft east of the site
FAR = (34.0505, -118.239)  # ~3,000 ft east
TABLES = ("incidents", "incident_reports", "reporter_contacts", "evidence", "audit_log")


def jpeg(lat: float | None = None, lon: float | None = None, taken: str | None = "2026:03:01 09:30:00",
         size: tuple[int, int] = (16, 12)) -> bytes:
    """A small JPEG with camera, time and (optionally) GPS EXIF tags."""
    img = Image.new("RGB", size, (180, 20, 20))
    ex = Image.Exif()
    ex[0x010F], ex[0x0110], ex[0x0112] = "Canon", "EOS R5", 1
    if taken:
        ex.get_ifd(0x8769)[36867] = taken
    if lat is not None and lon is not None:
        gps = ex.get_ifd(0x8825)
        for ref_tag, val_tag, value, refs in ((1, 2, lat, "NS"), (3, 4, lon, "EW")):
            a = abs(value)
            d, m = int(a), int((a - int(a)) * 60)
            gps[ref_tag] = refs[0] if value >= 0 else refs[1]
            gps[val_tag] = (float(d), float(m), round((a - d - m / 60) * 3600, 4))
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=ex)
    return out.getvalue()


def add_sites(store, *, synthetic: bool = True) -> None:
    """Two City sites: SYN-1 (LADOT) and SYN-2 (RAP), far apart."""
    sites = canonical_frame(schema.SITES, [shapely.box(*SITE_BOX), shapely.box(-118.30, 34.10, -118.299, 34.101)],
                            site_id=["SYN-1", "SYN-2"], owning_dept=["Transportation (LADOT)", "Recreation and Parks (RAP)"],
                            area_sqft=100.0, site_origin="asset_list", is_synthetic=synthetic)
    store.write_layers({schema.SITES: sites})


def counts(store) -> dict[str, int]:
    with store.read() as con:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def report(kind: str = "contractor", at: tuple[float, float] = INSIDE, **kw) -> IncidentReport:
    return IncidentReport("staging_area", at[0], at[1], kw.pop("occurred_at", "2026-03-01T09:00"), kind, **kw)


def submit(store, rep: IncidentReport, files=(), **kw):
    actor = Actor(kw.pop("user", "ana"), kw.pop("role", "records"), source=kw.pop("source", "app"))
    return submit_incident(store, actor, rep, evidence_files=list(files), **kw)


@pytest.fixture
def db(any_store, tmp_path, monkeypatch):
    """Each backend (SQLite file, PostgreSQL); a PostgreSQL store keeps evidence in a configured directory."""
    if any_store.backend != "sqlite":
        monkeypatch.setenv("STAGEMAP_EVIDENCE_DIR", str(tmp_path / "evidence"))
    return any_store


@pytest.fixture
def sited(db, tmp_path):
    store = db
    add_sites(store, synthetic=False)
    (tmp_path / "liaisons.csv").write_text("department,liaison_name,liaison_email\n"
                                           "Transportation (LADOT),Dana Liaison,dana@example.invalid\n")
    load_liaisons(store, ADMIN, tmp_path / "liaisons.csv")
    return store


def test_contractor_report_on_a_city_site_routes_to_that_departments_liaison(sited):
    res = submit(sited, report("contractor", description="vans assembling in the lot"))
    assert res.report_kind == "contractor_report"
    assert (res.route.site_id, res.route.department, res.route.distance_ft) == ("SYN-1", "Transportation (LADOT)", 0.0)
    assert res.route.routed_to == "Immigrant Affairs Liaison, Transportation (LADOT): Dana Liaison"
    with sited.read() as con:
        row = con.execute("SELECT routed_site_id, routed_department, routed_to, routed_email, status, version "
                          "FROM incident_reports WHERE incident_id = ?", (res.incident_id,)).fetchone()
    assert row == ("SYN-1", "Transportation (LADOT)", res.route.routed_to, "dana@example.invalid", "routed", 1)
    inc = sited.read_layer(schema.INCIDENTS).set_index(schema.INCIDENT_ID).loc[res.incident_id]
    assert inc[schema.INCIDENT_TYPE] == "staging_area" and inc[schema.SOURCE_TYPE] == "contractor"
    assert inc[schema.OCCURRED_AT] == dt.datetime(2026, 3, 1, 17, 0, tzinfo=dt.UTC)  # 09:00 Los Angeles (PST)
    assert inc.geometry.equals(shapely.Point(INSIDE[1], INSIDE[0]))


def test_adjacent_and_fallback_routing(sited):
    near = submit(sited, report("contractor", NEAR))
    assert near.route.site_id == "SYN-1" and 0 < near.route.distance_ft <= 150
    by_dept = submit(sited, report("contractor", FAR, department="Transportation (LADOT)"))
    assert by_dept.route.site_id is None and "Dana Liaison" in by_dept.route.routed_to
    nowhere = submit(sited, report("contractor", FAR))
    assert nowhere.route.routed_to is None
    no_liaison = submit(sited, report("contractor", (34.1005, -118.2995)))
    assert no_liaison.route.department == "Recreation and Parks (RAP)"
    assert "no liaison on file" in no_liaison.route.routed_to


def test_synthetic_store_gets_a_labelled_placeholder_liaison(db):
    store = db
    add_sites(store)
    res = submit(store, report("contractor"))
    assert "SYNTHETIC placeholder" in res.route.routed_to and res.route.liaison_email.endswith(".invalid")
    with store.read() as con:
        assert con.execute("SELECT is_synthetic FROM department_liaisons").fetchall() == [(1,)]


def test_officer_report_keeps_supervisor_name_and_badge(sited):
    res = submit(sited, report("officer", supervisor_name="Sgt. R. Diaz", supervisor_badge="40211", agency="ICE ERO",
                               body_camera="no", referral="district_attorney"))
    assert res.report_kind == "officer_report" and res.route.routed_to is None and res.route.site_id == "SYN-1"
    with sited.read() as con:
        row = con.execute("SELECT supervisor_name, supervisor_badge, agency, body_camera, referral "
                          "FROM incident_reports WHERE incident_id = ?", (res.incident_id,)).fetchone()
    assert row == ("Sgt. R. Diaz", "40211", "ICE ERO", "no", "district_attorney")
    unrecorded = submit(sited, report("officer"))
    with sited.read() as con:
        assert con.execute("SELECT supervisor_name, supervisor_badge FROM incident_reports WHERE incident_id = ?",
                           (unrecorded.incident_id,)).fetchone() == (None, None)


def test_reporter_contact_is_stored_apart_and_never_in_the_log(sited):
    res = submit(sited, report("public", reporter_name="Canary Q. Reporter", reporter_email="canary@example.org",
                               reporter_phone="(213) 555-0100"))
    with sited.read() as con:
        assert con.execute("SELECT incident_id, name, email FROM reporter_contacts").fetchall() == [
            (res.incident_id, "Canary Q. Reporter", "canary@example.org")]
        elsewhere = [str(v) for t in ("incidents", "incident_reports", "audit_log")
                     for r in con.execute(f"SELECT * FROM {t}").fetchall() for v in r]
    assert not [v for v in elsewhere if "anary" in v or "555-0100" in v]


def test_evidence_hash_is_sha256_of_the_received_bytes_and_file_is_write_once(sited):
    data = jpeg(*INSIDE)
    res = submit(sited, report("contractor"), [EvidenceUpload("photo.txt", data, label="EV-LBL-1",
                                                              disposition_ref="CDS-2026-0301-17")])
    original = res.evidence[0]
    assert original.sha256 == hashlib.sha256(data).hexdigest() and original.size_bytes == len(data)
    assert original.mime == "image/jpeg"  # sniffed from the bytes, not the .txt name
    path = sited.evidence_dir() / original.stored_path
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    with sited.read() as con:
        row = con.execute("SELECT label, disposition_ref, sha256, stored_path FROM evidence WHERE evidence_id = ?",
                          (original.evidence_id,)).fetchone()
        refs = con.execute("SELECT evidence_refs FROM incidents WHERE incident_id = ?", (res.incident_id,)).fetchone()
    assert row == ("EV-LBL-1", "CDS-2026-0301-17", original.sha256, f"{original.sha256[:2]}/{original.sha256}")
    assert refs == ("EV-LBL-1",)
    before = path.stat()
    again = submit(sited, report("staff"), [EvidenceUpload("same.jpg", data)])
    assert again.evidence[0].sha256 == original.sha256
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # not rewritten


def test_evidence_rows_cannot_be_updated_or_deleted(sited):
    submit(sited, report("staff"), [EvidenceUpload("a.bin", b"\x00\x01 evidence")])
    for sql in ("UPDATE evidence SET sha256 = 'x'", "DELETE FROM evidence"):
        with pytest.raises(Exception, match=r"write-once|permission denied"), sited.write() as con:
            con.execute(sql)
    assert counts(sited)["evidence"] == 1


@pytest.mark.parametrize(("photo", "expected"), [
    (INSIDE, "inside site"), (NEAR, "within 150 ft of site"), (FAR, "outside site"), (None, "no gps")],
    ids=["inside", "near", "outside", "no-gps"])
def test_exif_placement_check_is_flagged_never_blocking(sited, photo, expected):
    data = jpeg(*photo) if photo else jpeg()
    res = submit(sited, report("contractor"), [EvidenceUpload("p.jpg", data)])
    original = res.evidence[0]
    assert original.placement_check.startswith(expected)
    assert original.time_check == "within 24 h of occurred"  # 09:30 local vs 09:00 local
    with sited.read() as con:
        lat, lon, when = con.execute("SELECT exif_lat, exif_lon, exif_time FROM evidence WHERE evidence_id = ?",
                                     (original.evidence_id,)).fetchone()
    if photo:
        assert (lat, lon) == pytest.approx(photo, abs=1e-6)
    assert when == "2026-03-01T17:30:00+00:00"


def test_derived_copies_have_no_exif_and_link_their_parent(sited):
    """E5: scan every derived image: 0 EXIF GPS/device/time tags, each with its parent's hash."""
    photos = [jpeg(*INSIDE), jpeg(*FAR, size=(40, 30)), jpeg(taken=None)]
    png = io.BytesIO()
    img = Image.new("RGBA", (10, 10))
    ex = Image.Exif()
    ex[0x010F] = "Phone"
    ex.get_ifd(0x8825)[1] = "N"
    img.save(png, format="PNG", exif=ex)
    photos.append(png.getvalue())
    res = submit(sited, report("staff"), [EvidenceUpload(f"p{i}", d) for i, d in enumerate(photos)])
    originals = [e for e in res.evidence if e.derived_from is None]
    derived = [e for e in res.evidence if e.derived_from is not None]
    assert len(derived) == len(photos) and all(exif_tag_count(p) > 0 for p in photos)
    root = sited.evidence_dir()
    for d in derived:
        data = (root / d.stored_path).read_bytes()
        assert exif_tag_count(data) == 0 and b"Exif" not in data and b"Canon" not in data
        assert d.derived_from in {o.sha256 for o in originals}
        assert hashlib.sha256(data).hexdigest() == d.sha256
    with sited.read() as con:
        assert con.execute("SELECT COUNT(*) FROM evidence WHERE derivation = 'exif_stripped'").fetchone()[0] == 4


@pytest.mark.parametrize(("changes", "message"), [
    ({"incident_type": "raid"}, "incident_type: 'raid' is not one of"),
    ({"source_type": "rumour"}, "source_type: 'rumour' is not one of"),
    ({"occurred_at": "2999-01-01T00:00"}, "is in the future"),
    ({"occurred_at": "last tuesday"}, "is not a date and time; use ISO 8601"),
    ({"lat": 40.7, "lon": -74.0}, "outside Los Angeles County"),
    ({"lat": -118.2495, "lon": 34.0505}, "look swapped"),
    ({"lat": float("nan")}, "not finite numbers"),
    ({"supervisor_name": "Sgt. Diaz"}, "give both the on-scene supervisor's name and badge"),
    ({"reporter_email": "not-an-email"}, "reporter_email: not an email address"),
    ({"body_camera": "maybe"}, "body_camera: 'maybe'"),
], ids=["type", "source", "future", "unparseable", "outside", "swapped", "nan", "supervisor", "email", "bodycam"])
def test_invalid_reports_are_rejected_with_clear_messages_and_nothing_written(sited, changes, message):
    base = {"incident_type": "staging_area", "lat": INSIDE[0], "lon": INSIDE[1],
            "occurred_at": "2026-03-01T09:00", "source_type": "officer"}
    before = counts(sited)
    with pytest.raises(IntakeRejected, match=message) as info:
        submit(sited, IncidentReport(**{**base, **changes}), [EvidenceUpload("p.jpg", jpeg(*INSIDE))])
    assert "nothing was written" in str(info.value)
    assert counts(sited) == before
    assert not sited.evidence_dir().exists()


def test_bad_user_role_and_empty_evidence_are_rejected(sited):
    with pytest.raises(AccessDenied, match="Unknown role 'sheriff'"):
        submit(sited, report("staff"), user="x", role="sheriff")
    with pytest.raises(AccessDenied, match="may not submit incident"):
        submit(sited, report("staff"), user="x", role="council_office")
    with pytest.raises(IntakeRejected) as info:
        submit(sited, report("staff"), [EvidenceUpload("empty.jpg", b"")], user=" ")
    assert len(info.value.problems) == 2
    assert counts(sited)["incidents"] == 0


class _FailAt:
    """A connection proxy that raises at the k-th statement (an injected failure, C4)."""

    def __init__(self, con, k: int, seen: list[int]) -> None:
        self.con, self.k, self.seen = con, k, seen

    def execute(self, sql, params=()):
        self.seen[0] += 1
        if self.seen[0] == self.k:
            raise RuntimeError(f"injected failure at statement {self.k}")
        return self.con.execute(sql, params)


def test_a_failure_at_any_statement_leaves_no_partial_incident(sited, monkeypatch):
    """C4: inject an exception at each statement of the intake transaction; 0 partial records."""
    files = [EvidenceUpload("p.jpg", jpeg(*INSIDE)), EvidenceUpload("n.txt", b"notes")]
    rep = report("contractor", reporter_email="r@example.org")
    original = type(sited).write
    seen = [0]

    @contextlib.contextmanager
    def counting(self, k=0):
        with original(self) as con:
            yield _FailAt(con, k, seen)

    monkeypatch.setattr(type(sited), "write", counting)
    submit(sited, rep, files)
    n_statements, baseline = seen[0], counts(sited)
    assert n_statements >= 12
    for k in range(1, n_statements + 1):
        seen[0] = 0
        monkeypatch.setattr(type(sited), "write", lambda self, k=k: counting(self, k))
        with pytest.raises(RuntimeError, match="injected"):
            submit(sited, rep, files)
        assert counts(sited) == baseline, f"partial record after a failure at statement {k}"
    monkeypatch.setattr(type(sited), "write", original)
    assert sited.verify_audit()[1] is None


def test_one_audit_entry_per_record_and_chain_verifies(sited):
    res = submit(sited, report("public", reporter_phone="213 555 0100"), [EvidenceUpload("p.jpg", jpeg(*INSIDE))])
    actions = [e["action"] for e in sited.read_audit() if e["seq"] in res.audit_seqs]
    assert actions == ["incident.create", "incident_report.create", "reporter_contact.create",
                       "evidence.create", "evidence.create"]
    assert sited.verify_audit()[1] is None


def test_cli_incident_add_and_rejection(sited, cli_accounts, tmp_path, capsys):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg(*INSIDE))
    code = main(["incident", "add", "--type", "staging_area", "--lat", str(INSIDE[0]), "--lon", str(INSIDE[1]),
                 "--occurred", "2026-03-01T09:00", "--source", "contractor", "--evidence", str(photo),
                 "--label", "LBL-7", "--disposition-ref", "CDS-1", "--user", "ana", "--store", sited.url])
    out = capsys.readouterr().out
    assert code == 0 and "routed to: Immigrant Affairs Liaison, Transportation (LADOT): Dana Liaison" in out
    assert hashlib.sha256(photo.read_bytes()).hexdigest() in out
    code = main(["incident", "add", "--type", "arrest", "--lat", "34.05", "--lon", "-118.25", "--occurred",
                 "2026-03-01T09:00", "--source", "officer", "--supervisor-badge", "123", "--user", "ana",
                 "--store", sited.url])
    assert code == 2 and "supervisor" in capsys.readouterr().err


def test_bulk_incident_file_reports_each_row(sited, cli_accounts, tmp_path, capsys):
    path = tmp_path / "reports.csv"
    path.write_text("type,lat,lon,occurred,source,supervisor,badge\n"
                    f"staging_area,{INSIDE[0]},{INSIDE[1]},2026-03-01T09:00,contractor,,\n"
                    f"arrest,{FAR[0]},{FAR[1]},2026-03-02T10:00,officer,Sgt. Diaz,4021\n"
                    "checkpoint,abc,-118.2,2026-03-02T10:00,officer,,\n"
                    f"raid,{FAR[0]},{FAR[1]},2026-03-02T10:00,public,,\n")
    rep = import_incidents(sited, records(), str(path))
    assert [o for _, o, _ in rep.rows] == ["added", "added", "invalid", "invalid"]
    assert [n for n, _, _ in rep.rows] == [2, 3, 4, 5]
    assert "Dana Liaison" in rep.rows[0][2] and "not numbers" in rep.rows[2][2] and "'raid'" in rep.rows[3][2]
    assert counts(sited)["incidents"] == 2
    assert main(["incident", "import", str(path), "--user", "r", "--store", sited.url]) == 0
    assert "2 added, 2 invalid" in capsys.readouterr().out
