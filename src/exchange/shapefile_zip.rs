//! Zipped ESRI shapefiles: `.shp`, `.shx`, `.dbf`, and optionally `.prj` and `.cpg`.
//!
//! The archive is read in memory, never unpacked to disk; entries with unsafe paths are refused
//! all the same, and the total uncompressed size is bounded (zip bombs). Attribute encoding:
//! the `encoding` option, else the `.cpg`, else the DBF's language-driver byte, else UTF-8 if the
//! records are valid UTF-8, else GBK — what Chinese GIS software writes by default.

use super::{ExchangeError, ReadOptions, SourceFeature, SourceFile, prj};
use crate::spatial::crs::{Crs, ToLonLat};
use crate::spatial::input::{self, InputCrs};
use encoding_rs::Encoding;
use geo::MultiPolygon;
use serde_json::{Map, Value};
use shapefile::dbase::{self, FieldValue};
use shapefile::{Shape, ShapeReader};
use std::io::{Cursor, Read};

/// Largest total uncompressed size of an archive's entries.
pub const MAX_UNZIPPED_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Refuse entry names that would escape a folder if anyone ever unpacked them.
fn check_entry_name(name: &str) -> Result<(), ExchangeError> {
    let unsafe_name = name.starts_with('/')
        || name.starts_with('\\')
        || name.split(['/', '\\']).any(|part| part == "..")
        || name.chars().nth(1) == Some(':')
        || name.chars().any(char::is_control);
    if unsafe_name {
        return Err(ExchangeError(format!(
            "the archive has an entry with an unsafe path: {name:?}"
        )));
    }
    Ok(())
}

fn entry(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    budget: &mut u64,
) -> Result<Vec<u8>, ExchangeError> {
    let file = archive
        .by_name(name)
        .map_err(|e| ExchangeError(format!("cannot read {name} from the archive: {e}")))?;
    let mut out = Vec::new();
    let read = file
        .take(*budget + 1)
        .read_to_end(&mut out)
        .map_err(|e| ExchangeError(format!("cannot unpack {name}: {e}")))?;
    if read as u64 > *budget {
        return Err(ExchangeError(format!(
            "the archive unpacks to more than {MAX_UNZIPPED_BYTES} bytes"
        )));
    }
    *budget -= read as u64;
    Ok(out)
}

pub fn read(bytes: &[u8], options: &ReadOptions) -> Result<SourceFile, ExchangeError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ExchangeError(format!("the upload is not a readable zip archive: {e}")))?;
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.map(|n| n.into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|e| ExchangeError(format!("the archive's entry names cannot be read: {e}")))?;
    for name in &names {
        check_entry_name(name)?;
    }
    let stems: Vec<&str> = names
        .iter()
        .filter(|n| n.to_ascii_lowercase().ends_with(".shp"))
        .map(|n| &n[..n.len() - 4])
        .collect();
    let stem = match (&options.layer, stems.as_slice()) {
        (Some(layer), _) => stems
            .iter()
            .find(|s| s.rsplit(['/', '\\']).next() == Some(layer.as_str()) || *s == layer)
            .copied()
            .ok_or_else(|| {
                ExchangeError(format!(
                    "the archive has no shapefile {layer}; it has {}",
                    stems.join(", ")
                ))
            })?,
        (None, [one]) => *one,
        (None, []) => return Err(ExchangeError("the archive holds no .shp file".into())),
        (None, many) => {
            return Err(ExchangeError(format!(
                "the archive holds several shapefiles ({}); choose one with the layer option",
                many.join(", ")
            )));
        }
    };
    let part = |ext: &str| {
        names
            .iter()
            .find(|n| {
                n.len() == stem.len() + 1 + ext.len()
                    && n.starts_with(stem)
                    && n[stem.len() + 1..].eq_ignore_ascii_case(ext)
            })
            .cloned()
    };
    let mut budget = MAX_UNZIPPED_BYTES;
    let require = |ext: &str| {
        part(ext).ok_or_else(|| ExchangeError(format!("the shapefile {stem} has no .{ext} file")))
    };
    let (shp_name, shx_name, dbf_name) = (require("shp")?, require("shx")?, require("dbf")?);
    let shp = entry(&mut archive, &shp_name, &mut budget)?;
    let shx = entry(&mut archive, &shx_name, &mut budget)?;
    let dbf = entry(&mut archive, &dbf_name, &mut budget)?;
    let prj_text = match part("prj") {
        Some(n) => {
            Some(String::from_utf8_lossy(&entry(&mut archive, &n, &mut budget)?).into_owned())
        }
        None => None,
    };
    let cpg = match part("cpg") {
        Some(n) => Some(
            String::from_utf8_lossy(&entry(&mut archive, &n, &mut budget)?)
                .trim()
                .to_owned(),
        ),
        None => None,
    };

    let crs = match (options.crs, &prj_text) {
        (Some(crs), _) => crs,
        (None, Some(wkt)) => prj::crs_of(wkt).map_err(ExchangeError)?,
        (None, None) => Crs::Cgcs2000,
    };
    let encoding = options
        .encoding
        .unwrap_or_else(|| detect_encoding(cpg.as_deref(), &dbf));
    let features = read_features(shp, shx, dbf, crs, encoding)?;
    Ok(SourceFile {
        features,
        crs,
        encoding: Some(encoding.name().to_owned()),
    })
}

