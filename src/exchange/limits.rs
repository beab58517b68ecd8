//! The bounds every uploaded file is read within.
//!
//! A file a user uploads is read with its size checked **before** memory is allocated for it:
//! the bytes of the upload (by the HTTP layer), the unpacked bytes of a zip (declared sizes
//! first, then what really comes out), features and vertices of GeoJSON and shapefiles (counted
//! by a scan that allocates nothing), and rows, columns and cells of spreadsheets (counted as
//! the cells stream by). Past a bound the read stops with [`LimitExceeded`], which names the
//! bound and its value; nothing has been written.

use std::fmt;
use std::io::Read;

/// Which bound an upload went beyond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Bytes of the upload itself.
    UploadBytes,
    /// Bytes an archive (a zipped shapefile, an .xlsx workbook) unpacks to.
    UnpackedBytes,
    /// Features of a GeoJSON or shapefile import.
    Features,
    /// Vertices of one feature's geometry.
    Vertices,
    /// Vertices of all the features of one import.
    TotalVertices,
    /// JSON values of a GeoJSON import besides its coordinates (properties and the like).
    Values,
    /// Rows of a spreadsheet.
    Rows,
    /// Columns of a spreadsheet.
    Columns,
    /// Cells holding a value in a spreadsheet.
    Cells,
    /// Members of an archive.
    Entries,
}

impl Bound {
    /// The bound's name in problem documents and docs.
    pub fn name(self) -> &'static str {
        match self {
            Bound::UploadBytes => "upload_bytes",
            Bound::UnpackedBytes => "unpacked_bytes",
            Bound::Features => "features",
            Bound::Vertices => "vertices_per_feature",
            Bound::TotalVertices => "vertices",
            Bound::Values => "values",
            Bound::Rows => "rows",
            Bound::Columns => "columns",
            Bound::Cells => "cells",
            Bound::Entries => "archive_entries",
        }
    }

    /// Size bounds answer 413 (the content is too large); count bounds 422.
    pub fn is_size(self) -> bool {
        matches!(self, Bound::UploadBytes | Bound::UnpackedBytes)
    }
}

/// An upload beyond one of its bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitExceeded {
    pub bound: Bound,
    pub limit: u64,
    /// What went beyond it, for a person.
    pub detail: String,
}

impl LimitExceeded {
    pub fn new(bound: Bound, limit: u64, detail: impl Into<String>) -> Self {
        Self {
            bound,
            limit,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (limit {} = {})",
            self.detail,
            self.bound.name(),
            self.limit
        )
    }
}

/// The bounds of one import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    /// The most an archive may unpack to, whatever its own size (configurable).
    pub max_unpacked_bytes: u64,
    /// The most an archive may unpack to per byte of its own size: shapefiles and workbooks
    /// compress 3–20×, zip bombs 1,000× and more.
    pub unpack_ratio: u64,
    /// What a small archive may always unpack to, whatever the ratio.
    pub unpack_floor: u64,
    pub max_features: usize,
    /// Vertices of one geometry (as for a geometry sent in a JSON body).
    pub max_vertices: usize,
    /// Vertices of all of an import's features.
    pub max_total_vertices: usize,
    /// JSON values of a GeoJSON import besides its coordinates.
    pub max_values: usize,
    pub max_rows: usize,
    pub max_columns: usize,
    pub max_cells: usize,
}

impl UploadLimits {
    pub const DEFAULT_MAX_UNPACKED_BYTES: u64 = 512 * 1024 * 1024;
    pub const DEFAULT_MAX_FEATURES: usize = 200_000;
}

impl Default for UploadLimits {
    fn default() -> Self {
        Self {
            max_unpacked_bytes: Self::DEFAULT_MAX_UNPACKED_BYTES,
            unpack_ratio: 100,
            unpack_floor: 16 * 1024 * 1024,
            max_features: Self::DEFAULT_MAX_FEATURES,
            max_vertices: crate::spatial::input::MAX_VERTICES,
            max_total_vertices: 5_000_000,
            max_values: 5_000_000,
            max_rows: 100_000,
            max_columns: 100,
            max_cells: 1_000_000,
        }
    }
}

