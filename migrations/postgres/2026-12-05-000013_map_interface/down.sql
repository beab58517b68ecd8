DROP INDEX parcels_active_id;
