-- dim_product: SCD Type 2, grain = one row per version of a product. The history of
-- every product in scope is replaced by its rebuild (int_product_versions; decision 0058).
{{ config(scope='scope_products', scope_keys=['product_id']) }}
-- depends_on: {{ ref('dim_changes') }}
select product_key, product_id, version_number, sku, name, category, subcategory, brand,
       unit_cost, list_price, rating, valid_from, valid_to, is_current, is_inferred,
       change_hash, source_batch_id, source_file, source_line
from {{ ref('int_product_versions') }}
join {{ ref('scope_products') }} using (product_id)
