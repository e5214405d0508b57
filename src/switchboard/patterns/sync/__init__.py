"""The batch data sync pattern: tables of external SQL databases into the org
(see :mod:`.runner`)."""
