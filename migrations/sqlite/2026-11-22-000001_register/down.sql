DROP TRIGGER parcels_rtree_update;
DROP TRIGGER parcels_rtree_insert;
DROP TABLE parcels_rtree;
DROP TABLE parcel_lineage;
DROP TABLE parcel_versions;
DROP TABLE parcels;
DROP TABLE zones;
DROP TABLE parks;
