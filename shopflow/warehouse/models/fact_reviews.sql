-- fact_reviews: grain = one review (review_id), latest delivery (later batch, then
-- later line); product and customer versions in effect at review_ts.
DELETE FROM warehouse.fact_reviews f USING _scope_reviews s WHERE f.review_id = s.review_id;

INSERT INTO warehouse.fact_reviews (review_id, order_id, product_id, product_key, customer_id,
  customer_key, rating, review_ts, review_date, date_key, title, body, source_batch_id)
SELECT r.review_id, r.order_id, r.product_id, p.product_key, r.customer_id, c.customer_key,
       r.rating, r.review_ts, (r.review_ts AT TIME ZONE 'UTC')::date,
       to_char((r.review_ts AT TIME ZONE 'UTC')::date, 'YYYYMMDD')::int,
       r.title, r.body, r.batch_id
FROM (
  SELECT DISTINCT ON (s.review_id) s.*
  FROM staging.reviews s
  JOIN _scope_reviews USING (review_id)
  LEFT JOIN ops.batches b USING (batch_id)
  ORDER BY s.review_id, b.business_date DESC NULLS LAST, s.batch_id DESC, s.source_file DESC,
           s.line_number DESC
) r
LEFT JOIN warehouse.dim_product p
  ON p.product_id = r.product_id
 AND (p.version_number = 1 OR p.valid_from <= r.review_ts)
 AND (p.valid_to IS NULL OR r.review_ts < p.valid_to)
LEFT JOIN warehouse.dim_customer c
  ON c.customer_id = r.customer_id
 AND (c.version_number = 1 OR c.valid_from <= r.review_ts)
 AND (c.valid_to IS NULL OR r.review_ts < c.valid_to);
