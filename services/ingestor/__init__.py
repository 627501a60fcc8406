"""The ingestor service."""
