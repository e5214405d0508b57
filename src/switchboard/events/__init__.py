"""The event log: change and platform events appended in the writer's transaction."""
