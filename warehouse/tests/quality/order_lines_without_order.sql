-- Order lines of the build's scope still waiting for their order header: a warning (they
-- are not revenue until the header arrives), never a failure.
{{ config(meta={'warn_above': 0, 'fail_above': none,
                'note': 'lines wait for their order header'}) }}
select f.order_id, f.line_number
from {{ ref('scope_orders') }} s
join {{ ref('fact_order_items') }} f using (order_id)
where f.order_ts is null
