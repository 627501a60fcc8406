{#- A model's `schema` config is the schema it lands in, as written (reporting, custom),
    not dbt's default "<target schema>_<custom schema>": BI tools and grants name them. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
  {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