/// The attribute encoding, when the user did not say.
pub fn detect_encoding(cpg: Option<&str>, dbf: &[u8]) -> &'static Encoding {
    if let Some(enc) = cpg.and_then(|label| Encoding::for_label(label.as_bytes())) {
        return enc;
    }
    // dBase language driver IDs of the Chinese code pages (GBK/CP936).
    if matches!(dbf.get(29), Some(0x4D | 0x7A)) {
        return encoding_rs::GBK;
    }
    let header_len = dbf
        .get(8..10)
        .map_or(0, |b| usize::from(u16::from_le_bytes([b[0], b[1]])));
    match dbf
        .get(header_len.min(dbf.len())..)
        .map(std::str::from_utf8)
    {
        Some(Ok(_)) => encoding_rs::UTF_8,
        _ => encoding_rs::GBK,
    }
}

fn read_features(
    shp: Vec<u8>,
    shx: Vec<u8>,
    dbf: Vec<u8>,
    crs: Crs,
    encoding: &'static Encoding,
) -> Result<Vec<SourceFeature>, ExchangeError> {
    let shapes = ShapeReader::with_shx(Cursor::new(shp), Cursor::new(shx))
        .map_err(|e| ExchangeError(format!("the .shp file cannot be read: {e}")))?;
    let table = dbase::ReaderBuilder::new()
        .with_encoding(dbase::encoding::EncodingRs::from(encoding))
        .build(Cursor::new(dbf))
        .map_err(|e| ExchangeError(format!("the .dbf file cannot be read: {e}")))?;
    let mut reader = shapefile::Reader::new(shapes, table);
    let input = InputCrs {
        crs,
        north_first: false,
    };
    let to_lonlat = ToLonLat::new(crs).map_err(|e| ExchangeError(e.0))?;
    let mut features = Vec::new();
    for item in reader.iter_shapes_and_records() {
        let (shape, record) =
            item.map_err(|e| ExchangeError(format!("feature {}: {e}", features.len() + 1)))?;
        let geometry = polygons(shape).and_then(|mp| {
            input::convert("geometry", mp, input, &to_lonlat).map_err(|e| e.to_string())
        });
        let properties: Map<String, Value> = record
            .into_iter()
            .map(|(name, value)| (name, json_value(value)))
            .collect();
        features.push(SourceFeature {
            properties,
            geometry,
        });
    }
    Ok(features)
}

fn polygons(shape: Shape) -> Result<MultiPolygon<f64>, String> {
    let converted = match shape {
        Shape::Polygon(p) => MultiPolygon::try_from(p),
        Shape::PolygonZ(p) => MultiPolygon::try_from(p),
        Shape::PolygonM(p) => MultiPolygon::try_from(p),
        Shape::NullShape => return Err("the feature has no geometry".into()),
        other => {
            return Err(format!(
                "must be a polygon (land is an area), got a {}",
                other.shapetype()
            ));
        }
    };
    converted.map_err(|e| format!("the polygon cannot be read: {e:?}"))
}

fn json_value(v: FieldValue) -> Value {
    match v {
        FieldValue::Character(s) => s.map_or(Value::Null, |s| Value::String(s.trim().to_owned())),
        FieldValue::Memo(s) => Value::String(s),
        FieldValue::Numeric(n) => n.map_or(Value::Null, Value::from),
        FieldValue::Float(n) => n.map_or(Value::Null, |f| Value::from(f64::from(f))),
        FieldValue::Double(n) | FieldValue::Currency(n) => Value::from(n),
        FieldValue::Integer(n) => Value::from(n),
        FieldValue::Logical(b) => b.map_or(Value::Null, Value::Bool),
        FieldValue::Date(d) => d.map_or(Value::Null, |d| {
            Value::String(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
        }),
        FieldValue::DateTime(dt) => {
            let d = dt.date();
            Value::String(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_entry_names_are_refused() {
        for bad in [
            "../evil.shp",
            "/etc/passwd",
            "a/../../b.dbf",
            "C:\\x.shp",
            "\\\\server\\x",
            "a\u{0}.shp",
        ] {
            assert!(check_entry_name(bad).is_err(), "{bad}");
        }
        assert!(check_entry_name("宗地/parcels.shp").is_ok());
    }

    #[test]
    fn encoding_detection() {
        assert_eq!(detect_encoding(Some("UTF-8"), b""), encoding_rs::UTF_8);
        assert_eq!(detect_encoding(Some("GBK"), b""), encoding_rs::GBK);
        let mut dbf = vec![0u8; 40];
        dbf[29] = 0x4D;
        assert_eq!(detect_encoding(None, &dbf), encoding_rs::GBK);
        let mut plain = vec![0u8; 32];
        plain[8] = 32;
        plain.extend_from_slice("南城".as_bytes());
        assert_eq!(detect_encoding(None, &plain), encoding_rs::UTF_8);
        let mut gbk = vec![0u8; 32];
        gbk[8] = 32;
        gbk.extend_from_slice(&encoding_rs::GBK.encode("南城").0);
        assert_eq!(detect_encoding(None, &gbk), encoding_rs::GBK);
    }

    #[test]
    fn not_a_zip() {
        assert!(
            read(b"not a zip", &ReadOptions::default())
                .unwrap_err()
                .0
                .contains("zip")
        );
    }
}
