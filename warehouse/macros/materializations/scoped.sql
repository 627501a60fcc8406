{#- `scoped`: a core table (dimension, fact, mart) rebuilt inside the build's scope.
    The rows of the target inside the scope are deleted and the model's rows inserted;
    the model must return exactly the rows of that scope (docs/warehouse.md).
      scope      = the name of the working model holding the scope (a ref of the model)
      scope_keys = columns equal in the target and the scope (t.k = s.k), or
      scope_on   = any condition over t (the target) and s (the scope)
      delete_by_index = true: the delete looks each scope row up in the target's index
                   (hash and merge joins off for that statement), so its cost follows
                   the scope, not the table; only for a target with an index on the
                   scope condition (a large fact table).
    A full refresh empties the table instead (TRUNCATE is transactional in PostgreSQL).
    A table that does not exist yet is created from the model, so a new mart is one SQL
    file plus its yml entry. -#}
{% materialization scoped, adapter='postgres' %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing = load_cached_relation(this) -%}
  {{ run_hooks(pre_hooks) }}
  {% call statement('main') -%}
    {% if existing is none -%}
      create table {{ target_relation }} as {{ sql }}
    {%- else -%}
      {%- set columns = get_columns_in_query(sql) -%}
      {% if shopflow_full_refresh() -%}
        truncate {{ target_relation }};
      {%- else -%}
        {%- set by_index = config.get('delete_by_index', false) -%}
        {% if by_index %}set local enable_hashjoin = off; set local enable_mergejoin = off;{% endif %}
        delete from {{ target_relation }} as t using {{ ref(config.require('scope')) }} as s
        where {{ shopflow_scope_condition() }};
        {% if by_index %}set local enable_hashjoin = on; set local enable_mergejoin = on;{% endif %}
      {%- endif %}
      {{ shopflow_insert(target_relation, columns, sql) }}
    {%- endif %}
  {%- endcall %}
  {{ run_hooks(post_hooks) }}
  {% do adapter.commit() %}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{% macro shopflow_scope_condition() -%}
  {%- set condition = config.get('scope_on') -%}
  {%- if condition is none -%}
    {%- set pairs = [] -%}
    {%- for key in config.require('scope_keys') -%}
      {%- do pairs.append('t.' ~ adapter.quote(key) ~ ' = s.' ~ adapter.quote(key)) -%}
    {%- endfor -%}
    {%- set condition = pairs | join(' and ') -%}
  {%- endif -%}
  {{ condition }}
{%- endmacro %}
