"""The ingestor's logic: landing-area scanning, file safety, streaming readers, publishing."""
