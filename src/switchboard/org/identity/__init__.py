"""Users, connected apps, passwords and tokens of the org."""
