"""Security as Salesforce enforces it: who is calling and what they may see and change.

    principal     the contract every enforcement point reads: one caller's effective
                  object permissions, field-level security, system permissions and role
    permissions   profiles, permission sets and groups: effective access of a user
    sharing       organization-wide defaults, ownership, the role hierarchy and sharing
                  rules, as a SQL predicate on the queried table
    encryption    encrypted fields at rest (AES-GCM) and key rotation
    trail         SetupAuditTrail, LoginHistory and EventLogFile
    errors        the layer's errors (all terminal: the same call fails the same way)

API calls always run as their user, as in Salesforce: object permissions, field-level
security and sharing apply to REST, Composite, Bulk, SOQL and subscriptions alike.
Internal writers of the hub (a call-out's reply, a sync) carry the principal of the user
they act for; only the org's own bootstrap and migrations use ``Principal.system``.
"""
