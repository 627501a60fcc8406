"""Which contract models exist, by entity and version, and questions about them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from contracts.base import ContractModel
from contracts.campaigns import CampaignsV1
from contracts.clickstream import ClickstreamV1
from contracts.customers import CustomersV1
from contracts.inventory import InventoryV1
from contracts.order_items import OrderItemsV1
from contracts.orders import OrdersV1
from contracts.parsing import preview
from contracts.products import ProductsV1
from contracts.reviews import ReviewsV1

ENTITIES: tuple[str, ...] = (
    "customers",
    "products",
    "orders",
    "order_items",
    "clickstream",
    "inventory",
    "campaigns",
    "reviews",
)

_MODELS: tuple[type[ContractModel], ...] = (
    CustomersV1,
    ProductsV1,
    OrdersV1,
    OrderItemsV1,
    ClickstreamV1,
    InventoryV1,
    CampaignsV1,
    ReviewsV1,
)

CONTRACTS: dict[tuple[str, int], type[ContractModel]] = {
    (model.ENTITY, model.VERSION): model for model in _MODELS
}
# get_contract(entity) runs once per record: the latest model per entity, looked up once.
_LATEST: dict[str, type[ContractModel]] = {
    entity: max((m for (name, _), m in CONTRACTS.items() if name == entity),
                key=lambda m: m.VERSION)
    for entity in {name for name, _ in CONTRACTS}
}


class UnknownContractError(KeyError):
    """No contract is registered for this entity (or this version of it)."""

    def __str__(self) -> str:
        # KeyError's str() is the repr of its argument; a plain sentence reads better.
        return str(self.args[0]) if self.args else "unknown contract"


def versions(entity: str) -> tuple[int, ...]:
    found = sorted(version for name, version in CONTRACTS if name == entity)
    if not found:
        raise UnknownContractError(
            f"unknown entity {entity!r}; known entities: {', '.join(ENTITIES)}"
        )
    return tuple(found)


def latest_version(entity: str) -> int:
    return versions(entity)[-1]


def get_contract(entity: str, version: int | None = None) -> type[ContractModel]:
    if version is None and entity in _LATEST:
        return _LATEST[entity]
    wanted = latest_version(entity) if version is None else version
    try:
        return CONTRACTS[(entity, wanted)]
    except KeyError:
        known = ", ".join(f"v{v}" for v in versions(entity))
        raise UnknownContractError(
            f"unknown version {version!r} of {entity!r}; known versions: {known}"
        ) from None


def fields(entity: str, version: int | None = None) -> tuple[str, ...]:
    return tuple(get_contract(entity, version).model_fields)


def required_fields(entity: str, version: int | None = None) -> tuple[str, ...]:
    """Fields required in every record; conditional requirements are not listed."""
    model = get_contract(entity, version)
    return tuple(name for name, info in model.model_fields.items() if info.is_required())


def natural_key(entity: str, version: int | None = None) -> tuple[str, ...]:
    return get_contract(entity, version).NATURAL_KEY


def partition_key(entity: str, version: int | None = None) -> tuple[str, ...]:
    return get_contract(entity, version).PARTITION_KEY


def header_problem(entity: str, columns: Sequence[str], version: int | None = None) -> str | None:
    """Why a CSV header does not fit the contract (schema drift), or None when it fits."""
    model = get_contract(entity, version)
    known = set(model.model_fields)
    duplicates = sorted(name for name, count in Counter(columns).items() if count > 1)
    unknown = sorted({name for name in columns if name not in known})
    missing = [name for name in required_fields(entity, version) if name not in columns]
    problems = []
    if duplicates:
        problems.append(f"duplicate column(s): {_listing(duplicates)}")
    if unknown:
        problems.append(f"unknown column(s): {_listing(unknown)}")
    if missing:
        problems.append(f"missing required column(s): {_listing(missing)}")
    if not problems:
        return None
    return f"{entity} v{model.VERSION} header: " + "; ".join(problems)


def _listing(names: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(preview(name) for name in names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"
