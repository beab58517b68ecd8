DROP TABLE read_fences;
DROP TABLE rate_buckets;
