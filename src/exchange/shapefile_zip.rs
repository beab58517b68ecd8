//! Zipped ESRI shapefiles: `.shp`, `.shx`, `.dbf`, and optionally `.prj` and `.cpg`.
//!
//! The archive is read in memory, never unpacked to disk; entries with unsafe paths are refused
//! all the same. Zip bombs: the sizes the archive declares must fit the unpacked budget
//! (a ratio of the upload's size, between a floor and a configurable ceiling) before anything
//! is unpacked, and what comes out of each member is counted against the same budget (the zip
//! reader also stops a member at its declared size). The `.shp` is never unpacked whole: its
//! records stream out of the archive one at a time ([`super::shp`]); the `.dbf`, which the
//! reader needs whole, is held to the budget. Attribute encoding: the `encoding` option, else
//! the `.cpg`, else the DBF's language-driver byte, else UTF-8 if the records are valid UTF-8,
//! else GBK — what Chinese GIS software writes by default.

use super::limits::{Bound, Bounded, LimitExceeded, UploadLimits, limit_of};
use super::shp::Records;
use super::{ExchangeError, ReadOptions, SourceFeature, SourceFile, prj};
use crate::spatial::crs::{Crs, ToLonLat};
use crate::spatial::input::{self, InputCrs};
use encoding_rs::Encoding;
use serde_json::{Map, Value};
use shapefile::dbase::{self, FieldValue};
use std::io::{Cursor, Read};

/// Side files (`.prj`, `.cpg`) are a few hundred bytes; more is not a side file.
const MAX_SIDE_FILE_BYTES: u64 = 64 * 1024;

/// Refuse entry names that would escape a folder if anyone ever unpacked them.
fn check_entry_name(name: &str) -> Result<(), ExchangeError> {
    let unsafe_name = name.starts_with('/')
        || name.starts_with('\\')
        || name.split(['/', '\\']).any(|part| part == "..")
        || name.chars().nth(1) == Some(':')
        || name.chars().any(char::is_control);
    if unsafe_name {
        return Err(ExchangeError::new(format!(
            "the archive has an entry with an unsafe path: {name:?}"
        )));
    }
    Ok(())
}

pub(super) type Archive<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// Members an archive may hold: a shapefile has a handful, a workbook a few dozen. The zip
/// reader builds a record for every member of the central directory, so the count is read
/// from the end-of-archive record before the directory is.
pub const MAX_ARCHIVE_ENTRIES: u64 = 1_000;

/// Open an archive whose member count is within bounds.
pub(super) fn open(bytes: &[u8]) -> Result<Archive<'_>, ExchangeError> {
    if let Some(n) = declared_entries(bytes)
        && n > MAX_ARCHIVE_ENTRIES
    {
        return Err(LimitExceeded::new(
            Bound::Entries,
            MAX_ARCHIVE_ENTRIES,
            format!("the archive says it holds {n} members; a shapefile or workbook has a few"),
        )
        .into());
    }
    zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ExchangeError::new(format!("the upload is not a readable zip archive: {e}")))
}

