"""Composite resources: /composite, /composite/batch, /composite/sobjects, /composite/tree.

Subrequests run through the same handlers as the REST routes (see :mod:`.router`), so a
record created in a composite request is validated and evented exactly like one created
with ``POST sobjects/T``.
"""
