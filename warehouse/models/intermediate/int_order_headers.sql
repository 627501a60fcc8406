-- The latest version of each order header in scope: latest updated_at; ties -> later
-- batch (business_date, batch_id), then the later line.
select distinct on (o.order_id) o.order_id, o.customer_id, o.order_ts,
       (o.order_ts at time zone 'UTC')::date as order_date, o.status,
       o.status not in ('cancelled', 'returned') as is_revenue, o.channel, o.campaign_id,
       o.currency, o.shipping_amount, o.payment_method, o.updated_at, o.batch_id
from {{ source('staging', 'orders') }} o
join {{ ref('scope_orders') }} using (order_id)
left join {{ source('ops', 'batches') }} b using (batch_id)
order by o.order_id, o.updated_at desc, b.business_date desc nulls last, o.batch_id desc,
         o.source_file desc, o.line_number desc