/// The member count of the end-of-central-directory record (or its ZIP64 form).
fn declared_entries(bytes: &[u8]) -> Option<u64> {
    const EOCD: &[u8] = b"PK\x05\x06";
    let from = bytes.len().saturating_sub(22 + 65_535);
    let at = (from..bytes.len().saturating_sub(21))
        .rev()
        .find(|&i| bytes[i..].starts_with(EOCD))?;
    let le16 = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
    let total = le16(at + 10);
    if total != u16::MAX {
        return Some(u64::from(total));
    }
    // ZIP64: the locator sits just before the record and points at the ZIP64 record.
    let locator = at.checked_sub(20)?;
    if !bytes[locator..].starts_with(b"PK\x06\x07") {
        return Some(u64::from(total));
    }
    let le64 = |i: usize| -> Option<u64> {
        bytes
            .get(i..i + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
    };
    let record = usize::try_from(le64(locator + 8)?).ok()?;
    if !bytes.get(record..)?.starts_with(b"PK\x06\x06") {
        return None;
    }
    le64(record + 32)
}

fn unpack_error(name: &str, e: std::io::Error) -> ExchangeError {
    match limit_of(&e) {
        Some(limit) => limit.into(),
        None => unpack_failure(name, &e),
    }
}

/// Why a member could not be unpacked, for a person: a member that unpacks to more than the
/// archive declares is damaged or built to harm, and is not read further.
pub fn unpack_failure(name: &str, e: &dyn std::fmt::Display) -> ExchangeError {
    let text = e.to_string();
    if text.contains("larger than its declared") {
        ExchangeError::new(format!(
            "{name} unpacks to more than the archive declares for it: the archive is damaged or built to harm, and nothing more was read from it"
        ))
    } else {
        ExchangeError::new(format!("cannot unpack {name}: {text}"))
    }
}

/// A whole member, counted against the budget and at most `cap` bytes.
fn entry(
    archive: &mut Archive<'_>,
    name: &str,
    left: &mut u64,
    budget: u64,
    cap: u64,
) -> Result<Vec<u8>, ExchangeError> {
    let file = archive
        .by_name(name)
        .map_err(|e| ExchangeError::new(format!("cannot read {name} from the archive: {e}")))?;
    let mut out = Vec::new();
    let read = Bounded::new(file, left, budget, name)
        .take(cap + 1)
        .read_to_end(&mut out)
        .map_err(|e| unpack_error(name, e))?;
    if read as u64 > cap {
        return Err(ExchangeError::new(format!(
            "{name} is larger than {cap} bytes, which no such file needs"
        )));
    }
    Ok(out)
}

/// The `.dbf`, which the table reader needs whole: its header says how many records of how
/// many bytes follow, so the record count is checked against the bounds, and the memory sized,
/// before the records are unpacked.
fn read_dbf(
    archive: &mut Archive<'_>,
    name: &str,
    left: &mut u64,
    budget: u64,
    limits: &UploadLimits,
) -> Result<Vec<u8>, ExchangeError> {
    let file = archive
        .by_name(name)
        .map_err(|e| ExchangeError::new(format!("cannot read {name} from the archive: {e}")))?;
    // Sized by the header below, but never beyond what the archive declares for the member.
    let declared = file.size();
    let mut reader = Bounded::new(file, left, budget, name);
    let mut header = [0u8; 32];
    reader
        .read_exact(&mut header)
        .map_err(|e| unpack_error(name, e))?;
    let records = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
    let header_len = u64::from(u16::from_le_bytes([header[8], header[9]]));
    let record_len = u64::from(u16::from_le_bytes([header[10], header[11]]));
    limits.features(records)?;
    // the records and the end-of-file marker
    let size = header_len.max(32) + records as u64 * record_len + 1;
    if size > budget {
        return Err(LimitExceeded::new(
            Bound::UnpackedBytes,
            budget,
            format!("{name} says it holds {records} records of {record_len} bytes, more than the {budget} bytes an upload of its size may unpack to"),
        )
        .into());
    }
    let mut out = Vec::with_capacity(size.min(declared.saturating_add(1)) as usize);
    out.extend_from_slice(&header);
    reader
        .take(size - 32)
        .read_to_end(&mut out)
        .map_err(|e| unpack_error(name, e))?;
    Ok(out)
}

/// Every size the archive declares, added up, must fit the budget before anything is unpacked.
pub fn check_declared_sizes(archive: &mut Archive<'_>, budget: u64) -> Result<(), ExchangeError> {
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        let size = archive
            .by_index_raw(i)
            .map_err(|e| {
                ExchangeError::new(format!("the archive's entry {i} cannot be read: {e}"))
            })?
            .size();
        declared = declared.saturating_add(size);
    }
    if declared > budget {
        return Err(LimitExceeded::new(
            Bound::UnpackedBytes,
            budget,
            format!("the archive says it unpacks to {declared} bytes, more than the {budget} an upload of its size may"),
        )
        .into());
    }
    Ok(())
}

