-- fact_orders: grain = one order (order_id), its latest header version. Totals are sums
-- over its current lines (an order without lines has zeros). is_revenue = latest status
-- not cancelled/returned; such an order counts in `orders` even without valid lines
-- (SPEC 3). order_date = UTC date of order_ts.
{{ config(scope='scope_orders', scope_keys=['order_id']) }}
-- depends_on: {{ ref('int_previous_orders') }}
select h.order_id, h.customer_id, c.customer_key, h.campaign_id,
       case when h.campaign_id is not null
            then warehouse.surrogate_key('campaign', h.campaign_id) end as campaign_key,
       h.order_ts, h.order_date, to_char(h.order_date, 'YYYYMMDD')::int as date_key,
       h.status, h.is_revenue, h.channel, h.currency, h.payment_method, h.shipping_amount,
       h.updated_at, coalesce(i.line_count, 0) as line_count, coalesce(i.units, 0) as units,
       coalesce(i.gross_amount, 0) as gross_amount,
       coalesce(i.discount_amount, 0) as discount_amount,
       coalesce(i.net_amount, 0) as net_amount, i.cost_amount, h.batch_id as source_batch_id
from {{ ref('int_order_headers') }} h
left join {{ ref('dim_customer') }} c
  on c.customer_id = h.customer_id
 and (c.version_number = 1 or c.valid_from <= h.order_ts)
 and (c.valid_to is null or h.order_ts < c.valid_to)
left join (
  select f.order_id, count(*)::int as line_count, sum(f.quantity)::int as units,
         sum(f.gross_amount) as gross_amount, sum(f.discount_amount) as discount_amount,
         sum(f.net_amount) as net_amount, sum(f.cost_amount) as cost_amount
  from {{ ref('fact_order_items') }} f
  join {{ ref('scope_orders') }} using (order_id)
  group by f.order_id
) i using (order_id)
