-- Product reviews: ratings only (the texts: reporting_personal.review_texts).
select review_id, order_id, product_id, product_key, customer_id, rating, review_ts,
       review_date
from {{ source('warehouse', 'fact_reviews') }}
