-- Enum columns of the build's scope hold only the contracts' values (var enums): order
-- status and channel, customer segment, event type (of the fact_events rows the build
-- wrote, read from int_session_events: no lookup that grows with the history). The same
-- tests over whole tables are the sources' accepted_values tests (models/sources/core.yml,
-- run by hand).
select 'fact_orders.status' as field, f.status as value
from {{ ref('scope_orders') }} s join {{ ref('fact_orders') }} f using (order_id)
where f.status not in {{ enum_values('order_status') }}
union all
select 'fact_orders.channel', f.channel
from {{ ref('scope_orders') }} s join {{ ref('fact_orders') }} f using (order_id)
where f.channel not in {{ enum_values('sales_channel') }}
union all
select 'dim_customer.segment', d.segment
from {{ ref('scope_customers') }} s join {{ ref('dim_customer') }} d using (customer_id)
where d.segment not in {{ enum_values('segment') }}
union all
select 'fact_events.event_type', e.event_type
from {{ ref('int_session_events') }} e
where e.rewrite and e.event_type not in {{ enum_values('event_type') }}
