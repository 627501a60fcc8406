"""The `shopflow` command line."""
