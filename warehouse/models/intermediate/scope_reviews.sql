-- Reviews this build rebuilds: the batch's (every review on a full refresh), plus those
-- whose product or customer version in effect changed (dim_changes).
select review_id from {{ source('staging', 'reviews') }} where {{ in_build_batch() }}
union
select f.review_id
from {{ ref('dim_changes') }} c
join {{ previous_state('fact_reviews') }} f
  on f.product_id = c.natural_key and f.review_ts >= c.changed_from
where c.entity = 'product'
union
select f.review_id
from {{ ref('dim_changes') }} c
join {{ previous_state('fact_reviews') }} f
  on f.customer_id = c.natural_key and f.review_ts >= c.changed_from
where c.entity = 'customer'
