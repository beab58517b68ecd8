-- 亩均论英雄: enterprises' yearly figures in a park, and each park's evaluation scheme for a
-- year (weights, benchmarks, class rule, scope) as JSON.

CREATE TABLE performance_figures (
    enterprise_id    BIGINT NOT NULL REFERENCES enterprises (id),
    park_id          BIGINT NOT NULL REFERENCES parks (id),
    year             INTEGER NOT NULL,
    revenue_yuan     BIGINT NOT NULL CHECK (revenue_yuan >= 0),
    tax_yuan         BIGINT NOT NULL CHECK (tax_yuan >= 0),
    value_added_yuan BIGINT NOT NULL CHECK (value_added_yuan >= 0),
    energy_tce       REAL NOT NULL CHECK (energy_tce >= 0),
    emissions_t      REAL NOT NULL CHECK (emissions_t >= 0),
    electricity_kwh  REAL NOT NULL CHECK (electricity_kwh >= 0),
    rd_yuan          BIGINT NOT NULL CHECK (rd_yuan >= 0),
    staff            BIGINT NOT NULL CHECK (staff >= 0),
    recorded_at      TIMESTAMP NOT NULL,
    recorded_by      TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, park_id, year)
);
CREATE INDEX performance_figures_park_year ON performance_figures (park_id, year);

CREATE TABLE evaluation_schemes (
    park_id     BIGINT NOT NULL REFERENCES parks (id),
    year        INTEGER NOT NULL,
    scheme      TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (park_id, year)
);
