"""The org: schema, DML, SOQL and bulk jobs; the system of record."""
