"""Directive D nexus study: unit costs, the affected-parcel inventory, incident ledger, fees, snapshots."""
