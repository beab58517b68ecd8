//! Diesel's view of the tables in `migrations/`. Geometry columns are EWKB bytes on both
//! backends (PostGIS converts bytea ↔ geometry implicitly).

diesel::table! {
    parks (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        admin_code -> Nullable<Text>,
        description -> Text,
        industries -> Text,
        settings -> Text,
        boundary -> Binary,
        area_m2 -> Double,
        min_x -> Double,
        min_y -> Double,
        max_x -> Double,
        max_y -> Double,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    zones (id) {
        id -> BigInt,
        park_id -> BigInt,
        code -> Text,
        name -> Text,
        description -> Text,
        industries -> Nullable<Text>,
        settings -> Text,
        boundary -> Binary,
        area_m2 -> Double,
        min_x -> Double,
        min_y -> Double,
        max_x -> Double,
        max_y -> Double,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    parcels (id) {
        id -> BigInt,
        park_id -> BigInt,
        zone_id -> Nullable<BigInt>,
        code -> Text,
        name -> Text,
        location -> Text,
        land_use -> Text,
        status -> Text,
        far_min -> Nullable<Double>,
        far_max -> Nullable<Double>,
        building_density_min_pct -> Nullable<Double>,
        building_density_max_pct -> Nullable<Double>,
        green_ratio_min_pct -> Nullable<Double>,
        green_ratio_max_pct -> Nullable<Double>,
        height_max_m -> Nullable<Double>,
        infrastructure -> Text,
        site_levelled -> Bool,
        approval_no -> Text,
        approved_on -> Nullable<Date>,
        geom -> Binary,
        area_m2 -> Double,
        min_x -> Double,
        min_y -> Double,
        max_x -> Double,
        max_y -> Double,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        retired_at -> Nullable<Timestamp>,
        retired_reason -> Nullable<Text>,
        clearances -> Text,
        plane_area_m2 -> Nullable<Double>,
        plane_area_epsg -> Nullable<Integer>,
    }
}

diesel::table! {
    parcel_versions (id) {
        id -> BigInt,
        parcel_id -> BigInt,
        version -> BigInt,
        change -> Text,
        properties -> Text,
        geom -> Binary,
        changed_at -> Timestamp,
        changed_by -> Text,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    parcel_lineage (id) {
        id -> BigInt,
        operation -> Text,
        parent_id -> BigInt,
        child_id -> BigInt,
        recorded_at -> Timestamp,
        recorded_by -> Text,
    }
}

diesel::joinable!(zones -> parks (park_id));
diesel::joinable!(parcels -> parks (park_id));
diesel::joinable!(parcels -> zones (zone_id));
diesel::joinable!(parcel_versions -> parcels (parcel_id));

diesel::allow_tables_to_appear_in_same_query!(
    parks,
    zones,
    parcels,
    parcel_versions,
    parcel_lineage
);

diesel::table! {
    users (id) {
        id -> BigInt,
        name -> Text,
        display_name -> Text,
        role -> Text,
        jurisdiction -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Text,
        disabled_at -> Nullable<Timestamp>,
        password_hash -> Nullable<Text>,
    }
}

diesel::table! {
    user_parks (user_id, park_id) {
        user_id -> BigInt,
        park_id -> BigInt,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        prefix -> Text,
        created_at -> Timestamp,
        created_by -> Text,
        expires_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor -> Text,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<BigInt>,
        park_id -> Nullable<BigInt>,
        before -> Nullable<Text>,
        after -> Nullable<Text>,
        prev_hash -> Nullable<Text>,
        hash -> Nullable<Text>,
    }
}

diesel::joinable!(user_parks -> users (user_id));
diesel::joinable!(user_parks -> parks (park_id));
diesel::joinable!(api_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(users, user_parks, api_tokens, parks);

diesel::table! {
    enterprises (id) {
        id -> BigInt,
        name -> Text,
        uscc -> Text,
        industry -> Nullable<Text>,
        above_scale -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    land_supplies (id) {
        id -> BigInt,
        parcel_id -> BigInt,
        park_id -> BigInt,
        enterprise_id -> BigInt,
        method -> Text,
        contract_no -> Text,
        contract_date -> Date,
        land_price_yuan -> BigInt,
        term_years -> Nullable<Integer>,
        land_area_m2 -> Double,
        agreed_start -> Date,
        agreed_completion -> Date,
        agreed_production -> Nullable<Date>,
        total_investment_yuan -> Nullable<BigInt>,
        intensity_wan_per_mu -> Nullable<Double>,
        far -> Nullable<Double>,
        tax_per_mu_wan -> Nullable<Double>,
        value_added_per_energy_wan_per_tce -> Nullable<Double>,
        ended_on -> Nullable<Date>,
        ended_reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        penalty_per_mille -> Double,
        output_per_mu_wan -> Nullable<Double>,
        value_added_per_emission_wan_per_t -> Nullable<Double>,
        rd_share_pct -> Nullable<Double>,
        shortfall_penalty_pct -> Nullable<Double>,
    }
}

diesel::table! {
    supply_facts (id) {
        id -> BigInt,
        supply_id -> BigInt,
        kind -> Text,
        fact_date -> Date,
        note -> Text,
        permit_no -> Nullable<Text>,
        evidence -> Nullable<Text>,
        developed_area_m2 -> Nullable<Double>,
        investment_yuan -> Nullable<BigInt>,
        cause -> Nullable<Text>,
        new_start -> Nullable<Date>,
        built_floor_area_m2 -> Nullable<Double>,
        building_coefficient_pct -> Nullable<Double>,
        measured_intensity_wan_per_mu -> Nullable<Double>,
        measured_far -> Nullable<Double>,
        measured_tax_per_mu_wan -> Nullable<Double>,
        measured_value_added_per_energy_wan_per_tce -> Nullable<Double>,
        recorded_at -> Timestamp,
        recorded_by -> Text,
    }
}

diesel::table! {
    idle_cases (id) {
        id -> BigInt,
        supply_id -> BigInt,
        parcel_id -> BigInt,
        park_id -> BigInt,
        opened_on -> Date,
        note -> Text,
        closed_on -> Nullable<Date>,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    idle_case_steps (id) {
        id -> BigInt,
        case_id -> BigInt,
        kind -> Text,
        step_date -> Date,
        document_no -> Text,
        note -> Text,
        decision -> Nullable<Text>,
        amount_yuan -> Nullable<BigInt>,
        recorded_at -> Timestamp,
        recorded_by -> Text,
    }
}

diesel::joinable!(land_supplies -> parcels (parcel_id));
diesel::joinable!(land_supplies -> enterprises (enterprise_id));
diesel::joinable!(supply_facts -> land_supplies (supply_id));
diesel::joinable!(idle_case_steps -> idle_cases (case_id));

diesel::allow_tables_to_appear_in_same_query!(
    enterprises,
    land_supplies,
    supply_facts,
    idle_cases,
    idle_case_steps,
    parcels
);

diesel::table! {
    workshops (id) {
        id -> BigInt,
        park_id -> BigInt,
        parcel_id -> BigInt,
        zone_id -> Nullable<BigInt>,
        name -> Text,
        footprint -> Binary,
        footprint_area_m2 -> Double,
        min_x -> Double,
        min_y -> Double,
        max_x -> Double,
        max_y -> Double,
        storeys -> Integer,
        storey_heights_m -> Text,
        floor_area_m2 -> Double,
        floor_load_kn_m2 -> Double,
        structure -> Text,
        owner_name -> Nullable<Text>,
        owner_enterprise_id -> Nullable<BigInt>,
        responsible_unit -> Text,
        responsible_person -> Text,
        deadline -> Date,
        deadline_milestone -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    workshop_milestones (workshop_id, milestone) {
        workshop_id -> BigInt,
        milestone -> Text,
        planned -> Nullable<Date>,
        actual -> Nullable<Date>,
    }
}

diesel::table! {
    workshop_progress (id) {
        id -> BigInt,
        workshop_id -> BigInt,
        report_date -> Date,
        percent -> Double,
        note -> Text,
        recorded_at -> Timestamp,
        recorded_by -> Text,
    }
}

diesel::table! {
    workshop_units (id) {
        id -> BigInt,
        workshop_id -> BigInt,
        floor -> Integer,
        section -> Text,
        area_m2 -> Double,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    unit_leases (id) {
        id -> BigInt,
        unit_id -> BigInt,
        workshop_id -> BigInt,
        park_id -> BigInt,
        enterprise_id -> BigInt,
        start_date -> Date,
        end_date -> Date,
        rent_fen_per_m2_month -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::joinable!(workshop_progress -> workshops (workshop_id));
diesel::joinable!(workshop_units -> workshops (workshop_id));
diesel::joinable!(unit_leases -> workshop_units (unit_id));

diesel::joinable!(workshop_milestones -> workshops (workshop_id));

diesel::allow_tables_to_appear_in_same_query!(
    workshops,
    workshop_milestones,
    workshop_progress,
    workshop_units,
    unit_leases
);

diesel::table! {
    investment_units (id) {
        id -> BigInt,
        name -> Text,
        kind -> Text,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    investment_plans (unit_id, year) {
        unit_id -> BigInt,
        year -> Integer,
        fixed_asset_plan_yuan -> BigInt,
    }
}

diesel::table! {
    projects (id) {
        id -> BigInt,
        park_id -> BigInt,
        name -> Text,
        enterprise_id -> Nullable<BigInt>,
        enterprise_name -> Text,
        industry -> Text,
        signed_investment_yuan -> BigInt,
        fixed_asset_investment_yuan -> BigInt,
        land_demand_mu -> Double,
        responsible_unit_id -> BigInt,
        enclave -> Bool,
        stage -> Text,
        stage_date -> Date,
        version -> BigInt,
        created_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    project_stages (id) {
        id -> BigInt,
        project_id -> BigInt,
        stage -> Text,
        stage_date -> Date,
        reason -> Text,
        backwards -> Bool,
        recorded_at -> Timestamp,
        recorded_by -> Text,
    }
}

diesel::table! {
    project_links (id) {
        id -> BigInt,
        project_id -> BigInt,
        parcel_id -> Nullable<BigInt>,
        unit_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    project_investment (id) {
        id -> BigInt,
        project_id -> BigInt,
        report_date -> Date,
        completed_yuan -> BigInt,
        recorded_at -> Timestamp,
        recorded_by -> Text,
    }
}

diesel::table! {
    applications (id) {
        id -> BigInt,
        applicant_id -> BigInt,
        park_id -> BigInt,
        parcel_id -> Nullable<BigInt>,
        unit_id -> Nullable<BigInt>,
        project_name -> Text,
        enterprise_name -> Text,
        uscc -> Nullable<Text>,
        industry -> Text,
        fixed_asset_investment_yuan -> BigInt,
        land_demand_mu -> Nullable<Double>,
        plan -> Nullable<Text>,
        entry_check -> Text,
        status -> Text,
        submitted_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
        decision_reason -> Text,
        version -> BigInt,
    }
}

diesel::joinable!(project_stages -> projects (project_id));
diesel::joinable!(projects -> investment_units (responsible_unit_id));

diesel::allow_tables_to_appear_in_same_query!(
    investment_units,
    investment_plans,
    projects,
    project_stages,
    project_links,
    project_investment,
    applications
);

diesel::table! {
    performance_figures (enterprise_id, park_id, year) {
        enterprise_id -> BigInt,
        park_id -> BigInt,
        year -> Integer,
        revenue_yuan -> BigInt,
        tax_yuan -> BigInt,
        value_added_yuan -> BigInt,
        energy_tce -> Nullable<Double>,
        emissions_t -> Nullable<Double>,
        electricity_kwh -> Nullable<Double>,
        rd_yuan -> BigInt,
        staff -> BigInt,
        recorded_at -> Timestamp,
        recorded_by -> Text,
    }
}

diesel::table! {
    evaluation_schemes (park_id, year) {
        park_id -> BigInt,
        year -> Integer,
        scheme -> Text,
        recorded_at -> Timestamp,
        recorded_by -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(performance_figures, evaluation_schemes);
