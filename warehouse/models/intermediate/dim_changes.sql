-- Dimension keys whose version history changed in this build, and from which instant
-- the "version in effect" mapping differs ('-infinity' = for every fact). Compares the
-- dimensions before this build with the rebuilt histories (ignoring valid_to, which only
-- moves because a neighbour changed): facts from that instant are re-resolved.
{%- for entity, versions, scope in [('customer', 'int_customer_versions', 'scope_customers'),
                                     ('product', 'int_product_versions', 'scope_products')] %}
{%- set columns = entity ~ '_key, ' ~ entity ~ '_id, version_number, valid_from, change_hash, is_inferred' %}
{{ 'union all' if not loop.first }}
select '{{ entity }}'::text as entity, {{ entity }}_id as natural_key,
       min(case when version_number = 1 then '-infinity'::timestamptz
                else valid_from end) as changed_from
from (
  (select {{ columns }}
   from {{ previous_state('dim_' ~ entity) }} d join {{ ref(scope) }} using ({{ entity }}_id)
   except
   select {{ columns }} from {{ ref(versions) }})
  union all
  (select {{ columns }} from {{ ref(versions) }}
   except
   select {{ columns }}
   from {{ previous_state('dim_' ~ entity) }} d join {{ ref(scope) }} using ({{ entity }}_id))
) as changed
group by {{ entity }}_id
{%- endfor %}
