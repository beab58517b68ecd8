-- Land supply and the idle-land clock: enterprises, supply records (供地), the dated facts of
-- development, idle-land cases and their steps; and the land approval of each parcel.
-- Money is whole 元 (BIGINT), dates are calendar dates, timestamps UTC.

ALTER TABLE parcels ADD COLUMN approval_no TEXT NOT NULL DEFAULT '';
ALTER TABLE parcels ADD COLUMN approved_on DATE;

CREATE TABLE enterprises (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    uscc        TEXT NOT NULL UNIQUE,
    industry    TEXT,
    above_scale BOOLEAN NOT NULL DEFAULT FALSE,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    updated_by  TEXT NOT NULL
);

CREATE TABLE land_supplies (
    id                                 INTEGER PRIMARY KEY,
    parcel_id                          BIGINT NOT NULL REFERENCES parcels (id),
    park_id                            BIGINT NOT NULL REFERENCES parks (id),
    enterprise_id                      BIGINT NOT NULL REFERENCES enterprises (id),
    method                             TEXT NOT NULL CHECK (method IN ('transfer_tender', 'transfer_auction',
                                           'transfer_listing', 'transfer_agreement', 'allocation', 'lease',
                                           'lease_then_transfer', 'flexible_term')),
    contract_no                        TEXT NOT NULL,
    contract_date                      DATE NOT NULL,
    land_price_yuan                    BIGINT NOT NULL CHECK (land_price_yuan >= 0),
    term_years                         INTEGER,
    land_area_m2                       REAL NOT NULL,
    agreed_start                       DATE NOT NULL,
    agreed_completion                  DATE NOT NULL,
    agreed_production                  DATE,
    total_investment_yuan              BIGINT,
    intensity_wan_per_mu               REAL,
    far                                REAL,
    tax_per_mu_wan                     REAL,
    value_added_per_energy_wan_per_tce REAL,
    ended_on                           DATE,
    ended_reason                       TEXT,
    version                            BIGINT NOT NULL DEFAULT 1,
    created_at                         TIMESTAMP NOT NULL,
    created_by                         TEXT NOT NULL,
    updated_at                         TIMESTAMP NOT NULL,
    updated_by                         TEXT NOT NULL,
    CHECK (agreed_start >= contract_date AND agreed_completion > agreed_start)
);
-- A parcel is supplied to one user at a time.
CREATE UNIQUE INDEX land_supplies_one_in_force ON land_supplies (parcel_id) WHERE ended_on IS NULL;
CREATE INDEX land_supplies_park ON land_supplies (park_id);
CREATE INDEX land_supplies_enterprise ON land_supplies (enterprise_id);

CREATE TABLE supply_facts (
    id                       INTEGER PRIMARY KEY,
    supply_id                BIGINT NOT NULL REFERENCES land_supplies (id),
    kind                     TEXT NOT NULL CHECK (kind IN ('construction_permit', 'start', 'progress', 'stoppage',
                                 'resumption', 'extension', 'attribution', 'completion', 'production',
                                 'capacity_review')),
    fact_date                DATE NOT NULL,
    note                     TEXT NOT NULL DEFAULT '',
    permit_no                TEXT,
    evidence                 TEXT,
    developed_area_m2        REAL,
    investment_yuan          BIGINT,
    cause                    TEXT,
    new_start                DATE,
    built_floor_area_m2      REAL,
    building_coefficient_pct REAL,
    measured_intensity_wan_per_mu               REAL,
    measured_far                                REAL,
    measured_tax_per_mu_wan                     REAL,
    measured_value_added_per_energy_wan_per_tce REAL,
    recorded_at              TIMESTAMP NOT NULL,
    recorded_by              TEXT NOT NULL
);
CREATE INDEX supply_facts_supply ON supply_facts (supply_id, fact_date);

CREATE TABLE idle_cases (
    id         INTEGER PRIMARY KEY,
    supply_id  BIGINT NOT NULL REFERENCES land_supplies (id),
    parcel_id  BIGINT NOT NULL REFERENCES parcels (id),
    park_id    BIGINT NOT NULL REFERENCES parks (id),
    opened_on  DATE NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    closed_on  DATE,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL
);
-- One open case per supply.
CREATE UNIQUE INDEX idle_cases_one_open ON idle_cases (supply_id) WHERE closed_on IS NULL;
CREATE INDEX idle_cases_park ON idle_cases (park_id);

CREATE TABLE idle_case_steps (
    id          INTEGER PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES idle_cases (id),
    kind        TEXT NOT NULL CHECK (kind IN ('investigation_notice', 'holder_response', 'finding', 'publication',
                    'decision', 'payment', 'hand_back', 'dismissal')),
    step_date   DATE NOT NULL,
    document_no TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    decision    TEXT CHECK (decision IN ('fee', 'recovery', 'disposal')),
    amount_yuan BIGINT,
    recorded_at TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL,
    -- Each step happens once per case: two concurrent requests cannot both record it.
    UNIQUE (case_id, kind)
);
