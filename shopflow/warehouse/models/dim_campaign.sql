-- dim_campaign: Type 1 (latest record wins: later batch, then later line).
-- Grain: one row per campaign_id. A campaign referenced by an order before its
-- record arrives is an inferred member. The key depends on campaign_id only.
DELETE FROM warehouse.dim_campaign d USING _scope_campaigns k
WHERE d.campaign_id = k.campaign_id;

INSERT INTO warehouse.dim_campaign (campaign_key, campaign_id, name, channel, start_date,
  end_date, budget, discount_pct, is_inferred, source_batch_id, source_file, source_line)
SELECT DISTINCT ON (s.campaign_id)
       warehouse.surrogate_key('campaign', s.campaign_id), s.campaign_id, s.name, s.channel,
       s.start_date, s.end_date, s.budget, s.discount_pct, false, s.batch_id, s.source_file,
       s.line_number
FROM staging.campaigns s
JOIN _scope_campaigns USING (campaign_id)
LEFT JOIN ops.batches b USING (batch_id)
ORDER BY s.campaign_id, b.business_date DESC NULLS LAST, s.batch_id DESC,
         s.source_file DESC, s.line_number DESC;

INSERT INTO warehouse.dim_campaign (campaign_key, campaign_id, is_inferred)
SELECT warehouse.surrogate_key('campaign', k.campaign_id), k.campaign_id, true
FROM _scope_campaigns k
WHERE NOT EXISTS (SELECT 1 FROM warehouse.dim_campaign d WHERE d.campaign_id = k.campaign_id);
