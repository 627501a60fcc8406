"""Operations: what Prometheus scrapes about the pipeline's ledger (collector), checks on a
clock (freshness, statistical outliers; monitor) and retention. See docs/operations.md."""