pub fn read(
    bytes: &[u8],
    options: &ReadOptions,
    limits: &UploadLimits,
) -> Result<SourceFile, ExchangeError> {
    let mut archive = open(bytes)?;
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.map(|n| n.into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|e| {
            ExchangeError::new(format!("the archive's entry names cannot be read: {e}"))
        })?;
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
                ExchangeError::new(format!(
                    "the archive has no shapefile {layer}; it has {}",
                    stems.join(", ")
                ))
            })?,
        (None, [one]) => *one,
        (None, []) => return Err(ExchangeError::new("the archive holds no .shp file")),
        (None, many) => {
            return Err(ExchangeError::new(format!(
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
    let require = |ext: &str| {
        part(ext)
            .ok_or_else(|| ExchangeError::new(format!("the shapefile {stem} has no .{ext} file")))
    };
    // The .shx index is part of a shapefile, but records are read in order without it.
    let (shp_name, _, dbf_name) = (require("shp")?, require("shx")?, require("dbf")?);
    let budget = limits.unpacked_budget(bytes.len());
    check_declared_sizes(&mut archive, budget)?;
    let mut left = budget;
    let mut side = |ext: &str, left: &mut u64| -> Result<Option<String>, ExchangeError> {
        part(ext)
            .map(|n| {
                entry(&mut archive, &n, left, budget, MAX_SIDE_FILE_BYTES)
                    .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
            })
            .transpose()
    };
    let prj_text = side("prj", &mut left)?;
    let cpg = side("cpg", &mut left)?;
    let dbf = read_dbf(&mut archive, &dbf_name, &mut left, budget, limits)?;

    let crs = match (options.crs, &prj_text) {
        (Some(crs), _) => crs,
        (None, Some(wkt)) => prj::crs_of(wkt).map_err(ExchangeError::new)?,
        (None, None) => Crs::Cgcs2000,
    };
    let encoding = options
        .encoding
        .unwrap_or_else(|| detect_encoding(cpg.as_deref(), &dbf));
    // The records stream from a second reader of the archive; the first goes first.
    drop(archive);
    let mut shp_archive = open(bytes)?;
    let shp = shp_archive
        .by_name(&shp_name)
        .map_err(|e| ExchangeError::new(format!("cannot read {shp_name} from the archive: {e}")))?;
    let shapes = Records::new(Bounded::new(shp, &mut left, budget, &shp_name), *limits)?;
    let features = read_features(shapes, dbf, crs, encoding, limits)?;
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

fn read_features<R: Read>(
    mut shapes: Records<R>,
    dbf: Vec<u8>,
    crs: Crs,
    encoding: &'static Encoding,
    limits: &UploadLimits,
) -> Result<Vec<SourceFeature>, ExchangeError> {
    let mut table = dbase::ReaderBuilder::new()
        .with_encoding(dbase::encoding::EncodingRs::from(encoding))
        .build(Cursor::new(dbf))
        .map_err(|e| ExchangeError::new(format!("the .dbf file cannot be read: {e}")))?;
    let records = table.header().num_records as usize;
    limits.features(records)?;
    let mut rows = table.iter_records();
    let input = InputCrs {
        crs,
        north_first: false,
    };
    let to_lonlat = ToLonLat::new(crs).map_err(|e| ExchangeError::new(e.0))?;
    let mut features = Vec::with_capacity(records);
    while let Some(shape) = shapes.next_shape() {
        let number = features.len() + 1;
        let shape = shape?;
        let record = rows
            .next()
            .ok_or_else(|| {
                ExchangeError::new(format!(
                    "the .shp file has more shapes than the .dbf file has records ({records})"
                ))
            })?
            .map_err(|e| ExchangeError::new(format!("feature {number}: {e}")))?;
        let geometry = shape.and_then(|mp| {
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
    if features.len() != records {
        return Err(ExchangeError::new(format!(
            "the .shp file has {} shapes but the .dbf file has {records} records",
            features.len()
        )));
    }
    Ok(features)
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
    fn the_member_count_is_read_before_the_directory() {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..3 {
            w.start_file(
                format!("f{i}.txt"),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            w.write_all(b"x").unwrap();
        }
        let bytes = w.finish().unwrap().into_inner();
        assert_eq!(declared_entries(&bytes), Some(3));
        // An end record claiming 60,000 members is refused before they are read.
        let mut lying = bytes.clone();
        let at = lying.len() - 22;
        lying[at + 8..at + 12].copy_from_slice(&[0x60, 0xEA, 0x60, 0xEA]);
        let e = open(&lying).unwrap_err();
        assert_eq!(e.limit.map(|l| l.bound), Some(Bound::Entries));
    }

    #[test]
    fn not_a_zip() {
        assert!(
            read(
                b"not a zip",
                &ReadOptions::default(),
                &UploadLimits::default()
            )
            .unwrap_err()
            .message
            .contains("zip")
        );
    }
}
