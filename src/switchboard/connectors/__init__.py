"""Connectors to systems outside the org, one folder each with the same shape
(factory, configuration, client, errors); heavy imports wait until a connector is used."""
