"""ShopFlow data contracts: one versioned pydantic model per entity.

The interface the ingestor, validator, loader, generator and DLQ tooling use:

    validate_json("orders", b'{"order_id": "o1", ...}') -> ValidationOutcome
    validate_record("orders", {"order_id": "o1", ...}) -> ValidationOutcome
    canonical_json(outcome.model) -> bytes        # what goes to valid.<entity>
    header_problem("orders", csv_header) -> str | None   # schema drift check
"""

from contracts.base import ContractModel
from contracts.canonical import canonical, canonical_json
from contracts.errors import ErrorCode, FieldError
from contracts.registry import (
    CONTRACTS,
    ENTITIES,
    UnknownContractError,
    fields,
    get_contract,
    header_problem,
    latest_version,
    natural_key,
    partition_key,
    required_fields,
    versions,
)
from contracts.validate import ValidationOutcome, unparseable, validate_json, validate_record

__all__ = [
    "CONTRACTS",
    "ENTITIES",
    "ContractModel",
    "ErrorCode",
    "FieldError",
    "UnknownContractError",
    "ValidationOutcome",
    "canonical",
    "canonical_json",
    "fields",
    "get_contract",
    "header_problem",
    "latest_version",
    "natural_key",
    "partition_key",
    "required_fields",
    "unparseable",
    "validate_json",
    "validate_record",
    "versions",
]
