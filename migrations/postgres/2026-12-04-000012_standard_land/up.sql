-- 标准地 达产复核: the further indicators a contract may agree (亩均产值, 单位排放增加值, R&D
-- share), read at the review from the enterprise's yearly figures, and the contract's
-- shortfall penalty (percent of the land price for a 100 % shortfall).
ALTER TABLE land_supplies ADD COLUMN output_per_mu_wan DOUBLE PRECISION;
ALTER TABLE land_supplies ADD COLUMN value_added_per_emission_wan_per_t DOUBLE PRECISION;
ALTER TABLE land_supplies ADD COLUMN rd_share_pct DOUBLE PRECISION;
ALTER TABLE land_supplies ADD COLUMN shortfall_penalty_pct DOUBLE PRECISION;
