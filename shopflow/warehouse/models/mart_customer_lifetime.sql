-- marts.customer_lifetime: grain = one customer with at least one qualifying order
-- (latest status not cancelled/returned), over all time (SPEC 3):
-- total_revenue, orders, units, first/last order date, and the BG/NBD daily
-- figures frequency = distinct purchase days - 1, recency = last - first purchase
-- day. T (to the last date in the warehouse) is computed by the view
-- marts.customer_ltv, so a daily build does not rewrite every customer.
CREATE TEMP TABLE _first_orders_before ON COMMIT DROP AS
SELECT l.customer_id, l.first_order_date
FROM marts.customer_lifetime l JOIN _affected_customers USING (customer_id);

DELETE FROM marts.customer_lifetime l USING _affected_customers a
WHERE l.customer_id = a.customer_id;

INSERT INTO marts.customer_lifetime (customer_id, total_revenue, orders, units,
  first_order_date, last_order_date, purchase_days, frequency, recency)
SELECT f.customer_id, sum(f.net_amount), count(*), sum(f.units),
       min(f.order_date), max(f.order_date), count(DISTINCT f.order_date),
       count(DISTINCT f.order_date) - 1, max(f.order_date) - min(f.order_date)
FROM warehouse.fact_orders f
JOIN _affected_customers USING (customer_id)
WHERE f.is_revenue
GROUP BY f.customer_id;

-- A customer whose first qualifying order moved changes new_customers on the old
-- and the new date, and every cohort cell of theirs.
CREATE TEMP TABLE _cohort_movers ON COMMIT DROP AS
SELECT a.customer_id, b.first_order_date AS before_date, l.first_order_date AS after_date
FROM _affected_customers a
LEFT JOIN _first_orders_before b USING (customer_id)
LEFT JOIN marts.customer_lifetime l USING (customer_id)
WHERE b.first_order_date IS DISTINCT FROM l.first_order_date;

INSERT INTO _affected_dates
SELECT before_date FROM _cohort_movers WHERE before_date IS NOT NULL
UNION SELECT after_date FROM _cohort_movers WHERE after_date IS NOT NULL
ON CONFLICT DO NOTHING;

INSERT INTO _affected_months
SELECT DISTINCT date_trunc('month', f.order_date)::date
FROM _cohort_movers m
JOIN warehouse.fact_orders f ON f.customer_id = m.customer_id
WHERE date_trunc('month', m.before_date) IS DISTINCT FROM date_trunc('month', m.after_date)
ON CONFLICT DO NOTHING;
