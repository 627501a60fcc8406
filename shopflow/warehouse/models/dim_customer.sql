-- dim_customer: SCD Type 2. Grain: one row per version of a customer.
-- For each customer in scope the whole history is rebuilt from staging:
--   * versions are ordered by updated_at, never by arrival, so a late or
--     out-of-order record lands in its place in the history;
--   * several records with the same updated_at: the later batch
--     (ops.batches.business_date, then batch_id), then the later line wins;
--   * a record whose attributes equal the previous version's (same change_hash)
--     is a re-delivery and opens no version;
--   * valid_from = updated_at, valid_to = the next version's valid_from (half-open),
--     NULL for the current version.
-- A customer referenced by orders/reviews but not delivered yet is an inferred
-- member (is_inferred, attributes NULL). The first version's surrogate key does not
-- depend on its start, so completing an inferred member keeps its key.
CREATE TEMP TABLE _customer_versions ON COMMIT DROP AS
WITH source AS (
  SELECT s.*, b.business_date,
         md5(row(s.email, s.first_name, s.last_name, s.country, s.region, s.city,
                 s.segment, s.signup_date)::text) AS change_hash
  FROM staging.customers s
  JOIN _scope_customers USING (customer_id)
  LEFT JOIN ops.batches b USING (batch_id)
), one_per_instant AS (
  SELECT DISTINCT ON (customer_id, updated_at) *
  FROM source
  ORDER BY customer_id, updated_at, business_date DESC NULLS LAST, batch_id DESC,
           source_file DESC, line_number DESC
), changes AS (
  SELECT *, lag(change_hash) OVER (PARTITION BY customer_id ORDER BY updated_at) AS prior_hash
  FROM one_per_instant
), versions AS (
  SELECT *, row_number() OVER w AS version_number, lead(updated_at) OVER w AS next_from
  FROM changes
  WHERE prior_hash IS DISTINCT FROM change_hash
  WINDOW w AS (PARTITION BY customer_id ORDER BY updated_at)
)
SELECT warehouse.surrogate_key('customer', customer_id,
         CASE WHEN version_number = 1 THEN 'first'
              ELSE extract(epoch FROM updated_at)::text END) AS customer_key,
       customer_id, version_number::int AS version_number, email, first_name, last_name,
       country, region, city, segment, signup_date, updated_at AS valid_from,
       next_from AS valid_to, next_from IS NULL AS is_current, false AS is_inferred,
       change_hash, batch_id AS source_batch_id, source_file, line_number AS source_line
FROM versions;

INSERT INTO _customer_versions (customer_key, customer_id, version_number, is_current,
                                is_inferred)
SELECT warehouse.surrogate_key('customer', k.customer_id, 'first'), k.customer_id, 1, true, true
FROM _scope_customers k
WHERE NOT EXISTS (SELECT 1 FROM _customer_versions v WHERE v.customer_id = k.customer_id);

-- Where the version in effect at some instant changed (ignoring valid_to, which
-- only moves because a neighbour changed): facts from that instant are re-resolved.
INSERT INTO _dim_changes (entity, natural_key, changed_from)
SELECT 'customer', customer_id,
       min(CASE WHEN version_number = 1 THEN '-infinity'::timestamptz ELSE valid_from END)
FROM (
  (SELECT customer_key, customer_id, version_number, valid_from, change_hash, is_inferred
   FROM warehouse.dim_customer JOIN _scope_customers USING (customer_id)
   EXCEPT
   SELECT customer_key, customer_id, version_number, valid_from, change_hash, is_inferred
   FROM _customer_versions)
  UNION ALL
  (SELECT customer_key, customer_id, version_number, valid_from, change_hash, is_inferred
   FROM _customer_versions
   EXCEPT
   SELECT customer_key, customer_id, version_number, valid_from, change_hash, is_inferred
   FROM warehouse.dim_customer JOIN _scope_customers USING (customer_id))
) AS changed
GROUP BY customer_id;

DELETE FROM warehouse.dim_customer d USING _scope_customers k
WHERE d.customer_id = k.customer_id;

INSERT INTO warehouse.dim_customer (customer_key, customer_id, version_number, email,
  first_name, last_name, country, region, city, segment, signup_date, valid_from, valid_to,
  is_current, is_inferred, change_hash, source_batch_id, source_file, source_line)
SELECT customer_key, customer_id, version_number, email, first_name, last_name, country,
       region, city, segment, signup_date, valid_from, valid_to, is_current, is_inferred,
       change_hash, source_batch_id, source_file, source_line
FROM _customer_versions;
