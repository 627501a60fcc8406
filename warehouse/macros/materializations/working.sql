{#- `working`: a working table of one build in schema `build` (scopes, affected sets,
    versions). Every build drops it and creates it again from the model, inside the
    build's one transaction (docs/decisions/0057): nothing else reads or writes it, and a
    new table needs no check that its columns still match the model (that check and the
    TRUNCATE it replaced cost dbt two statements per model, about 20 ms of dbt's own time:
    decision 0089). UNLOGGED: its rows live for one build, so writing them to the WAL
    would only cost time (a crash empties it, and the next build refills it anyway). A
    full refresh empties them all when it is done (shopflow/warehouse/build_ledger.py:
    empty_working_tables). -#}
{% materialization working, adapter='postgres' %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {{ run_hooks(pre_hooks) }}
  {% call statement('main') -%}
    drop table if exists {{ target_relation }};
    create unlogged table {{ target_relation }} as {{ sql }};
    analyze {{ target_relation }};
  {%- endcall %}
  {{ run_hooks(post_hooks) }}
  {% do adapter.commit() %}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
