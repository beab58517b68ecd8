UPDATE performance_figures SET energy_tce = COALESCE(energy_tce, 0),
    emissions_t = COALESCE(emissions_t, 0), electricity_kwh = COALESCE(electricity_kwh, 0);
