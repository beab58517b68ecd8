DROP TABLE idle_case_steps;
DROP TABLE idle_cases;
DROP TABLE supply_facts;
DROP TABLE land_supplies;
DROP TABLE enterprises;
ALTER TABLE parcels DROP COLUMN approved_on;
ALTER TABLE parcels DROP COLUMN approval_no;
