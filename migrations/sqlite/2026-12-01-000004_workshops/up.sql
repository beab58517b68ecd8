-- Standard workshops (标准化厂房): buildings on parcels with their construction plan (six
-- milestones, planned and actual), progress reports, units and leases. Rents are whole fen
-- (分) per m² per month; dates are calendar dates.

CREATE TABLE workshops (
    id                  INTEGER PRIMARY KEY,
    park_id             BIGINT NOT NULL REFERENCES parks (id),
    parcel_id           BIGINT NOT NULL REFERENCES parcels (id),
    zone_id             BIGINT REFERENCES zones (id),
    name                TEXT NOT NULL,
    footprint           BLOB NOT NULL,
    footprint_area_m2   REAL NOT NULL,
    min_x               REAL NOT NULL,
    min_y               REAL NOT NULL,
    max_x               REAL NOT NULL,
    max_y               REAL NOT NULL,
    storeys             INTEGER NOT NULL CHECK (storeys BETWEEN 1 AND 30),
    storey_heights_m    TEXT NOT NULL,
    floor_area_m2       REAL NOT NULL CHECK (floor_area_m2 > 0),
    floor_load_kn_m2    REAL NOT NULL,
    structure           TEXT NOT NULL CHECK (structure IN ('steel', 'concrete_frame', 'steel_concrete', 'other')),
    owner_name          TEXT,
    owner_enterprise_id BIGINT REFERENCES enterprises (id),
    responsible_unit    TEXT NOT NULL,
    responsible_person  TEXT NOT NULL DEFAULT '',
    deadline            DATE NOT NULL,
    deadline_milestone  TEXT NOT NULL,
    version             BIGINT NOT NULL DEFAULT 1,
    created_at          TIMESTAMP NOT NULL,
    created_by          TEXT NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    updated_by          TEXT NOT NULL,
    -- Owned by the park's platform company (its name) or by an enterprise.
    CHECK ((owner_name IS NULL) <> (owner_enterprise_id IS NULL))
);
CREATE INDEX workshops_park ON workshops (park_id);
CREATE INDEX workshops_parcel ON workshops (parcel_id);

-- The construction plan: each milestone's planned and actual date.
CREATE TABLE workshop_milestones (
    workshop_id BIGINT NOT NULL REFERENCES workshops (id),
    milestone   TEXT NOT NULL CHECK (milestone IN ('approval', 'start', 'topping_out', 'completion', 'acceptance', 'handover')),
    planned     DATE,
    actual      DATE,
    PRIMARY KEY (workshop_id, milestone)
);

CREATE TABLE workshop_progress (
    id          INTEGER PRIMARY KEY,
    workshop_id BIGINT NOT NULL REFERENCES workshops (id),
    report_date DATE NOT NULL,
    percent     REAL NOT NULL CHECK (percent BETWEEN 0 AND 100),
    note        TEXT NOT NULL DEFAULT '',
    recorded_at TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX workshop_progress_workshop ON workshop_progress (workshop_id, report_date);

CREATE TABLE workshop_units (
    id          INTEGER PRIMARY KEY,
    workshop_id BIGINT NOT NULL REFERENCES workshops (id),
    floor       INTEGER NOT NULL,
    section     TEXT NOT NULL DEFAULT '',
    area_m2     REAL NOT NULL CHECK (area_m2 > 0),
    created_at  TIMESTAMP NOT NULL,
    created_by  TEXT NOT NULL,
    UNIQUE (workshop_id, floor, section)
);

CREATE TABLE unit_leases (
    id                    INTEGER PRIMARY KEY,
    unit_id               BIGINT NOT NULL REFERENCES workshop_units (id),
    workshop_id           BIGINT NOT NULL REFERENCES workshops (id),
    park_id               BIGINT NOT NULL REFERENCES parks (id),
    enterprise_id         BIGINT NOT NULL REFERENCES enterprises (id),
    start_date            DATE NOT NULL,
    end_date              DATE NOT NULL,
    rent_fen_per_m2_month BIGINT NOT NULL CHECK (rent_fen_per_m2_month > 0),
    created_at            TIMESTAMP NOT NULL,
    created_by            TEXT NOT NULL,
    CHECK (end_date >= start_date)
);
CREATE INDEX unit_leases_unit ON unit_leases (unit_id, start_date);
CREATE INDEX unit_leases_park ON unit_leases (park_id);
