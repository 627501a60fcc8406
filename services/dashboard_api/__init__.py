"""The dashboard_api service."""
