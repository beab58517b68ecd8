//! The CRS of a shapefile, from its `.prj` (ESRI or OGC WKT1).
//!
//! Only CGCS2000 is accepted: its geographic CRS, or a Gauss-Krüger projection recognised by
//! an EPSG authority code or by its central meridian and false easting. Files in Xi'an 1980,
//! Beijing 1954 or WGS 84 are refused with the reason.

use crate::spatial::crs::Crs;

/// The CRS a `.prj` describes.
pub fn crs_of(wkt: &str) -> Result<Crs, String> {
    let upper = wkt.to_ascii_uppercase();
    if let Some(code) = top_level_epsg(&upper) {
        return Crs::from_epsg(code).map_err(|e| e.0);
    }
    let cgcs2000 = [
        "CGCS2000",
        "CGCS_2000",
        "CHINA_GEODETIC_COORDINATE_SYSTEM_2000",
        "CHINA_2000",
        "CHINA GEODETIC COORDINATE SYSTEM 2000",
    ]
    .iter()
    .any(|n| upper.contains(n));
    if !cgcs2000 {
        let datum = if upper.contains("XIAN") || upper.contains("XI'AN") || upper.contains("XI_AN")
        {
            "Xi'an 1980"
        } else if upper.contains("BEIJING") {
            "Beijing 1954"
        } else if upper.contains("WGS") {
            "WGS 84"
        } else {
            "an unrecognised datum"
        };
        return Err(format!(
            "the .prj describes {datum}, not CGCS2000; convert the data to CGCS2000, or name its CRS with the \
             crs option if the .prj is wrong"
        ));
    }
    if !upper.starts_with("PROJCS") && !upper.starts_with("PROJCRS") {
        return Ok(Crs::Cgcs2000);
    }
    let cm = parameter(&upper, "CENTRAL_MERIDIAN").ok_or("the .prj has no central meridian")?;
    let fe = parameter(&upper, "FALSE_EASTING").ok_or("the .prj has no false easting")?;
    (4491u16..=4554)
        .find(|&code| {
            Crs::gauss_kruger_parameters(code).is_some_and(|(c, e)| (c - cm).abs() < 1e-9 && (e - fe).abs() < 1e-3)
        })
        .map(Crs::GaussKruger)
        .ok_or_else(|| {
            format!(
                "the .prj is a CGCS2000 projection with central meridian {cm}° and false easting {fe} m, \
                 which is not one of the Gauss-Krüger zones EPSG:4491–4554"
            )
        })
}

/// The EPSG code of the outermost object: in WKT1 its AUTHORITY is the last one.
fn top_level_epsg(upper: &str) -> Option<u32> {
    let at = upper.rfind("AUTHORITY[\"EPSG\",")?;
    let rest = &upper[at + "AUTHORITY[\"EPSG\",".len()..];
    let end = rest.find(']')?;
    let value = rest[..end].trim().trim_matches('"');
    // Only if this AUTHORITY closes the whole definition (nothing but brackets after it).
    if rest[end..].chars().all(|c| c == ']' || c.is_whitespace()) {
        value.parse().ok()
    } else {
        None
    }
}

fn parameter(upper: &str, name: &str) -> Option<f64> {
    let key = format!("PARAMETER[\"{name}\",");
    let at = upper.find(&key)? + key.len();
    let rest = &upper[at..];
    rest[..rest.find(']')?].trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As ArcGIS writes it.
    const ESRI_ZONE_39: &str = r#"PROJCS["CGCS2000_3_Degree_GK_Zone_39",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",39500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    const ESRI_CM_117: &str = r#"PROJCS["CGCS2000_3_Degree_GK_CM_117E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    const ESRI_GEOGRAPHIC: &str = r#"GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
    const XIAN80: &str = r#"PROJCS["Xian_1980_3_Degree_GK_Zone_39",GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",39500000.0],PARAMETER["Central_Meridian",117.0],UNIT["Meter",1.0]]"#;

    #[test]
    fn recognises_cgcs2000_gauss_kruger_zones() {
        assert_eq!(crs_of(ESRI_ZONE_39).unwrap(), Crs::GaussKruger(4527));
        // Without the zone prefix 3° CM 117E and 6° CM 117E are the same projection.
        assert!(matches!(
            crs_of(ESRI_CM_117).unwrap(),
            Crs::GaussKruger(4509 | 4548)
        ));
        assert_eq!(crs_of(ESRI_GEOGRAPHIC).unwrap(), Crs::Cgcs2000);
    }

    #[test]
    fn uses_the_top_level_authority() {
        let ogc = r#"PROJCS["CGCS2000 / 3-degree Gauss-Kruger zone 39",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],AUTHORITY["EPSG","4490"]],PROJECTION["Transverse_Mercator"],PARAMETER["central_meridian",117],PARAMETER["false_easting",39500000],UNIT["metre",1],AUTHORITY["EPSG","4527"]]"#;
        assert_eq!(crs_of(ogc).unwrap(), Crs::GaussKruger(4527));
    }

    #[test]
    fn refuses_other_datums_with_the_reason() {
        assert!(crs_of(XIAN80).unwrap_err().contains("Xi'an 1980"));
        let wgs = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        assert!(crs_of(wgs).unwrap_err().contains("WGS 84"));
        let odd = ESRI_ZONE_39.replace("117.0", "116.5");
        assert!(crs_of(&odd).unwrap_err().contains("116.5"));
    }
}
