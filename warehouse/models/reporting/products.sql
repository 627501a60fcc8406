-- Product versions (SCD2) with category, brand and prices at each version.
select product_key, product_id, version_number, sku, name as product_name, category,
       subcategory, brand, unit_cost, list_price, rating, valid_from, valid_to, is_current,
       is_inferred
from {{ source('warehouse', 'dim_product') }}
