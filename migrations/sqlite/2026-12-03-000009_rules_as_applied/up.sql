-- 批而未供 counts calendar years (满两年), not days: a stored limit in days becomes whole
-- years (730 → 2, 1095 → 3), at least one.
UPDATE parks SET settings = json_remove(
        json_set(settings, '$.unsupplied_limit_years',
            MAX(1, CAST(ROUND(json_extract(settings, '$.unsupplied_limit_days') / 365.0) AS INTEGER))),
        '$.unsupplied_limit_days')
    WHERE json_extract(settings, '$.unsupplied_limit_days') IS NOT NULL;
UPDATE zones SET settings = json_remove(
        json_set(settings, '$.unsupplied_limit_years',
            MAX(1, CAST(ROUND(json_extract(settings, '$.unsupplied_limit_days') / 365.0) AS INTEGER))),
        '$.unsupplied_limit_days')
    WHERE json_extract(settings, '$.unsupplied_limit_days') IS NOT NULL;

-- 违约金: the share of the land price owed per day of late start or completion, ‰ (the model
-- contract's 1‰ for the supplies recorded before it was a term of their own).
ALTER TABLE land_supplies ADD COLUMN penalty_per_mille REAL NOT NULL DEFAULT 1.0;
