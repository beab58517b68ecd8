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
    }
}

diesel::joinable!(user_parks -> users (user_id));
diesel::joinable!(user_parks -> parks (park_id));
diesel::joinable!(api_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(users, user_parks, api_tokens, parks);
