-- 亩均: a figure not reported is not a zero. Energy, emissions and electricity become
-- nullable; a stored 0 was read as "not reported" until now, so it becomes NULL and keeps
-- its meaning. SQLite cannot drop NOT NULL in place: the table is rebuilt (nothing refers to
-- it).
CREATE TABLE performance_figures_new (
    enterprise_id    BIGINT NOT NULL REFERENCES enterprises (id),
    park_id          BIGINT NOT NULL REFERENCES parks (id),
    year             INTEGER NOT NULL,
    revenue_yuan     BIGINT NOT NULL CHECK (revenue_yuan >= 0),
    tax_yuan         BIGINT NOT NULL CHECK (tax_yuan >= 0),
    value_added_yuan BIGINT NOT NULL CHECK (value_added_yuan >= 0),
    energy_tce       REAL CHECK (energy_tce >= 0),
    emissions_t      REAL CHECK (emissions_t >= 0),
    electricity_kwh  REAL CHECK (electricity_kwh >= 0),
    rd_yuan          BIGINT NOT NULL CHECK (rd_yuan >= 0),
    staff            BIGINT NOT NULL CHECK (staff >= 0),
    recorded_at      TIMESTAMP NOT NULL,
    recorded_by      TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, park_id, year)
);
INSERT INTO performance_figures_new
    SELECT enterprise_id, park_id, year, revenue_yuan, tax_yuan, value_added_yuan,
           NULLIF(energy_tce, 0), NULLIF(emissions_t, 0), NULLIF(electricity_kwh, 0),
           rd_yuan, staff, recorded_at, recorded_by
    FROM performance_figures;
DROP TABLE performance_figures;
ALTER TABLE performance_figures_new RENAME TO performance_figures;
CREATE INDEX performance_figures_park_year ON performance_figures (park_id, year);
