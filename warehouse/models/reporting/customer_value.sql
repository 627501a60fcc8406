-- Lifetime value, BG/NBD inputs, RFM scores and churn risk per customer.
select customer_id, segment, country, total_revenue, orders, units, first_order_date,
       last_order_date, frequency, recency, t, days_since_last_order, as_of_date, r_score,
       f_score, m_score, rfm_segment, churn_score, churn_risk
from {{ source('marts', 'customer_ltv') }}
