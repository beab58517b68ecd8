ALTER TABLE land_supplies DROP COLUMN shortfall_penalty_pct;
ALTER TABLE land_supplies DROP COLUMN rd_share_pct;
ALTER TABLE land_supplies DROP COLUMN value_added_per_emission_wan_per_t;
ALTER TABLE land_supplies DROP COLUMN output_per_mu_wan;
