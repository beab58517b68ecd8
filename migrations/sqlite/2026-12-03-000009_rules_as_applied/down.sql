ALTER TABLE land_supplies DROP COLUMN penalty_per_mille;
UPDATE parks SET settings = json_remove(
        json_set(settings, '$.unsupplied_limit_days',
            json_extract(settings, '$.unsupplied_limit_years') * 365),
        '$.unsupplied_limit_years')
    WHERE json_extract(settings, '$.unsupplied_limit_years') IS NOT NULL;
UPDATE zones SET settings = json_remove(
        json_set(settings, '$.unsupplied_limit_days',
            json_extract(settings, '$.unsupplied_limit_years') * 365),
        '$.unsupplied_limit_years')
    WHERE json_extract(settings, '$.unsupplied_limit_years') IS NOT NULL;
