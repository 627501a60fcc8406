-- marts.cohort_activity: grain = (cohort_month, activity_month). cohort_month = month
-- of the customer's first qualifying order; customers = distinct customers of the
-- cohort with a qualifying order in activity_month (month 0 = the cohort size).
-- The view marts.cohort_retention adds cohort size and retention rate.
-- A build recomputes the activity months it touched (at most a month of data each).
INSERT INTO _affected_months SELECT DISTINCT date_trunc('month', d)::date FROM _affected_dates
ON CONFLICT DO NOTHING;

DELETE FROM marts.cohort_activity m USING _affected_months a WHERE m.activity_month = a.m;

INSERT INTO marts.cohort_activity (cohort_month, activity_month, months_since_first,
  customers, orders, revenue)
SELECT date_trunc('month', l.first_order_date)::date AS cohort_month, a.m,
       ((extract(year FROM a.m) - extract(year FROM l.first_order_date)) * 12
         + extract(month FROM a.m) - extract(month FROM l.first_order_date))::int,
       count(DISTINCT s.customer_id), sum(s.orders), sum(s.revenue)
FROM _affected_months a
JOIN marts.customer_daily_sales s
  ON s.sales_date >= a.m AND s.sales_date < (a.m + interval '1 month')::date
JOIN marts.customer_lifetime l USING (customer_id)
GROUP BY 1, 2, 3;
