{#- Helpers of the core build: the build's vars and the materializations' SQL. -#}

{#- Whether this build is a full refresh (var full_refresh; a hand-run `dbt build` without
    vars is one). -#}
{% macro shopflow_full_refresh() -%}
  {{ return(var('full_refresh', true) in (true, 'true', 'True', 1)) }}
{%- endmacro %}

{#- The full refresh flag as an SQL boolean literal. -#}
{% macro full_refresh_sql() -%}
  {{ 'true' if shopflow_full_refresh() else 'false' }}
{%- endmacro %}

{#- The batch this build is for, as an SQL text literal (NULL on a full refresh). -#}
{% macro build_batch_id() -%}
  {%- set batch_id = var('batch_id', none) -%}
  {%- if batch_id is none -%} null::text
  {%- else -%} '{{ batch_id | string | replace("'", "''") }}'::text
  {%- endif -%}
{%- endmacro %}

{#- Extra dates the build must recompute (BatchCompleted.dates), as an SQL date array. -#}
{% macro build_hint_dates() -%}
  {%- set dates = [] -%}
  {%- for d in var('hint_dates', []) -%}
    {%- do dates.append("'" ~ modules.datetime.date.fromisoformat(d | string).isoformat() ~ "'") -%}
  {%- endfor -%}
  array[{{ dates | join(', ') }}]::date[]
{%- endmacro %}

{#- The state a core table had BEFORE this build, for a model that must compare old and
    new (affected dates, dimension changes, sessions across batches). It returns the
    relation WITHOUT a DAG edge, so the reading model can run before the table is rebuilt;
    the table's model declares the order with `-- depends_on: {{ ref('<reader>') }}`.
    On a full refresh the previous state is empty, as every table is rebuilt whole. -#}
{% macro previous_state(model_name) -%}
  {%- if not execute -%}{{ return('(select 1) as previous_state_at_parse') }}{%- endif -%}
  {%- set node = graph.nodes['model.' ~ project_name ~ '.' ~ model_name] -%}
  {%- set relation = api.Relation.create(database=node.database, schema=node.schema,
                                         identifier=node.alias) -%}
  (select * from {{ relation }} where not {{ full_refresh_sql() }})
{%- endmacro %}

{#- INSERT of a model's rows by column name (the table's column order may differ). -#}
{% macro shopflow_insert(relation, columns, sql) -%}
  {%- set names = [] -%}
  {%- for column in columns -%}{%- do names.append(adapter.quote(column)) -%}{%- endfor -%}
  insert into {{ relation }} ({{ names | join(', ') }})
  select {{ names | join(', ') }} from (
    {{ sql }}
  ) as model_rows
{%- endmacro %}

{#- The staging rows of this build's batch (every row on a full refresh). Staging primary
    keys lead with batch_id, so a batch's lookup follows the batch, not the history. -#}
{% macro in_build_batch(alias=none) -%}
  ({{ full_refresh_sql() }} or {{ (alias ~ '.') if alias else '' }}batch_id = {{ build_batch_id() }})
{%- endmacro %}

{#- Session settings of the core build. Dates are UTC dates; JIT compiles for seconds on
    estimates of just-filled working tables; a day's clickstream (~0.6 M events, ~170 MB
    of rows) sorts in memory; a daily build touches a small, cached fraction of each
    table, so key lookups must win over scans that grow with the history (the default
    assumes disks), and analyzes its working tables from 3,000 sampled rows instead of
    30,000 (ANALYZE is all the statistics target changes). SET LOCAL lasts until the
    transaction ends: a build in one transaction (var one_transaction, the transformer)
    sets them once, in on-run-start (per_model=false); a build committed model by model
    sets them in every model's pre-hook (per_model=true). Decision 0089. -#}
{% macro core_session_settings(per_model) -%}
  {%- if per_model != (var('one_transaction', false) in (true, 'true', 'True', 1)) -%}
  set local timezone = 'UTC';
  set local jit = off;
  set local work_mem = '256MB'
  {%- if not shopflow_full_refresh() -%};
  set local random_page_cost = 1.1;
  set local default_statistics_target = 10
  {%- endif %}
  {%- endif %}
{%- endmacro %}

{#- The values of one of the contracts' enums (var enums) as an SQL list: ('a', 'b'). -#}
{% macro enum_values(name) -%}
  ({% for value in var('enums')[name] %}'{{ value }}'{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{#- A join that looks up each row of the scope by index: `lookup_join(relation, alias,
    condition)` in a FROM clause after the scope. A daily build's scope is a small part
    of a table that grows with the history; the planner may still prefer to read the
    whole table once (a hash join), which makes the build grow with the history. The
    LATERAL subquery with OFFSET 0 cannot be flattened, so each scope row is one index
    probe. A full refresh reads everything, where the plain join is the better plan.
    kind='left join' keeps scope rows without a match. -#}
{% macro lookup_join(relation, alias, condition, kind='join') -%}
  {%- if shopflow_full_refresh() -%}
  {{ kind }} {{ relation }} {{ alias }} on {{ condition }}
  {%- else -%}
  {{ kind }} lateral (select * from {{ relation }} {{ alias }} where {{ condition }}
                      offset 0) {{ alias }} on true
  {%- endif -%}
{%- endmacro %}

{#- One row per UTC date from the date of `lo` to the date of `hi` (timestamptz), as
    column `alias`.day: `cross join lateral` in a FROM clause. Tables looked up per date
    (fact_events, fact_sessions) lead their index with the date, so a day's inserts land
    in that day's part of it (decisions 0085, 0086). The PostgreSQL-specific part of
    those lookups: another adapter needs its own date series here. -#}
{% macro utc_days(lo, hi, alias) -%}
  cross join lateral (select days.ts::date as day
                      from generate_series((({{ lo }}) at time zone 'UTC')::date,
                                           (({{ hi }}) at time zone 'UTC')::date,
                                           interval '1 day') as days(ts)) {{ alias }}
{%- endmacro %}

{#- Looks each scope row up in `relation` once per UTC date from `lo` to `hi`, by index:
    `lookup_by_day(relation, alias, date_column, lo, hi, condition)` in a FROM clause after
    the scope, `condition` the rest of the match. The per-date tables (utc_days) lead their
    index with `date_column`. -#}
{% macro lookup_by_day(relation, alias, date_column, lo, hi, condition) -%}
  {%- set day = alias ~ '_day' -%}
  {{ utc_days(lo, hi, day) }}
  {{ lookup_join(relation, alias,
                 alias ~ '.' ~ date_column ~ ' = ' ~ day ~ '.day and ' ~ condition) }}
{%- endmacro %}
