DROP INDEX parcels_status_id;
