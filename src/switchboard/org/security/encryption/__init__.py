"""Field encryption at rest, as Shield Platform Encryption does it.

    schemes    which fields may carry an encryptionScheme (checked at deploy)
    envelope   AES-256-GCM values in a text envelope; synthetic IVs for deterministic
    keyring    data key versions sealed under the root key; the active one
    column     the encrypted column type (seal on write, open on read) and SQL equality
    soql       what SOQL may do with an encrypted field, and Salesforce's refusals
    events     change event payloads with encrypted fields sealed
    rotation   re-encrypting stored values under the active version, in batches

Only what these modules need is imported here, so the schema can check fields without
loading the rest.
"""
