"""The loader's logic: staging writes, the batch ledger, completion and the outbox."""
