"""OSCAL export: an audit as assessment results or an assessment plan, the catalogue as a catalog.

`results`, `plan` and `catalogue` build the documents as JSON-shaped dicts from the workspace
(no trestle needed); `trestle_io` validates them with compliance-trestle's models (the `oscal`
extra, imported only there) and serialises them. The mapping is described in docs/oscal.md.
"""
