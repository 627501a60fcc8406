"""One business day: every entity's records for that day's batch, in a fixed order."""

from __future__ import annotations

from datetime import date

from shopflow.generate.customers import Customer
from shopflow.generate.reviews import review_rating, review_record
from shopflow.generate.sales import emit_sales
from shopflow.generate.world import World
from shopflow.generate.writer import BatchWriter


def generate_day(world: World, day_index: int, writer: BatchWriter) -> None:
    business_date = world.config.business_date(day_index)
    for campaign in world.campaigns.deliveries(day_index):
        writer.emit("campaigns", campaign.record())
    _deliver_products(world, day_index, business_date, writer)
    fresh = _deliver_customers(world, day_index, business_date, writer)
    stockouts = world.inventory.begin_day(day_index)
    _deliver_status_changes(world, day_index, writer)
    _deliver_reviews(world, day_index, business_date, writer)
    emit_sales(world, day_index, writer, stockouts, fresh)
    for row in world.inventory.snapshot(business_date, day_index):
        writer.emit("inventory", row)


def _deliver_products(world: World, day_index: int, business_date: date,
                      writer: BatchWriter) -> None:
    # First versions are never defective, so the product dimension's truth stays simple.
    first_day = day_index == 0
    products = world.catalogue.products if first_day else world.catalogue.evolve(business_date)
    for product in products:
        if writer.emit("products", product.record(world.fmt), may_defect=not first_day):
            version = product.current
            world.truth.sales.product_version(product.product_id, version.updated_at,
                                              version.category, version.unit_cost)


def _deliver_customers(world: World, day_index: int, business_date: date,
                       writer: BatchWriter) -> list[Customer]:
    book = world.customers
    changed = book.evolve(business_date) if day_index else []
    base = book.create_base(business_date) if day_index == 0 else []
    fresh = book.create_new(business_date, world.late_arrivals.get(day_index))
    on_time = fresh[1:] if day_index in world.late_arrivals else fresh
    arriving = book.arriving_late(day_index)
    for customer in base + on_time + arriving:
        customer.published = True
        writer.emit("customers", customer.record(world.fmt), may_defect=False)
    for customer in changed:
        writer.emit("customers", customer.record(world.fmt))
    for customer in arriving:
        first_order_batch = world.late_first_orders.pop(customer.customer_id, None)
        if first_order_batch is not None:
            world.truth.late_customer(customer.customer_id, customer.signup_date,
                                      first_order_batch, writer.batch_id)
    return fresh


def _deliver_status_changes(world: World, day_index: int, writer: BatchWriter) -> None:
    for change in world.lifecycle.changes_due(day_index):
        order = change.order
        order.status, order.updated_at = change.status, change.at
        kept = writer.emit("orders", order.record(world.fmt))
        world.truth.sales.order_version(order, day_index, kept)


def _deliver_reviews(world: World, day_index: int, business_date: date,
                     writer: BatchWriter) -> None:
    prefix = f"rev-{business_date:%Y%m%d}"
    for number, plan in enumerate(world.lifecycle.reviews_due(day_index), start=1):
        product = world.catalogue.by_id[plan.product_id]
        rating = review_rating(world.rng, product.rating, plan.unhappy)
        record = review_record(world.rng, world.fmt, f"{prefix}-{number:05d}", plan, rating)
        writer.emit("reviews", record)

