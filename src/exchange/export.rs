//! Exports of a park's parcels: GeoJSON (the API's own representation) and CSV with area in m²
//! and 亩 and the geometry as WKT, which Excel and every GIS open.

use super::formula::csv_text;
use crate::domain::register::Parcel;
use crate::spatial::geojson_out::round_coord;
use crate::views::{Feature, FeatureCollection, ParcelProperties};
use geo::MultiPolygon;
use std::fmt::Write;

/// A GeoJSON FeatureCollection of the parcels.
pub fn geojson(parcels: &[Parcel]) -> Result<Vec<u8>, serde_json::Error> {
    let features = parcels
        .iter()
        .map(|p| Feature::new(p.id, &p.geometry, ParcelProperties::of(p)))
        .collect();
    serde_json::to_vec(&FeatureCollection::new(features))
}

/// The CSV columns, in order.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "park_id",
    "zone_id",
    "code",
    "name",
    "location",
    "land_use",
    "land_use_name",
    "status",
    "status_name",
    "area_m2",
    "area_mu",
    "plane_area_m2",
    "plane_area_epsg",
    "far_min",
    "far_max",
    "building_density_min_pct",
    "building_density_max_pct",
    "green_ratio_min_pct",
    "green_ratio_max_pct",
    "height_max_m",
    "infrastructure",
    "site_levelled",
    "clearances",
    "version",
    "updated_at",
    "updated_by",
    "wkt",
];

/// CSV in UTF-8 with a byte-order mark, so Excel shows the Chinese text correctly.
pub fn csv(parcels: &[Parcel]) -> Result<Vec<u8>, csv::Error> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(CSV_COLUMNS)?;
        let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        for p in parcels {
            let v = ParcelProperties::of(p);
            w.write_record([
                p.id.to_string(),
                v.park_id.to_string(),
                v.zone_id.map(|z| z.to_string()).unwrap_or_default(),
                csv_text(v.code).into_owned(),
                csv_text(v.name).into_owned(),
                csv_text(v.location).into_owned(),
                v.land_use.to_owned(),
                v.land_use_name.to_owned(),
                v.status.as_str().to_owned(),
                v.status_name.to_owned(),
                v.area_m2.to_string(),
                v.area_mu.to_string(),
                opt(v.plane_area_m2),
                v.plane_area_epsg.map(|c| c.to_string()).unwrap_or_default(),
                opt(v.planning.far_min),
                opt(v.planning.far_max),
                opt(v.planning.building_density_min_pct),
                opt(v.planning.building_density_max_pct),
                opt(v.planning.green_ratio_min_pct),
                opt(v.planning.green_ratio_max_pct),
                opt(v.planning.height_max_m),
                v.infrastructure.joined(),
                v.site_levelled.to_string(),
                v.clearances.joined(),
                v.version.to_string(),
                v.updated_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                csv_text(v.updated_by).into_owned(),
                wkt(&p.geometry),
            ])?;
        }
        w.flush()?;
    }
    Ok(out)
}

/// OGC WKT of a MultiPolygon, lon/lat, 7 decimals.
pub fn wkt(mp: &MultiPolygon<f64>) -> String {
    let mut s = String::from("MULTIPOLYGON (");
    for (i, polygon) in mp.0.iter().enumerate() {
        s.push_str(if i == 0 { "(" } else { ", (" });
        for (j, ring) in std::iter::once(polygon.exterior())
            .chain(polygon.interiors())
            .enumerate()
        {
            s.push_str(if j == 0 { "(" } else { ", (" });
            for (k, c) in ring.0.iter().enumerate() {
                let _ = write!(
                    s,
                    "{}{} {}",
                    if k == 0 { "" } else { ", " },
                    round_coord(c.x),
                    round_coord(c.y)
                );
            }
            s.push(')');
        }
        s.push(')');
    }
    s.push(')');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn wkt_of_a_multipolygon() {
        let mp = MultiPolygon(vec![
            polygon![(x: 116.6, y: 27.5), (x: 116.7, y: 27.5), (x: 116.7, y: 27.6), (x: 116.6, y: 27.5)],
        ]);
        assert_eq!(
            wkt(&mp),
            "MULTIPOLYGON (((116.6 27.5, 116.7 27.5, 116.7 27.6, 116.6 27.5)))"
        );
    }
}
