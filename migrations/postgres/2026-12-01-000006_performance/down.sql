DROP TABLE evaluation_schemes;
DROP TABLE performance_figures;
