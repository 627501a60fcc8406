-- fact_inventory_daily: grain = (snapshot_date, product_id, warehouse_id), latest
-- delivery (later batch, then later line). product_key = the product version in
-- effect at the start (00:00 UTC) of the snapshot date.
INSERT INTO _affected_dates SELECT DISTINCT snapshot_date FROM _scope_inventory
ON CONFLICT DO NOTHING;

DELETE FROM warehouse.fact_inventory_daily f USING _scope_inventory s
WHERE f.snapshot_date = s.snapshot_date AND f.product_id = s.product_id;

INSERT INTO warehouse.fact_inventory_daily (snapshot_date, product_id, warehouse_id, date_key,
  product_key, on_hand, reorder_point, is_stockout, below_reorder_point, source_batch_id)
SELECT i.snapshot_date, i.product_id, i.warehouse_id,
       to_char(i.snapshot_date, 'YYYYMMDD')::int, p.product_key, i.on_hand, i.reorder_point,
       i.on_hand = 0, coalesce(i.on_hand <= i.reorder_point, false), i.batch_id
FROM (
  SELECT DISTINCT ON (s.snapshot_date, s.product_id, s.warehouse_id) s.*
  FROM staging.inventory s
  JOIN _scope_inventory USING (snapshot_date, product_id)
  LEFT JOIN ops.batches b USING (batch_id)
  ORDER BY s.snapshot_date, s.product_id, s.warehouse_id, b.business_date DESC NULLS LAST,
           s.batch_id DESC, s.source_file DESC, s.line_number DESC
) i
LEFT JOIN warehouse.dim_product p
  ON p.product_id = i.product_id
 AND (p.version_number = 1 OR p.valid_from <= i.snapshot_date::timestamp AT TIME ZONE 'UTC')
 AND (p.valid_to IS NULL OR i.snapshot_date::timestamp AT TIME ZONE 'UTC' < p.valid_to);
