-- fact_order_items: grain = one order line (order_id, line_number), latest version.
-- Joined to the customer and product versions in effect at order_ts (the first version
-- also covers instants before it). A line whose order header has not arrived gets
-- date_key -1, no customer, the current product version, and is not revenue until its
-- header arrives (the order is then in scope again).
-- is_revenue: the order's latest status is not cancelled or returned (SPEC 3).
{{ config(scope='scope_orders', scope_keys=['order_id']) }}
-- depends_on: {{ ref('scope_orders') }}
select l.order_id, l.line_number, h.order_ts, h.order_date,
       coalesce(to_char(h.order_date, 'YYYYMMDD')::int, -1) as date_key,
       h.customer_id, c.customer_key, l.product_id, p.product_key, h.campaign_id,
       h.status as order_status, coalesce(h.is_revenue, false) as is_revenue,
       coalesce(p.category, 'unknown') as category,
       l.quantity, l.unit_price, l.discount_amount,
       l.quantity * l.unit_price as gross_amount,
       l.quantity * l.unit_price - l.discount_amount as net_amount,
       p.unit_cost,
       l.quantity * p.unit_cost as cost_amount,
       l.quantity * l.unit_price - l.discount_amount - l.quantity * p.unit_cost
         as margin_amount,
       l.batch_id as source_batch_id
from {{ ref('int_order_lines') }} l
left join {{ ref('int_order_headers') }} h using (order_id)
left join {{ ref('dim_customer') }} c
  on c.customer_id = h.customer_id
 and (c.version_number = 1 or c.valid_from <= h.order_ts)
 and (c.valid_to is null or h.order_ts < c.valid_to)
left join {{ ref('dim_product') }} p
  on p.product_id = l.product_id
 and case when h.order_ts is null then p.is_current
          else (p.version_number = 1 or p.valid_from <= h.order_ts)
               and (p.valid_to is null or h.order_ts < p.valid_to) end
