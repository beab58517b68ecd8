-- Investment projects (招商项目) with their stages, the investment units (招商单位) responsible
-- for them and their yearly plans, and applicants' applications for plots and workshop units.
-- Money is whole 元 (BIGINT); land demand is 亩.

CREATE TABLE investment_units (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('department', 'township')),
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL
);

-- A unit's yearly targets: fixed-asset investment to complete.
CREATE TABLE investment_plans (
    unit_id                   BIGINT NOT NULL REFERENCES investment_units (id),
    year                      INTEGER NOT NULL,
    fixed_asset_plan_yuan     BIGINT NOT NULL CHECK (fixed_asset_plan_yuan >= 0),
    PRIMARY KEY (unit_id, year)
);

CREATE TABLE projects (
    id                          INTEGER PRIMARY KEY,
    park_id                     BIGINT NOT NULL REFERENCES parks (id),
    name                        TEXT NOT NULL,
    enterprise_id               BIGINT REFERENCES enterprises (id),
    enterprise_name             TEXT NOT NULL,
    industry                    TEXT NOT NULL,
    signed_investment_yuan      BIGINT NOT NULL CHECK (signed_investment_yuan >= 0),
    fixed_asset_investment_yuan BIGINT NOT NULL CHECK (fixed_asset_investment_yuan >= 0),
    land_demand_mu              REAL NOT NULL CHECK (land_demand_mu >= 0),
    responsible_unit_id         BIGINT NOT NULL REFERENCES investment_units (id),
    -- 飞地: a township brought the project into the park and keeps the credit.
    enclave                     BOOLEAN NOT NULL DEFAULT FALSE,
    stage                       TEXT NOT NULL,
    stage_date                  DATE NOT NULL,
    version                     BIGINT NOT NULL DEFAULT 1,
    created_at                  TIMESTAMP NOT NULL,
    created_by                  TEXT NOT NULL,
    updated_at                  TIMESTAMP NOT NULL,
    updated_by                  TEXT NOT NULL
);
CREATE INDEX projects_park ON projects (park_id);
CREATE INDEX projects_unit ON projects (responsible_unit_id);

CREATE TABLE project_stages (
    id          INTEGER PRIMARY KEY,
    project_id  BIGINT NOT NULL REFERENCES projects (id),
    stage       TEXT NOT NULL CHECK (stage IN ('negotiating', 'signed', 'landed', 'started', 'completed',
                    'producing', 'at_capacity', 'terminated')),
    stage_date  DATE NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    backwards   BOOLEAN NOT NULL DEFAULT FALSE,
    recorded_at TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX project_stages_project ON project_stages (project_id, stage_date);

-- The parcels and workshop units a project uses.
CREATE TABLE project_links (
    id         INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    parcel_id  BIGINT REFERENCES parcels (id),
    unit_id    BIGINT REFERENCES workshop_units (id),
    CHECK ((parcel_id IS NULL) <> (unit_id IS NULL))
);
CREATE INDEX project_links_project ON project_links (project_id);

-- Fixed-asset investment completed to date, as reported (月报).
CREATE TABLE project_investment (
    id             INTEGER PRIMARY KEY,
    project_id     BIGINT NOT NULL REFERENCES projects (id),
    report_date    DATE NOT NULL,
    completed_yuan BIGINT NOT NULL CHECK (completed_yuan >= 0),
    recorded_at    TIMESTAMP NOT NULL,
    recorded_by    TEXT NOT NULL
);
CREATE INDEX project_investment_project ON project_investment (project_id, report_date);

CREATE TABLE applications (
    id                          INTEGER PRIMARY KEY,
    applicant_id                BIGINT NOT NULL REFERENCES users (id),
    park_id                     BIGINT NOT NULL REFERENCES parks (id),
    parcel_id                   BIGINT REFERENCES parcels (id),
    unit_id                     BIGINT REFERENCES workshop_units (id),
    project_name                TEXT NOT NULL,
    enterprise_name             TEXT NOT NULL,
    uscc                        TEXT,
    industry                    TEXT NOT NULL,
    fixed_asset_investment_yuan BIGINT NOT NULL,
    land_demand_mu              REAL,
    plan                        TEXT,
    entry_check                 TEXT NOT NULL,
    status                      TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'rejected', 'withdrawn')),
    submitted_at                TIMESTAMP NOT NULL,
    decided_at                  TIMESTAMP,
    decided_by                  TEXT,
    decision_reason             TEXT NOT NULL DEFAULT '',
    version                     BIGINT NOT NULL DEFAULT 1,
    CHECK ((parcel_id IS NULL) <> (unit_id IS NULL))
);
CREATE INDEX applications_applicant ON applications (applicant_id);
CREATE INDEX applications_park ON applications (park_id);
-- One accepted application per plot and per unit.
CREATE UNIQUE INDEX applications_one_per_plot ON applications (parcel_id) WHERE status = 'accepted';
CREATE UNIQUE INDEX applications_one_per_unit ON applications (unit_id) WHERE status = 'accepted';
