-- Dimension keys in the facts of the build's scope that name no dimension row.
select f.order_id from {{ ref('scope_orders') }} s
join {{ ref('fact_orders') }} f using (order_id)
where not exists (select 1 from {{ ref('dim_customer') }} d where d.customer_key = f.customer_key)
union all
select f.order_id from {{ ref('scope_orders') }} s
join {{ ref('fact_order_items') }} f using (order_id)
where not exists (select 1 from {{ ref('dim_product') }} d where d.product_key = f.product_key)
union all
select f.order_id from {{ ref('scope_orders') }} s
join {{ ref('fact_orders') }} f using (order_id)
where not exists (select 1 from {{ ref('dim_date') }} d where d.date_key = f.date_key)
