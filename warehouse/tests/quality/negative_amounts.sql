-- Money and quantities can never be negative in the facts of the build's scope.
select f.order_id from {{ ref('scope_orders') }} s
join {{ ref('fact_order_items') }} f using (order_id)
where f.net_amount < 0 or f.quantity <= 0 or f.unit_price < 0 or f.discount_amount < 0
   or f.cost_amount < 0
union all
select f.order_id from {{ ref('scope_orders') }} s
join {{ ref('fact_orders') }} f using (order_id)
where f.net_amount < 0 or f.shipping_amount < 0
union all
select f.product_id from {{ ref('scope_inventory') }} s
join {{ ref('fact_inventory_daily') }} f using (snapshot_date, product_id)
where f.on_hand < 0
