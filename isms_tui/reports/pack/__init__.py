"""The content of the evidence packs: the Clause 9 pack for a period, one audit's report, one
management review's minutes.

Written for the certification auditor who receives the PDF: the sections follow the standard
(9.1, 9.2, 9.3), every status is a colour *and* a label, tables repeat their headers across
pages, and everything the pack claims can be traced to an embedded evidence file (listed with
its SHA-256) or to the workspace's journal (whose head hash is on the cover).

Data comes from the services only; layout from reports.layout. Imported lazily (never at app
start-up): reportlab costs ~0.4 s to import.

compose holds the request and the composition; cover, monitoring (9.1), audits (9.2) and
reviews (9.3) write the sections; single the one-audit and one-review packs; evidence the
evidence files, their register and the manifest.
"""

from .compose import KINDS, ComposedPack, PackContent, PackRequest, build_pack, compose_pack, resolve_request

__all__ = ["KINDS", "ComposedPack", "PackContent", "PackRequest", "build_pack", "compose_pack", "resolve_request"]
