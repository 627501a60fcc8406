-- marts.attribution_daily: grain = (order date, model, campaign_id): revenue and orders
-- of qualifying orders credited to campaigns, the sum of their credits per order
-- (fact_attribution, where the attribution rules are).
{{ config(alias='attribution_daily', scope='affected_dates', scope_on='t.order_date = s.d') }}
select a.order_date, a.model, a.campaign_id, sum(a.revenue) as revenue,
       sum(a.orders) as orders
from {{ ref('affected_dates') }} d
join {{ ref('fact_attribution') }} a on a.order_date = d.d
group by a.order_date, a.model, a.campaign_id
