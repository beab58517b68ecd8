UPDATE performance_figures SET energy_tce = COALESCE(energy_tce, 0),
    emissions_t = COALESCE(emissions_t, 0), electricity_kwh = COALESCE(electricity_kwh, 0);
ALTER TABLE performance_figures ALTER COLUMN energy_tce SET NOT NULL;
ALTER TABLE performance_figures ALTER COLUMN emissions_t SET NOT NULL;
ALTER TABLE performance_figures ALTER COLUMN electricity_kwh SET NOT NULL;
