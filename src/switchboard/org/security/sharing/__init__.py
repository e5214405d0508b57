"""Record sharing: organization-wide defaults, ownership, the role hierarchy and
sharing rules.

    tables      the chain's tables (defaults, rules, role closure, share rows)
    models      the four organization-wide defaults and Salesforce's shipped ones
    rules       owner- and criteria-based sharing rules and their JSON form
    maintain    the role closure and the share rows, kept by the DML path
    predicate   access as a SQL predicate with the user and role as bind parameters
    sfdx        roles/ and sharingRules/ of an SFDX project, and sharingModel
    deploy      putting those into an org

Nothing here filters rows in Python: a query carries the predicate, so COUNT(), LIMIT,
OFFSET and queryMore see exactly the visible records.
"""
