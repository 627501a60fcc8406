-- fact_attribution: grain = (order_id, model, campaign_id): the revenue and orders each
-- attribution model credits to a campaign for one revenue order (decision 0036). Touches
-- of an order:
--   * every session of the order's customer with a campaign (fact_sessions.utm_campaign,
--     from its first event carrying utm fields) that started at or before order_ts and
--     less than 30 days before it (sessions of anonymous visitors do not count);
--   * the order's own campaign_id, as a touch at order_ts (after the sessions).
-- first_touch / last_touch credit the whole order to the earliest / latest touch; linear
-- splits it evenly over all touches: each gets revenue truncated to the cent and the last
-- touch the remaining cents (credits sum to the revenue exactly), and 1/n order rounded to
-- 6 places. An order without touches goes to '(none)'. Kept per order so that a build
-- recomputes only the orders whose credits can change (attribution_orders, decision 0082).
{{ config(scope='attribution_orders', scope_keys=['order_id'], delete_by_index=true) }}
with orders as (
  select f.order_id, f.customer_id, f.order_ts, f.order_date, f.net_amount, f.campaign_id
  from {{ ref('attribution_orders') }} a
  {{ lookup_join(ref('fact_orders'), 'f', 'f.order_id = a.order_id') }}
  where f.is_revenue
), touches as (
  select o.order_id, s.session_start as touch_ts, 0 as source_rank, s.session_id as ref,
         s.utm_campaign as campaign_id
  from orders o
  -- only columns of the touch index (an index-only scan)
  {{ lookup_join('(select customer_id, session_start, session_id, utm_campaign from '
                 ~ ref('fact_sessions') ~ ')', 's',
                 's.customer_id = o.customer_id and s.utm_campaign is not null'
                 ' and s.session_start <= o.order_ts'
                 " and s.session_start > o.order_ts - interval '30 days'") }}
  union all
  select order_id, order_ts, 1, 0, campaign_id from orders where campaign_id is not null
), ranked as (
  select t.order_id, t.campaign_id,
         row_number() over (partition by t.order_id
                            order by t.touch_ts, t.source_rank, t.ref) as position,
         count(*) over (partition by t.order_id) as touches
  from touches t
), credits as (
  select o.order_id, o.order_date, 'first_touch' as model,
         coalesce(r.campaign_id, '(none)') as campaign_id, o.net_amount as revenue,
         1::numeric as orders
  from orders o left join ranked r on r.order_id = o.order_id and r.position = 1
  union all
  select o.order_id, o.order_date, 'last_touch', coalesce(r.campaign_id, '(none)'),
         o.net_amount, 1
  from orders o left join ranked r on r.order_id = o.order_id and r.position = r.touches
  union all
  select o.order_id, o.order_date, 'linear', coalesce(r.campaign_id, '(none)'),
         case when r.order_id is null then o.net_amount
              when r.position < r.touches then trunc(o.net_amount / r.touches, 2)
              else o.net_amount - trunc(o.net_amount / r.touches, 2) * (r.touches - 1) end,
         case when r.order_id is null then 1 else round(1::numeric / r.touches, 6) end
  from orders o left join ranked r on r.order_id = o.order_id
)
select order_id, model, campaign_id, order_date, sum(revenue) as revenue,
       sum(orders) as orders
from credits
group by order_id, model, campaign_id, order_date
