"""customers v1: one customer; a new record with the same id is a new version (SCD2)."""

from __future__ import annotations

from contracts.base import ContractModel
from contracts.enums import Segment
from contracts.field_types import CountryCode, Email, Id, IsoDate, Text, Timestamp


class CustomersV1(ContractModel):
    ENTITY = "customers"
    VERSION = 1
    NATURAL_KEY = ("customer_id",)
    PARTITION_KEY = ("customer_id",)

    customer_id: Id
    email: Email | None = None
    first_name: Text | None = None
    last_name: Text | None = None
    country: CountryCode
    region: Text | None = None
    city: Text | None = None
    segment: Segment | None = None
    signup_date: IsoDate | None = None
    updated_at: Timestamp
