DROP TABLE applications;
DROP TABLE project_investment;
DROP TABLE project_links;
DROP TABLE project_stages;
DROP TABLE projects;
DROP TABLE investment_plans;
DROP TABLE investment_units;
