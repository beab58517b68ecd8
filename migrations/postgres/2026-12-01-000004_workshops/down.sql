DROP TABLE unit_leases;
DROP TABLE workshop_units;
DROP TABLE workshop_progress;
DROP TABLE workshop_milestones;
DROP TABLE workshops;
