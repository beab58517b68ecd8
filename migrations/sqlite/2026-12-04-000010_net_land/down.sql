ALTER TABLE parcels DROP COLUMN clearances;
