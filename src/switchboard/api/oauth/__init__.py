"""OAuth 2.0 under ``/services/oauth2/``: token, authorize, revoke, userinfo, introspect."""
