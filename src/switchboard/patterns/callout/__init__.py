"""Remote call-out: declarative HTTP calls driven by record changes, platform events,
schedules and invocations, delivered durably (see :mod:`.engine`)."""
