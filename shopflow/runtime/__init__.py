"""Shared runtime every service imports: settings, Kafka, logging, metrics, shutdown."""
