"""The SOAP partner API's login and logout at ``/services/Soap/u/XX.X``."""
