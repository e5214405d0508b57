"""The Runtime: builds and owns everything that runs, starts it in order, stops it in reverse."""
