-- Null dimension keys in the facts of the build's scope: a fact silently detached from
-- its dimension. (Lines still waiting for their order header: order_lines_without_order.)
select f.order_id from {{ ref('scope_orders') }} s
join {{ ref('fact_orders') }} f using (order_id)
where f.customer_key is null or f.date_key is null
union all
select f.order_id from {{ ref('scope_orders') }} s
join {{ ref('fact_order_items') }} f using (order_id)
where f.product_key is null or (f.order_ts is not null and f.customer_key is null)
union all
select f.product_id from {{ ref('scope_inventory') }} s
join {{ ref('fact_inventory_daily') }} f using (snapshot_date, product_id)
where f.product_key is null
