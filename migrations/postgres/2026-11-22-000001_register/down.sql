DROP TABLE parcel_lineage;
DROP TABLE parcel_versions;
DROP TABLE parcels;
DROP TABLE zones;
DROP TABLE parks;
