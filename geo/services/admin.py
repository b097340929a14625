"""Store administration through the one door: migrations, liaisons, the synthetic sample, accounts."""
from __future__ import annotations

from pathlib import Path

from geo.access.accounts import Account, add_account, load_accounts, remove_account
from geo.access.roles import Actor, authorize
from geo.errors import StoreError
from geo.intake.routing import read_liaisons_csv
from geo.messages import M
from geo.records import Sample
from geo.store import Store


def migrate_store(store: Store, actor: Actor) -> str:
    """Upgrade the store's schema as ``actor`` (admins); return the revision."""
    authorize(actor, "administer_store")
    revision = store.migrate()
    store.log_event(actor=actor.name, role=actor.role, action="store.migrate", entity="store",
                    detail={"revision": revision}, source=actor.source, os_user=actor.os_user)
    return revision


def load_liaisons(store: Store, actor: Actor, path: str | Path) -> int:
    """Load ``department, liaison_name, liaison_email`` rows (replacing per department); admins only."""
    authorize(actor, "administer_store")
    rows = read_liaisons_csv(path)
    return store.set_liaisons(rows, source=Path(path).name, user=actor.name, role=actor.role,
                              os_user=actor.os_user)


def write_sample(store: Store, actor: Actor, sample: Sample) -> None:
    """Replace the store's layers with the synthetic sample (admins, or the local operator of a sample store).

    Raises
    ------
    StoreError
        When the store holds real data (demo and real never mix); nothing is written.
    """
    authorize(actor, "administer_store")
    if store.is_synthetic() is False:
        raise StoreError(M("Store {store} holds real City data; the synthetic sample never goes into it. Build the "
                           "sample in its own store (--store data/stagemap.gpkg).", store=store.display_url))
    store.write_layers(sample.frames, mode="replace", status=sample.status, user=actor.name, role=actor.role,
                       os_user=actor.os_user)
    store.adopt_boundary_layers(user=actor.name, role=actor.role, source=actor.source, os_user=actor.os_user,
                                label="synthetic sample")  # the sample's zones, divisions and councils: current
    for spec, features in sample.boundaries:  # e.g. an earlier demo council plan, stored but not current
        store.add_boundary_set(spec, features, make_current=False, user=actor.name, role=actor.role,
                               source=actor.source, os_user=actor.os_user)
    if sample.control is not None and len(sample.control):  # the sample's A.1 determinations, audited
        store.seed_control(sample.control.to_dict("records"), user=actor.name, role=actor.role, source=actor.source,
                           os_user=actor.os_user)
    if sample.parts is not None and len(sample.parts):  # parts keep their ids: a rebuilt sample adds none twice
        store.add_parts(sample.parts.to_dict("records"), user=actor.name, role=actor.role, source=actor.source,
                        os_user=actor.os_user)


def save_account(accounts: Path, actor: Actor, name: str, password: str, *, role: str,
                 department: str | None = None, district: int | None = None) -> Account:
    """Create or replace a local account (admins only)."""
    authorize(actor, "manage_users")
    return add_account(accounts, name, password, role=role, department=department, district=district)


def delete_account(accounts: Path, actor: Actor, name: str) -> None:
    """Delete a local account (admins only)."""
    authorize(actor, "manage_users")
    remove_account(accounts, name)


def list_accounts(accounts: Path, actor: Actor) -> list[Account]:
    """Return the local accounts, never their passwords (admins only)."""
    authorize(actor, "manage_users")
    return sorted(load_accounts(accounts).values(), key=lambda a: a.name)
