-- The register: parks, zones, parcels, parcel history and lineage.
-- Geometry is CGCS2000 lon/lat (EPSG:4490), always MultiPolygon. Timestamps are UTC.
-- Geometry is stored as EWKB (the bytes PostGIS uses); min_x … max_y repeat its extent and
-- the R*Tree below indexes them, kept in step by triggers inside the writing transaction.

CREATE TABLE parks (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    admin_code  TEXT,
    description TEXT NOT NULL DEFAULT '',
    industries  TEXT NOT NULL DEFAULT '',
    settings    TEXT NOT NULL DEFAULT '{}',
    boundary    BLOB NOT NULL,
    area_m2     REAL NOT NULL,
    min_x       REAL NOT NULL,
    min_y       REAL NOT NULL,
    max_x       REAL NOT NULL,
    max_y       REAL NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    updated_by  TEXT NOT NULL
);

CREATE TABLE zones (
    id          INTEGER PRIMARY KEY,
    park_id     BIGINT NOT NULL REFERENCES parks (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    industries  TEXT,
    settings    TEXT NOT NULL DEFAULT '{}',
    boundary    BLOB NOT NULL,
    area_m2     REAL NOT NULL,
    min_x       REAL NOT NULL,
    min_y       REAL NOT NULL,
    max_x       REAL NOT NULL,
    max_y       REAL NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    updated_by  TEXT NOT NULL,
    UNIQUE (park_id, code)
);

CREATE TABLE parcels (
    id                       INTEGER PRIMARY KEY,
    park_id                  BIGINT NOT NULL REFERENCES parks (id),
    zone_id                  BIGINT REFERENCES zones (id),
    code                     TEXT NOT NULL,
    name                     TEXT NOT NULL DEFAULT '',
    location                 TEXT NOT NULL DEFAULT '',
    land_use                 TEXT NOT NULL,
    status                   TEXT NOT NULL,
    far_min                  REAL,
    far_max                  REAL,
    building_density_min_pct REAL,
    building_density_max_pct REAL,
    green_ratio_min_pct      REAL,
    green_ratio_max_pct      REAL,
    height_max_m             REAL,
    infrastructure           TEXT NOT NULL DEFAULT '',
    site_levelled            BOOLEAN NOT NULL DEFAULT FALSE,
    geom                     BLOB NOT NULL,
    area_m2                  REAL NOT NULL,
    min_x                    REAL NOT NULL,
    min_y                    REAL NOT NULL,
    max_x                    REAL NOT NULL,
    max_y                    REAL NOT NULL,
    version                  BIGINT NOT NULL DEFAULT 1,
    created_at               TIMESTAMP NOT NULL,
    created_by               TEXT NOT NULL,
    updated_at               TIMESTAMP NOT NULL,
    updated_by               TEXT NOT NULL,
    retired_at               TIMESTAMP,
    retired_reason           TEXT,
    UNIQUE (park_id, code),
    CHECK (status IN ('reserve', 'available', 'reserved', 'supplied', 'retired'))
);

CREATE VIRTUAL TABLE parcels_rtree USING rtree (id, min_x, max_x, min_y, max_y);

CREATE TRIGGER parcels_rtree_insert AFTER INSERT ON parcels BEGIN
    INSERT INTO parcels_rtree (id, min_x, max_x, min_y, max_y)
    VALUES (new.id, new.min_x, new.max_x, new.min_y, new.max_y);
END;

CREATE TRIGGER parcels_rtree_update AFTER UPDATE OF min_x, min_y, max_x, max_y ON parcels BEGIN
    UPDATE parcels_rtree
    SET min_x = new.min_x, max_x = new.max_x, min_y = new.min_y, max_y = new.max_y
    WHERE id = new.id;
END;
CREATE INDEX parcels_park_status ON parcels (park_id, status);
CREATE INDEX parcels_zone ON parcels (zone_id);
CREATE INDEX parcels_updated_at ON parcels (updated_at);

-- Every version of every parcel, the current one included, with who made it and when.
CREATE TABLE parcel_versions (
    id         INTEGER PRIMARY KEY,
    parcel_id  BIGINT NOT NULL REFERENCES parcels (id),
    version    BIGINT NOT NULL,
    change     TEXT NOT NULL,
    properties TEXT NOT NULL,
    geom       BLOB NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    changed_by TEXT NOT NULL,
    note       TEXT,
    UNIQUE (parcel_id, version)
);

-- Split (分宗) and merge (合宗): which parcels became which.
CREATE TABLE parcel_lineage (
    id          INTEGER PRIMARY KEY,
    operation   TEXT NOT NULL CHECK (operation IN ('split', 'merge')),
    parent_id   BIGINT NOT NULL REFERENCES parcels (id),
    child_id    BIGINT NOT NULL REFERENCES parcels (id),
    recorded_at TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX parcel_lineage_parent ON parcel_lineage (parent_id);
CREATE INDEX parcel_lineage_child ON parcel_lineage (child_id);
