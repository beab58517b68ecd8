-- 批而未供 counts calendar years (满两年), not days: a stored limit in days becomes whole
-- years (730 → 2, 1095 → 3), at least one.
UPDATE parks SET settings = ((settings::jsonb - 'unsupplied_limit_days')
        || jsonb_build_object('unsupplied_limit_years',
            GREATEST(1, round((settings::jsonb ->> 'unsupplied_limit_days')::numeric / 365))::int))::text
    WHERE settings::jsonb ? 'unsupplied_limit_days';
UPDATE zones SET settings = ((settings::jsonb - 'unsupplied_limit_days')
        || jsonb_build_object('unsupplied_limit_years',
            GREATEST(1, round((settings::jsonb ->> 'unsupplied_limit_days')::numeric / 365))::int))::text
    WHERE settings::jsonb ? 'unsupplied_limit_days';

-- 违约金: the share of the land price owed per day of late start or completion, ‰ (the model
-- contract's 1‰ for the supplies recorded before it was a term of their own).
ALTER TABLE land_supplies ADD COLUMN penalty_per_mille DOUBLE PRECISION NOT NULL DEFAULT 1.0;
