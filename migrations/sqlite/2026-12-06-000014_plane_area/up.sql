-- The plane area in the parcel's CGCS2000 3° Gauss-Krüger zone (the cadastral survey's
-- figure), kept with the geometry it was measured on instead of projected on every read: it was
-- a sixth of writing a map page (issue 16, docs/performance.md). `plane_area_epsg` is the zone
-- (4534–4554), 0 when the parcel lies in none; NULL on rows written before this migration,
-- which are measured on read until the service's start-up pass has stored their figures.
ALTER TABLE parcels ADD COLUMN plane_area_m2 REAL;
ALTER TABLE parcels ADD COLUMN plane_area_epsg INTEGER;
