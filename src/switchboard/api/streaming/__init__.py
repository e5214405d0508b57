"""The Streaming API: CometD (Bayeux long polling) over the event log."""
