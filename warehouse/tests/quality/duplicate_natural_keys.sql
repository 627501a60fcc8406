-- Each natural key in scope has exactly one current dimension version and its versions
-- do not overlap; facts are unique by their primary keys already.
with customers as (
  select customer_id as k, count(*) filter (where is_current) as current_rows,
         bool_or(valid_to is not null and valid_from >= valid_to) as bad_range
  from {{ ref('dim_customer') }} join {{ ref('scope_customers') }} using (customer_id)
  group by customer_id
), products as (
  select product_id as k, count(*) filter (where is_current) as current_rows,
         bool_or(valid_to is not null and valid_from >= valid_to) as bad_range
  from {{ ref('dim_product') }} join {{ ref('scope_products') }} using (product_id)
  group by product_id
)
select k from (select * from customers union all select * from products) d
where current_rows <> 1 or bad_range
