-- dim_product: SCD Type 2. Grain: one row per version of a product.
-- For each product in scope the whole history is rebuilt from staging:
--   * versions are ordered by updated_at, never by arrival, so a late or
--     out-of-order record lands in its place in the history;
--   * several records with the same updated_at: the later batch
--     (ops.batches.business_date, then batch_id), then the later line wins;
--   * a record whose attributes equal the previous version's (same change_hash)
--     is a re-delivery and opens no version;
--   * valid_from = updated_at, valid_to = the next version's valid_from (half-open),
--     NULL for the current version.
-- A product referenced by order lines, inventory or reviews but not delivered yet
-- is an inferred member (is_inferred, attributes NULL). The first version's surrogate key does not
-- depend on its start, so completing an inferred member keeps its key.
CREATE TEMP TABLE _product_versions ON COMMIT DROP AS
WITH source AS (
  SELECT s.*, b.business_date,
         md5(row(s.sku, s.name, s.category, s.subcategory, s.brand,
                 trim_scale(s.unit_cost), trim_scale(s.list_price),
                 trim_scale(s.rating))::text) AS change_hash
  FROM staging.products s
  JOIN _scope_products USING (product_id)
  LEFT JOIN ops.batches b USING (batch_id)
), one_per_instant AS (
  SELECT DISTINCT ON (product_id, updated_at) *
  FROM source
  ORDER BY product_id, updated_at, business_date DESC NULLS LAST, batch_id DESC,
           source_file DESC, line_number DESC
), changes AS (
  SELECT *, lag(change_hash) OVER (PARTITION BY product_id ORDER BY updated_at) AS prior_hash
  FROM one_per_instant
), versions AS (
  SELECT *, row_number() OVER w AS version_number, lead(updated_at) OVER w AS next_from
  FROM changes
  WHERE prior_hash IS DISTINCT FROM change_hash
  WINDOW w AS (PARTITION BY product_id ORDER BY updated_at)
)
SELECT warehouse.surrogate_key('product', product_id,
         CASE WHEN version_number = 1 THEN 'first'
              ELSE extract(epoch FROM updated_at)::text END) AS product_key,
       product_id, version_number::int AS version_number, sku, name, category,
       subcategory, brand, unit_cost, list_price, rating, updated_at AS valid_from,
       next_from AS valid_to, next_from IS NULL AS is_current, false AS is_inferred,
       change_hash, batch_id AS source_batch_id, source_file, line_number AS source_line
FROM versions;

INSERT INTO _product_versions (product_key, product_id, version_number, is_current,
                                is_inferred)
SELECT warehouse.surrogate_key('product', k.product_id, 'first'), k.product_id, 1, true, true
FROM _scope_products k
WHERE NOT EXISTS (SELECT 1 FROM _product_versions v WHERE v.product_id = k.product_id);

-- Where the version in effect at some instant changed (ignoring valid_to, which
-- only moves because a neighbour changed): facts from that instant are re-resolved.
INSERT INTO _dim_changes (entity, natural_key, changed_from)
SELECT 'product', product_id,
       min(CASE WHEN version_number = 1 THEN '-infinity'::timestamptz ELSE valid_from END)
FROM (
  (SELECT product_key, product_id, version_number, valid_from, change_hash, is_inferred
   FROM warehouse.dim_product JOIN _scope_products USING (product_id)
   EXCEPT
   SELECT product_key, product_id, version_number, valid_from, change_hash, is_inferred
   FROM _product_versions)
  UNION ALL
  (SELECT product_key, product_id, version_number, valid_from, change_hash, is_inferred
   FROM _product_versions
   EXCEPT
   SELECT product_key, product_id, version_number, valid_from, change_hash, is_inferred
   FROM warehouse.dim_product JOIN _scope_products USING (product_id))
) AS changed
GROUP BY product_id;

DELETE FROM warehouse.dim_product d USING _scope_products k
WHERE d.product_id = k.product_id;

INSERT INTO warehouse.dim_product (product_key, product_id, version_number, sku, name,
  category, subcategory, brand, unit_cost, list_price, rating, valid_from, valid_to,
  is_current, is_inferred, change_hash, source_batch_id, source_file, source_line)
SELECT product_key, product_id, version_number, sku, name, category, subcategory, brand,
       unit_cost, list_price, rating, valid_from, valid_to, is_current, is_inferred,
       change_hash, source_batch_id, source_file, source_line
FROM _product_versions;
