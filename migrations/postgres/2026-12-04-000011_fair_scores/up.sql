-- 亩均: a figure not reported is not a zero. Energy, emissions and electricity become
-- nullable; a stored 0 was read as "not reported" until now, so it becomes NULL and keeps
-- its meaning.
ALTER TABLE performance_figures ALTER COLUMN energy_tce DROP NOT NULL;
ALTER TABLE performance_figures ALTER COLUMN emissions_t DROP NOT NULL;
ALTER TABLE performance_figures ALTER COLUMN electricity_kwh DROP NOT NULL;
UPDATE performance_figures SET energy_tce = NULLIF(energy_tce, 0),
    emissions_t = NULLIF(emissions_t, 0), electricity_kwh = NULLIF(electricity_kwh, 0);