impl UploadLimits {
    /// The bytes an archive of `packed` bytes may unpack to: its ratio, at least the floor, at
    /// most the absolute limit.
    pub fn unpacked_budget(&self, packed: usize) -> u64 {
        (packed as u64)
            .saturating_mul(self.unpack_ratio)
            .max(self.unpack_floor)
            .min(self.max_unpacked_bytes)
    }

    pub fn features(&self, n: usize) -> Result<(), LimitExceeded> {
        if n > self.max_features {
            return Err(LimitExceeded::new(
                Bound::Features,
                self.max_features as u64,
                format!(
                    "the file has more than {} features; split it into several imports",
                    self.max_features
                ),
            ));
        }
        Ok(())
    }

    pub fn vertices(&self, feature: usize, n: usize) -> Result<(), LimitExceeded> {
        if n > self.max_vertices {
            return Err(LimitExceeded::new(
                Bound::Vertices,
                self.max_vertices as u64,
                format!(
                    "feature {feature} has {n} vertices, more than the {} one geometry may have; simplify it",
                    self.max_vertices
                ),
            ));
        }
        Ok(())
    }
}

impl UploadLimits {
    pub fn total_vertices(&self, n: usize) -> Result<(), LimitExceeded> {
        if n > self.max_total_vertices {
            return Err(LimitExceeded::new(
                Bound::TotalVertices,
                self.max_total_vertices as u64,
                format!(
                    "the file's features have more than {} vertices in all; split it into several imports",
                    self.max_total_vertices
                ),
            ));
        }
        Ok(())
    }

    pub fn values(&self, n: usize) -> Result<(), LimitExceeded> {
        if n > self.max_values {
            return Err(LimitExceeded::new(
                Bound::Values,
                self.max_values as u64,
                format!(
                    "the file holds more than {} values besides its coordinates (attributes and the like)",
                    self.max_values
                ),
            ));
        }
        Ok(())
    }
}

/// A reader that refuses to give more than `limit` bytes: the unpacked budget of an archive,
/// shared by its members.
pub struct Bounded<'a, R> {
    inner: R,
    left: &'a mut u64,
    limit: u64,
    what: String,
}

impl<'a, R: Read> Bounded<'a, R> {
    /// `left` is what the archive may still unpack to; reading takes from it.
    pub fn new(inner: R, left: &'a mut u64, limit: u64, what: impl Into<String>) -> Self {
        Self {
            inner,
            left,
            limit,
            what: what.into(),
        }
    }
}

impl<R: Read> Read for Bounded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if *self.left == 0 {
            // One byte more tells a member that ends exactly at the budget from one that goes on.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(std::io::Error::other(LimitExceeded::new(
                    Bound::UnpackedBytes,
                    self.limit,
                    format!(
                        "the archive unpacks to more than {} bytes ({} goes beyond it)",
                        self.limit, self.what
                    ),
                ))),
            };
        }
        let room = buf
            .len()
            .min(usize::try_from(*self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..room])?;
        *self.left -= n as u64;
        Ok(n)
    }
}

impl std::error::Error for LimitExceeded {}

/// The limit behind an I/O error raised by [`Bounded`], if that is what it is.
pub fn limit_of(e: &std::io::Error) -> Option<LimitExceeded> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<LimitExceeded>())
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_follows_the_archive_size_between_a_floor_and_a_ceiling() {
        let l = UploadLimits::default();
        assert_eq!(l.unpacked_budget(1_500), 16 * 1024 * 1024);
        assert_eq!(l.unpacked_budget(1_000_000), 100_000_000);
        assert_eq!(l.unpacked_budget(100_000_000), 512 * 1024 * 1024);
    }

    #[test]
    fn a_bounded_reader_stops_one_byte_past_its_budget() {
        let mut left = 10;
        let mut out = Vec::new();
        let e = Bounded::new(&[0u8; 11][..], &mut left, 10, "a.shp")
            .read_to_end(&mut out)
            .unwrap_err();
        assert_eq!(limit_of(&e).map(|l| l.bound), Some(Bound::UnpackedBytes));
        assert_eq!(out.len(), 10);
        let mut left = 10;
        let mut exact = Vec::new();
        Bounded::new(&[0u8; 10][..], &mut left, 10, "a.shp")
            .read_to_end(&mut exact)
            .unwrap();
        assert_eq!((exact.len(), left), (10, 0));
    }
}
