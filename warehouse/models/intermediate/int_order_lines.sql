-- The latest version of each order line in scope. Lines have no updated_at: the later
-- batch, then the later source line wins; exact duplicates therefore count once.
select distinct on (i.order_id, i.line_number) i.order_id, i.line_number, i.product_id,
       i.quantity, i.unit_price, i.discount_amount, i.batch_id
from {{ source('staging', 'order_items') }} i
join {{ ref('scope_orders') }} using (order_id)
left join {{ source('ops', 'batches') }} b using (batch_id)
order by i.order_id, i.line_number, b.business_date desc nulls last, i.batch_id desc,
         i.source_file desc, i.source_line desc
