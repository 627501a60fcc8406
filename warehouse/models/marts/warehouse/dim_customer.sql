-- dim_customer: SCD Type 2, grain = one row per version of a customer. The history of
-- every customer in scope is replaced by its rebuild (int_customer_versions: late and
-- out-of-order versions, inferred members; decision 0058).
{{ config(scope='scope_customers', scope_keys=['customer_id']) }}
-- depends_on: {{ ref('dim_changes') }}
select customer_key, customer_id, version_number, email, first_name, last_name, country,
       region, city, segment, signup_date, valid_from, valid_to, is_current, is_inferred,
       change_hash, source_batch_id, source_file, source_line
from {{ ref('int_customer_versions') }}
join {{ ref('scope_customers') }} using (customer_id)
