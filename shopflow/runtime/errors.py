"""One exception hierarchy. Errors about a message carry where it came from."""

from __future__ import annotations


class ShopflowError(Exception):
    """Base of every error the platform raises on purpose."""


class ConfigurationError(ShopflowError):
    pass


class MessageError(ShopflowError):
    """A problem with one Kafka message; says topic/partition/offset."""

    def __init__(self, message: str, *, topic: str | None, partition: int | None,
                 offset: int | None) -> None:
        super().__init__(f"{message} (topic={topic} partition={partition} offset={offset})")
        self.topic, self.partition, self.offset = topic, partition, offset


class TransientError(ShopflowError):
    """Worth retrying: the broker or database is briefly unreachable."""


class DeliveryError(TransientError):
    """The broker did not acknowledge a produced message."""


class BatchError(ShopflowError):
    """A message batch could not be handled; says which partitions and offsets it spans."""

    def __init__(self, message: str, *, where: str) -> None:
        super().__init__(f"{message} ({where})")
        self.where = where
