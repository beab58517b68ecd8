ALTER TABLE parcels DROP COLUMN plane_area_epsg;
ALTER TABLE parcels DROP COLUMN plane_area_m2;
