{#- `working`: a working table of one build in schema `build` (scopes, affected sets,
    versions). Created on first use, then emptied and refilled by every build, inside the
    build's one transaction (docs/decisions/0057): nothing else writes it. UNLOGGED: its
    rows live for one build, so writing them to the WAL would only cost time (a crash
    empties it, and the next build refills it anyway). A full refresh empties them all
    when it is done (shopflow/warehouse/build_ledger.py: empty_working_tables). -#}
{% materialization working, adapter='postgres' %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing = load_cached_relation(this) -%}
  {{ run_hooks(pre_hooks) }}
  {%- set columns = get_columns_in_query(sql) -%}
  {%- if existing is not none and columns != shopflow_table_columns(existing) -%}
    {#- The model's columns changed (a new version of the project): start over. -#}
    {% do adapter.drop_relation(existing) %}
    {%- set existing = none -%}
  {%- endif -%}
  {% call statement('main') -%}
    {% if existing is none -%}
      create unlogged table {{ target_relation }} as {{ sql }};
    {%- else -%}
      truncate {{ target_relation }};
      {{ shopflow_insert(target_relation, columns, sql) }};
    {%- endif %}
    analyze {{ target_relation }};
  {%- endcall %}
  {{ run_hooks(post_hooks) }}
  {% do adapter.commit() %}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
