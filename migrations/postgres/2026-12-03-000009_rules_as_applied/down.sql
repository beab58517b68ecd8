ALTER TABLE land_supplies DROP COLUMN penalty_per_mille;
UPDATE parks SET settings = ((settings::jsonb - 'unsupplied_limit_years')
        || jsonb_build_object('unsupplied_limit_days',
            (settings::jsonb ->> 'unsupplied_limit_years')::int * 365))::text
    WHERE settings::jsonb ? 'unsupplied_limit_years';
UPDATE zones SET settings = ((settings::jsonb - 'unsupplied_limit_years')
        || jsonb_build_object('unsupplied_limit_days',
            (settings::jsonb ->> 'unsupplied_limit_years')::int * 365))::text
    WHERE settings::jsonb ? 'unsupplied_limit_years';
