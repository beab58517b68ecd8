//! Parcels (宗地) as stored: load, query, insert and save, each change kept as a version
//! with its audit entry. Which changes are allowed is `domain::register`'s; `ops::register`
//! runs them under the park's write lock.

use super::audit::{self, Entry};
use super::rows::{ParcelCells, ParcelRow, ParcelValues};
use super::schema::{parcel_versions, parcels};
use super::spatial_sql::{parcel_intersects, pg_parcel_intersects};
use super::{AnyConnection, MultiBackend, StoreError, StoreResult, wire};
use crate::domain::parcel::ParcelStatus;
use crate::domain::register::{Change, Parcel, Stamp};
use crate::spatial::{Bbox, wkb};
use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

pub fn get(conn: &mut AnyConnection, id: i64) -> StoreResult<Parcel> {
    parcels::table
        .find(id)
        .select(ParcelRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("parcel {id}")))?
        .into_parcel()
}

/// The park a parcel belongs to (to take that park's write lock first).
pub fn park_of(conn: &mut AnyConnection, id: i64) -> StoreResult<i64> {
    parcels::table
        .find(id)
        .select(parcels::park_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("parcel {id}")))
}

pub fn code_taken(conn: &mut AnyConnection, park_id: i64, code: &str) -> StoreResult<bool> {
    Ok(parcels::table
        .filter(parcels::park_id.eq(park_id))
        .filter(parcels::code.eq(code))
        .select(parcels::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// Which of `codes` the park has used (retired parcels included).
pub fn codes_taken(
    conn: &mut AnyConnection,
    park_id: i64,
    codes: &[&str],
) -> StoreResult<Vec<String>> {
    Ok(parcels::table
        .filter(parcels::park_id.eq(park_id))
        .filter(parcels::code.eq_any(codes))
        .select(parcels::code)
        .load(conn)?)
}

/// Which of `ids` are parcels of the park.
pub fn members(conn: &mut AnyConnection, park_id: i64, ids: &[i64]) -> StoreResult<Vec<i64>> {
    Ok(parcels::table
        .filter(parcels::id.eq_any(ids))
        .filter(parcels::park_id.eq(park_id))
        .select(parcels::id)
        .load(conn)?)
}

/// Insert a parcel and its first version; returns it with its id.
pub(crate) fn insert(
    conn: &mut AnyConnection,
    parcel: Parcel,
    change: Change,
    note: Option<&str>,
) -> StoreResult<Parcel> {
    let id: i64 = diesel::insert_into(parcels::table)
        .values(ParcelValues::of(&parcel))
        .returning(parcels::id)
        .get_result(conn)?;
    let parcel = Parcel { id, ..parcel };
    record_version(conn, &parcel, change, note)?;
    // A bulk import is audited once, as a whole (see store::audit).
    if change != Change::Imported {
        let entry = Entry::new(change.audit_action(), "parcel", id).park(parcel.park_id);
        audit::record(conn, &parcel.updated, entry.after(snapshot(&parcel)))?;
    }
    Ok(parcel)
}

/// Write a changed parcel, keep the new version, and audit the change from `before`.
pub(crate) fn save(
    conn: &mut AnyConnection,
    before: &Parcel,
    parcel: &Parcel,
    change: Change,
    note: Option<&str>,
) -> StoreResult<()> {
    diesel::update(parcels::table.find(parcel.id))
        .set(ParcelValues::of(parcel))
        .execute(conn)?;
    record_version(conn, parcel, change, note)?;
    let entry = Entry::new(change.audit_action(), "parcel", parcel.id).park(parcel.park_id);
    audit::record(
        conn,
        &parcel.updated,
        entry.before(snapshot(before)).after(snapshot(parcel)),
    )
}

/// The attributes a version keeps, under the same names the API uses.
pub fn snapshot(p: &Parcel) -> serde_json::Value {
    serde_json::json!({
        "code": p.code,
        "name": p.name,
        "location": p.location,
        "zone_id": p.zone_id,
        "land_use": p.land_use,
        "status": p.status.as_str(),
        "far_min": p.planning.far_min,
        "far_max": p.planning.far_max,
        "building_density_min_pct": p.planning.building_density_min_pct,
        "building_density_max_pct": p.planning.building_density_max_pct,
        "green_ratio_min_pct": p.planning.green_ratio_min_pct,
        "green_ratio_max_pct": p.planning.green_ratio_max_pct,
        "height_max_m": p.planning.height_max_m,
        "infrastructure": p.infrastructure,
        "site_levelled": p.site_levelled,
        "clearances": p.clearances,
        "approval_no": p.approval_no,
        "approved_on": p.approved_on,
        "area_m2": p.area_m2,
        "retired_reason": p.retired_reason,
        "version": p.version,
    })
}

pub(crate) fn record_version(
    conn: &mut AnyConnection,
    p: &Parcel,
    change: Change,
    note: Option<&str>,
) -> StoreResult<()> {
    diesel::insert_into(parcel_versions::table)
        .values((
            parcel_versions::parcel_id.eq(p.id),
            parcel_versions::version.eq(p.version),
            parcel_versions::change.eq(change.as_str()),
            parcel_versions::properties.eq(snapshot(p).to_string()),
            parcel_versions::geom.eq(wkb::encode(&p.geometry)),
            parcel_versions::changed_at.eq(p.updated.at),
            parcel_versions::changed_by.eq(&p.updated.by),
            parcel_versions::note.eq(note),
        ))
        .execute(conn)?;
    Ok(())
}

/// Move a parcel to another status as a step of another record's life (supplied by a contract,
/// reserved for an application, returned to the land bank), keeping the version with `note`.
pub(crate) fn set_status(
    conn: &mut AnyConnection,
    parcel: &Parcel,
    status: ParcelStatus,
    note: &str,
    stamp: &Stamp,
) -> StoreResult<()> {
    let mut next = parcel.clone();
    next.status = status;
    next.version += 1;
    next.updated = stamp.clone();
    save(conn, parcel, &next, Change::Updated, Some(note))
}

/// Filters of a parcel listing. Without `statuses`, only active parcels are listed.
#[derive(Debug, Clone, Default)]
pub struct ParcelQuery {
    pub park_id: Option<i64>,
    /// Only these parks (what the caller may read); `None`: every park.
    pub visible_parks: Option<Vec<i64>>,
    pub zone_id: Option<i64>,
    pub statuses: Option<Vec<ParcelStatus>>,
    /// A land-use class; matches its subclasses (`1001` finds `100101`). Digits only.
    pub land_use: Option<String>,
    pub code: Option<String>,
    pub bbox: Option<Bbox>,
    /// Last change at or after / at or before (UTC).
    pub updated_from: Option<NaiveDateTime>,
    pub updated_to: Option<NaiveDateTime>,
    /// A CQL2 filter (checked against the queryables).
    pub filter: Option<super::cql::Filter>,
    /// `sortby`: queryables, descending when true; then the id.
    pub sort: Vec<(&'static super::cql::Queryable, bool)>,
    /// Only parcels the land watch can flag: with a supply record, the `supplied` status or a
    /// recorded approval (the rest can be neither idle nor 五未).
    pub watchable: bool,
}

/// Where a page starts: after skipping `n` rows, or after a key (the `next` link's, so a deep
/// page costs what the first one costs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    Offset(i64),
    /// After the parcel with this id (ids ascending).
    After(i64),
}

/// What a page says besides its parcels: whether more follow, how many match in all — counted
/// on the first page only, where a client reads it (GDAL, QGIS); a deeper page would pay a
/// whole count for a number the client already has — and the last parcel's id (where the
/// `next` link continues).
#[derive(Debug, Clone, Copy, Default)]
pub struct Paged {
    pub more: bool,
    pub matched: Option<i64>,
    pub last_id: Option<i64>,
}

/// The status tests of a listing, written as constants (the statuses' own names, never a
/// caller's text). The partial index `parcels_active_id` (`WHERE status <> 'retired'`) serves
/// a plan only where the query's status test is known to imply its predicate. Bound as a
/// parameter, the status is known to a custom plan but not to a generic one, and a listing
/// without a bbox was a prepared statement: after five executions on a connection PostgreSQL
/// settled on the generic plan, which walked the primary key reading every row it skipped —
/// a page at offset 150,000 went from 11 to 25 ms (docs/performance.md, "Deep pages"). SQLite
/// never proves a partial index from a bound value: there the same page took 33.5 ms, now 9.7.
/// With the constants, the index serves any plan; and diesel prepares no statement holding an
/// SQL literal, so each listing is planned with its own values.
fn not_retired() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    sql("parcels.status <> 'retired'")
}

/// The listing's statuses (see [`not_retired`]); none asked, none matched.
fn status_in(list: &[ParcelStatus]) -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    if list.is_empty() {
        return sql("1 = 0");
    }
    let names: Vec<String> = list.iter().map(|s| format!("'{}'", s.as_str())).collect();
    sql(&format!("parcels.status IN ({})", names.join(", ")))
}

/// The filters of a parcel query, written once for the two types a query can have: the
/// register's, for either store (`MultiBackend`, [`filtered`]), and PostgreSQL's own, which a
/// page reads row by row ([`PgListing`]). `$bbox` is the backend's spatial test; a CQL2
/// filter is added by [`filtered`] alone.
macro_rules! filters {
    ($q:expr, $db:ty, bbox: $bbox:expr) => {{
        let q: &ParcelQuery = $q;
        let mut query = parcels::table.into_boxed::<$db>();
        if let Some(v) = q.park_id {
            query = query.filter(parcels::park_id.eq(v));
        }
        if let Some(v) = q.zone_id {
            query = query.filter(parcels::zone_id.eq(v));
        }
        if let Some(parks) = &q.visible_parks {
            query = query.filter(parcels::park_id.eq_any(parks.clone()));
        }
        match &q.statuses {
            Some(list) => query = query.filter(status_in(list)),
            None => query = query.filter(not_retired()),
        }
        if let Some(v) = &q.land_use {
            // Digits only (checked at the edge), so no LIKE wildcard can slip in.
            query = query.filter(parcels::land_use.like(format!("{v}%")));
        }
        if let Some(v) = &q.code {
            query = query.filter(parcels::code.eq(v.clone()));
        }
        if let Some(b) = q.bbox {
            query = query.filter($bbox(b));
        }
        if let Some(v) = q.updated_from {
            query = query.filter(parcels::updated_at.ge(v));
        }
        if let Some(v) = q.updated_to {
            query = query.filter(parcels::updated_at.le(v));
        }
        if q.watchable {
            use super::schema::land_supplies;
            let supplied = land_supplies::table.select(land_supplies::parcel_id);
            query = query.filter(
                parcels::id
                    .eq_any(supplied)
                    .or(parcels::status.eq("supplied"))
                    .or(parcels::approved_on.is_not_null()),
            );
        }
        query
    }};
}

fn filtered(
    q: &ParcelQuery,
    backend: super::Backend,
) -> parcels::BoxedQuery<'static, MultiBackend> {
    let mut query = filters!(q, MultiBackend, bbox: |b| parcel_intersects(backend, b));
    if let Some(f) = &q.filter {
        query = query.filter(super::cql::to_sql(f, backend));
    }
    query
}

/// A listing PostgreSQL's own connection can read: one without a CQL2 filter, whose SQL is
/// written for either store only (such a page is read through [`filtered`]).
struct PgListing<'q>(&'q ParcelQuery);

impl<'q> PgListing<'q> {
    fn of(q: &'q ParcelQuery) -> Option<Self> {
        q.filter.is_none().then_some(PgListing(q))
    }

    /// [`filtered`] typed for a `PgConnection`.
    fn filtered(&self) -> parcels::BoxedQuery<'static, diesel::pg::Pg> {
        filters!(self.0, diesel::pg::Pg, bbox: pg_parcel_intersects)
    }
}

/// Every parcel matching, in id order (exports, replays, the public plots' search).
pub fn all(conn: &mut AnyConnection, q: &ParcelQuery) -> StoreResult<Vec<Parcel>> {
    filtered(q, conn.backend())
        .select(ParcelRow::as_select())
        .order(parcels::id)
        .load::<ParcelRow>(conn)?
        .into_iter()
        .map(ParcelRow::into_parcel)
        .collect()
}

/// A parcel of a page as it was read: whole, or as its row's cells (PostgreSQL's pages
/// without a CQL2 filter, [`ParcelCells`]).
pub enum PageParcel {
    Whole(Parcel),
    Cells(ParcelCells),
}

impl PageParcel {
    pub fn into_parcel(self) -> Parcel {
        match self {
            PageParcel::Whole(p) => p,
            PageParcel::Cells(c) => c.into_parcel(),
        }
    }
}

/// A row a page reads: its id (the page's key) and the parcel it gives.
trait PageRow {
    fn id(&self) -> i64;
    fn read(self) -> StoreResult<PageParcel>;
}

impl PageRow for ParcelRow {
    fn id(&self) -> i64 {
        self.id
    }

    fn read(self) -> StoreResult<PageParcel> {
        self.into_parcel().map(PageParcel::Whole)
    }
}

impl PageRow for ParcelCells {
    fn id(&self) -> i64 {
        self.id
    }

    fn read(self) -> StoreResult<PageParcel> {
        Ok(PageParcel::Cells(self))
    }
}

/// A page of parcels in id order: `limit` of them from `start`, one more read to know whether
/// more follow, and the total number matching on the first page.
///
/// The query shapes are the planner's (measured on 200,000 parcels, see `benches/README.md`
/// and `docs/performance.md`):
/// - with a bbox, the first page counts with `count(*) OVER ()` and orders by `id + 0`, so the
///   spatial index selects the few matching rows and they are sorted — ordering by plain `id`
///   lets PostgreSQL walk the primary key testing every row for small limits (60–100 ms
///   instead of 5 ms);
/// - without one, the page walks the primary key and the total is a separate `count(*)` on the
///   first page (a window over the whole register would materialise every row), skipped when
///   that page is not full;
/// - a page after a key (`id > after`) walks the primary key from there: page 150 costs what
///   page 1 costs;
/// - a page at an offset finds its first id with a narrow subquery (ids only, no geometry) and
///   reads the page from there, so the rows skipped are never built.
pub fn query(
    conn: &mut AnyConnection,
    q: &ParcelQuery,
    limit: i64,
    start: Start,
) -> StoreResult<Vec<Parcel>> {
    let mut items = Vec::new();
    query_each(conn, None, q, limit, start, |p| items.push(p.into_parcel()))?;
    Ok(items)
}

/// [`query`], each parcel handed to `each` as its row is read: the map page writes a parcel's
/// feature and drops it before the next row is decoded, so a page never holds its parcels
/// twice (docs/performance.md, "A map page written as it is read").
pub fn query_each(
    conn: &mut AnyConnection,
    wire: Option<&mut wire::Slot>,
    q: &ParcelQuery,
    limit: i64,
    start: Start,
    mut each: impl FnMut(PageParcel),
) -> StoreResult<Paged> {
    let backend = conn.backend();
    let first_page = start == Start::Offset(0);
    // One row more than the page: whether more follow.
    let read = limit.saturating_add(1);
    let wanted = usize::try_from(limit).unwrap_or(0);
    let mut paged = Paged::default();
    let mut returned = 0;
    // The last row read, to say where an unreadable one stood.
    let mut last_read = None;
    // Whether the row with this id is the page's (the one past it only says more follow).
    let mut keep = |id: i64| -> bool {
        if returned == wanted {
            paged.more = true;
            return false;
        }
        returned += 1;
        paged.last_id = Some(id);
        true
    };
    // The page's rows from `start` on, in the page's order.
    macro_rules! started {
        ($filtered:expr) => {{
            let mut page = $filtered;
            match start {
                Start::After(id) => page = page.filter(parcels::id.gt(id)),
                Start::Offset(0) => {}
                Start::Offset(n) if q.bbox.is_some() || !q.sort.is_empty() => page = page.offset(n),
                Start::Offset(n) => {
                    let first = $filtered
                        .select(parcels::id)
                        .order(parcels::id)
                        .offset(n)
                        .limit(1)
                        .single_value();
                    page = page.filter(parcels::id.nullable().ge(first));
                }
            }
            ordered(page, q)
        }};
    }
    // Whether the page counts its matches as it reads them (a box's first page).
    let counting = q.bbox.is_some() && first_page;
    // The same page in either type. On PostgreSQL it is read row by row, as cells: libpq
    // hands over each row as it arrives, so decoding and writing the features overlap
    // PostgreSQL sending the rest, where the whole result would be awaited first
    // (docs/performance.md, "Rows as they arrive", "A map row in one piece").
    macro_rules! read_page {
        ($conn:expr, $filtered:expr, $mode:ty, $select:expr, $row:ty) => {{
            let page = started!($filtered);
            if counting {
                let mut counted = None;
                let rows = page
                    .select(($select, sql::<BigInt>("count(*) OVER ()")))
                    .limit(read)
                    .load_iter::<($row, i64), $mode>($conn)?;
                for row in rows {
                    let (row, n) = readable(row, last_read)?;
                    counted.get_or_insert(n);
                    last_read = Some(PageRow::id(&row));
                    if keep(PageRow::id(&row)) {
                        each(PageRow::read(row)?);
                    }
                }
                Some(counted.unwrap_or(0))
            } else {
                let rows = page
                    .select($select)
                    .limit(read)
                    .load_iter::<$row, $mode>($conn)?;
                for row in rows {
                    let row = readable(row, last_read)?;
                    last_read = Some(PageRow::id(&row));
                    if keep(PageRow::id(&row)) {
                        each(PageRow::read(row)?);
                    }
                }
                None
            }
        }};
    }
    let counted = match (&mut *conn, PgListing::of(q)) {
        (AnyConnection::Postgresql(pg), Some(listing)) => {
            // The connection's wire client, where it has one (`store::wire`): a connection
            // that has none does not build the wire's statement for every page.
            let wire = match wire {
                Some(slot) => slot.client(pg).is_some().then_some(slot),
                None => None,
            };
            let on_wire = match wire {
                Some(slot) => {
                    let page = started!(listing.filtered());
                    read_on_wire(pg, slot, page, read, counting, &mut |cells| {
                        if keep(cells.id) {
                            each(PageParcel::Cells(cells));
                        }
                    })?
                }
                None => None,
            };
            match on_wire {
                Some(counted) => counted,
                None => {
                    let read = (|| -> StoreResult<Option<i64>> {
                        Ok(read_page!(
                            pg,
                            listing.filtered(),
                            diesel::pg::PgRowByRowLoadingMode,
                            <ParcelRow as Selectable<diesel::pg::Pg>>::construct_selection(),
                            ParcelCells
                        ))
                    })();
                    if read.is_err() {
                        // A result read row by row and left early (a row that would not
                        // decode) is drained when its cursor is dropped, but diesel stops at
                        // an error met while draining and leaves libpq waiting for the
                        // result's end: the next query on the connection would be refused.
                        // A plain query drains whatever is left.
                        let _ = diesel::connection::SimpleConnection::batch_execute(pg, "SELECT 1");
                    }
                    read?
                }
            }
        }
        (other, _) => read_page!(
            other,
            filtered(q, backend),
            diesel::connection::DefaultLoadingMode,
            ParcelRow::as_select(),
            ParcelRow
        ),
    };
    paged.matched = match counted {
        Some(n) => Some(n),
        None if first_page && !paged.more => Some(returned as i64),
        None if first_page => Some(filtered(q, backend).count().get_result(conn)?),
        None => None,
    };
    Ok(paged)
}

/// A PostgreSQL page read through the connection's wire client ([`wire`]): diesel's statement
/// for `page`, its rows decoded straight from the protocol's bytes into cells and handed to
/// `row` in order. `Ok(None)` when the page is to be read through libpq instead: the
/// statement needs a type rust-postgres does not know, the connection has no wire client, or
/// the client failed before the first row (it is closed). `Ok(Some(count))` otherwise, the
/// count being the window's (`counting`) or `None`.
fn read_on_wire(
    pg: &mut diesel::PgConnection,
    slot: &mut wire::Slot,
    page: parcels::BoxedQuery<'static, diesel::pg::Pg>,
    read: i64,
    counting: bool,
    row: &mut dyn FnMut(ParcelCells),
) -> StoreResult<Option<Option<i64>>> {
    let selection = <ParcelRow as Selectable<diesel::pg::Pg>>::construct_selection();
    let statement = if counting {
        let counted = page
            .select((selection, sql::<BigInt>("count(*) OVER ()")))
            .limit(read);
        wire::statement(&counted, pg)?
    } else {
        wire::statement(&page.select(selection).limit(read), pg)?
    };
    let Some(statement) = statement else {
        return Ok(None);
    };
    let mut counted = None;
    let mut last_read: Option<i64> = None;
    let read = slot.read(pg, &statement, |next| {
        if last_read.is_none() {
            ParcelCells::check_columns(next.columns())?;
        }
        let cells = ParcelCells::from_wire(next).map_err(|e| unreadable(e, last_read))?;
        if counting && counted.is_none() {
            counted = Some(
                next.try_get::<_, i64>(ParcelCells::COLUMNS.len())
                    .map_err(|e| unreadable(e, last_read))?,
            );
        }
        last_read = Some(cells.id);
        row(cells);
        Ok(())
    })?;
    Ok(read.map(|()| counted))
}

/// A page's row, or what made it unreadable — a stored value no parcel can hold — said as
/// such, with where in the page it stood.
fn readable<T>(row: QueryResult<T>, after: Option<i64>) -> StoreResult<T> {
    row.map_err(|e| match e {
        diesel::result::Error::DeserializationError(e) => unreadable(e, after),
        e => e.into(),
    })
}

/// A row that would not decode, said with where in the page it stood.
fn unreadable(e: impl std::fmt::Display, after: Option<i64>) -> StoreError {
    StoreError::Corrupt(match after {
        Some(id) => format!("a stored parcel after parcel {id} is unreadable: {e}"),
        None => format!("a stored parcel is unreadable: {e}"),
    })
}

/// The page's order: `sortby`'s keys then the id; or the id alone — as `id + 0` with a bbox,
/// so PostgreSQL selects by the spatial index and sorts the few rows found (see [`query`]).
fn ordered<DB>(
    page: parcels::BoxedQuery<'static, DB>,
    q: &ParcelQuery,
) -> parcels::BoxedQuery<'static, DB>
where
    DB: diesel::backend::Backend + 'static,
    diesel::expression::SqlLiteral<BigInt>: diesel::query_builder::QueryFragment<DB>,
    parcels::id: diesel::query_builder::QueryFragment<DB>,
{
    if q.sort.is_empty() {
        return if q.bbox.is_some() {
            page.order(sql::<BigInt>("parcels.id + 0"))
        } else {
            page.order(parcels::id)
        };
    }
    // NULLs last either way, as both backends can say it.
    let keys: Vec<String> = q
        .sort
        .iter()
        .flat_map(|(key, descending)| {
            let direction = if *descending { "DESC" } else { "ASC" };
            [
                format!("{} IS NULL", key.column()),
                format!("{} {direction}", key.column()),
            ]
        })
        .collect();
    let mut page = page.order(sql::<BigInt>(&keys[0]));
    for key in &keys[1..] {
        page = page.then_order_by(sql::<BigInt>(key));
    }
    page.then_order_by(parcels::id)
}

/// The properties of a parcels tile and their SQL: at low zoom the first three (what a map
/// colours by), at high zoom all of them — plain columns, rounded as the features round them,
/// so PostGIS writes the same tile the Rust writer does on SQLite.
const TILE_PROPERTIES: [(&str, &str); 20] = [
    ("code", "parcels.code"),
    ("status", "parcels.status"),
    ("land_use", "parcels.land_use"),
    ("name", "parcels.name"),
    ("location", "parcels.location"),
    ("park_id", "parcels.park_id"),
    ("zone_id", "parcels.zone_id"),
    // Rounded as `AreaM2::m2_display`/`mu_display` round, in the same float operations (half
    // away from zero; an area is positive), so a tile and its item agree to the bit. Rounding
    // through `numeric` cost a seventh of a z16 tile's query.
    ("area_m2", "floor(parcels.area_m2 * 100 + 0.5) / 100"),
    (
        "area_mu",
        "floor(parcels.area_m2 / (10000::float8 / 15) * 10000 + 0.5) / 10000",
    ),
    ("far_min", "parcels.far_min"),
    ("far_max", "parcels.far_max"),
    (
        "building_density_min_pct",
        "parcels.building_density_min_pct",
    ),
    (
        "building_density_max_pct",
        "parcels.building_density_max_pct",
    ),
    ("green_ratio_min_pct", "parcels.green_ratio_min_pct"),
    ("green_ratio_max_pct", "parcels.green_ratio_max_pct"),
    ("height_max_m", "parcels.height_max_m"),
    ("site_levelled", "parcels.site_levelled"),
    ("approval_no", "parcels.approval_no"),
    ("approved_on", "to_char(parcels.approved_on, 'YYYY-MM-DD')"),
    ("version", "parcels.version"),
];

/// The names of a parcels tile's properties: at low zoom, or at high zoom.
pub fn tile_properties(full: bool) -> &'static [&'static str] {
    const NAMES: [&str; 20] = {
        let mut names = [""; 20];
        let mut i = 0;
        while i < 20 {
            names[i] = TILE_PROPERTIES[i].0;
            i += 1;
        }
        names
    };
    if full { &NAMES } else { NAMES.split_at(3).0 }
}

/// Parcel tiles kept until the register changes, by the query, tile and property set they
/// were written for.
pub type TileMemo = super::memo::StampedMemo<String, u8>;

/// A parcels tile, kept in `memo` while the register stays as it was. PostGIS writes it
/// ([`tile`]); on SQLite `write` does, in Rust, from the same parcels. The key is the whole
/// query as written out by `Debug` — the filters, the tile and the property set, and the
/// caller's parks unless the query names a park among them (the parcels are then the same
/// for every reader of that park: a committee, the bureau and an administrator share its
/// tiles) — so two requests share a tile only when they ask for the same one. A memo of no
/// bytes keeps nothing. An empty tile is empty bytes.
pub fn tile_kept(
    conn: &mut AnyConnection,
    memo: &TileMemo,
    q: &ParcelQuery,
    t: crate::spatial::mvt::Tile,
    layer: &str,
    full: bool,
    write: impl FnOnce(&mut AnyConnection) -> StoreResult<Vec<u8>>,
) -> StoreResult<std::sync::Arc<Vec<u8>>> {
    let written = |conn: &mut AnyConnection| match conn.backend() {
        super::Backend::Postgres => Ok(tile(conn, q, t, layer, full)?.unwrap_or_default()),
        super::Backend::Sqlite if !full => overview_tile(conn, q, t, layer),
        super::Backend::Sqlite => write(conn),
    };
    if memo.budget() == 0 {
        return written(conn).map(std::sync::Arc::new);
    }
    let stamp = super::audit::register_head(conn)?;
    let mut keyed = q.clone();
    if let (Some(park), Some(visible)) = (keyed.park_id, &keyed.visible_parks)
        && visible.contains(&park)
    {
        keyed.visible_parks = None;
    }
    let key = format!("{keyed:?}|{t:?}|{layer}|{full}");
    memo.get(key, stamp, || written(conn))
}

/// A parcels tile below the zoom of every property (`q`'s bbox the tile's), written in Rust on
/// SQLite from the columns
/// it carries (the id, the footprint, [`tile_properties`]`(false)`) — what `ST_AsMVT` is given
/// on PostGIS. A large park's overview tile holds ~20,000 parcels; building full parcels and
/// their API properties for it cost several times the tile itself.
fn overview_tile(
    conn: &mut AnyConnection,
    q: &ParcelQuery,
    t: crate::spatial::mvt::Tile,
    layer: &str,
) -> StoreResult<Vec<u8>> {
    let rows: Vec<(i64, Vec<u8>, String, String, String)> = filtered(q, conn.backend())
        .select((
            parcels::id,
            parcels::geom,
            parcels::code,
            parcels::status,
            parcels::land_use,
        ))
        .order(parcels::id)
        .load(conn)?;
    let names = tile_properties(false);
    debug_assert_eq!(names, ["code", "status", "land_use"]);
    let mut writer = crate::spatial::mvt::LayerWriter::new(t, layer);
    for (id, geom, code, status, land_use) in rows {
        let values = [
            serde_json::Value::String(code),
            serde_json::Value::String(status),
            serde_json::Value::String(land_use),
        ];
        writer.add(
            u64::try_from(id).ok(),
            &super::rows::decode_geometry(&geom)?,
            names.iter().copied().zip(values.iter()),
        );
    }
    let mut bytes = Vec::new();
    writer.finish(&mut bytes);
    Ok(bytes)
}

/// A vector tile of the parcels matching `q` (its bbox the tile's, widened by
/// `mvt::READ_MARGIN`), written by PostGIS's `ST_AsMVT` with [`tile_properties`] — so no row
/// reaches Rust. The box is an
/// index test only (`&&`): `ST_AsMVTGeom` clips, and drops what lies outside. `None` on
/// SQLite, where the tile is written in Rust from the same parcels; an empty tile is empty
/// bytes.
pub fn tile(
    conn: &mut AnyConnection,
    q: &ParcelQuery,
    tile: crate::spatial::mvt::Tile,
    layer: &str,
    full: bool,
) -> StoreResult<Option<Vec<u8>>> {
    use diesel::sql_types::{Integer, Nullable};
    let backend = conn.backend();
    if backend != super::Backend::Postgres {
        return Ok(None);
    }
    let mut q = q.clone();
    let bbox = q.bbox.take();
    let count = if full { TILE_PROPERTIES.len() } else { 3 };
    let columns: String = TILE_PROPERTIES[..count]
        .iter()
        .map(|(name, sql)| format!(", {sql} AS {name}"))
        .collect();
    let features = sql::<Nullable<diesel::sql_types::Binary>>(
        "ST_AsMVTGeom(ST_Transform(parcels.geom, 3857), ST_TileEnvelope(",
    )
    .bind::<Integer, _>(i32::from(tile.z))
    .sql(", ")
    .bind::<Integer, _>(tile.x as i32)
    .sql(", ")
    .bind::<Integer, _>(tile.y as i32)
    .sql(&format!(
        "), 4096, 64, true) AS geom, parcels.id AS id{columns}"
    ));
    let mut query = filtered(&q, backend);
    if let Some(b) = bbox {
        query = query.filter(super::spatial_sql::parcel_extent_meets(backend, b));
    }
    let bytes: Option<Vec<u8>> = MvtOf {
        features: query.select(features),
        layer: layer.to_owned(),
    }
    .get_result(conn)?;
    Ok(Some(bytes.unwrap_or_default()))
}

/// `SELECT ST_AsMVT(t, layer, 4096, 'geom', 'id') FROM (features) AS t`: the tile of a query
/// of features, the aggregate over a subquery in FROM (Martin's and PostGIS's documented
/// form). It was 7–10 % slower for PostgreSQL than the aggregate over a row subquery per
/// feature only while the planner could give it parallel workers, which parkland's
/// connections no longer have (`store::prepare_postgres`; docs/performance.md).
struct MvtOf<Q> {
    features: Q,
    layer: String,
}

impl<Q> diesel::query_builder::QueryId for MvtOf<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> diesel::query_builder::Query for MvtOf<Q> {
    type SqlType = diesel::sql_types::Nullable<diesel::sql_types::Binary>;
}

impl<Q> diesel::query_builder::QueryFragment<MultiBackend> for MvtOf<Q>
where
    Q: diesel::query_builder::QueryFragment<MultiBackend>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, MultiBackend>,
    ) -> QueryResult<()> {
        out.unsafe_to_cache_prepared();
        out.push_sql("SELECT ST_AsMVT(t, ");
        out.push_bind_param::<diesel::sql_types::Text, _>(&self.layer)?;
        out.push_sql(", 4096, 'geom', 'id') FROM (");
        self.features.walk_ast(out.reborrow())?;
        out.push_sql(") AS t");
        Ok(())
    }
}

impl<Q> RunQueryDsl<AnyConnection> for MvtOf<Q> {}

/// How many parcels match `q` (its bbox ignored).
pub fn count(conn: &mut AnyConnection, q: &ParcelQuery) -> StoreResult<i64> {
    let backend = conn.backend();
    Ok(filtered(q, backend).count().get_result(conn)?)
}

/// The park a parcel belongs to, for the access policy.
pub fn scope(
    conn: &mut AnyConnection,
    parcel_id: i64,
) -> StoreResult<crate::domain::access::ParkScope> {
    let park_id = park_of(conn, parcel_id)?;
    super::parks::scope(conn, park_id)
}

/// Codes of the given parcels (for lists that name them).
pub fn codes(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> StoreResult<std::collections::HashMap<i64, String>> {
    Ok(parcels::table
        .filter(parcels::id.eq_any(ids))
        .select((parcels::id, parcels::code))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// Store the plane area of parcels written before it was kept (`plane_area_epsg` NULL), a
/// thousand at a time, each batch in a transaction of its own; returns how many were measured.
/// Run once at start-up on a thread of its own; until a row is measured, reading it measures
/// it ([`super::rows::stored_plane_area`]), so the figures are the same either way. The row's
/// version is part of the condition: a parcel changed meanwhile was measured by its change.
pub fn store_plane_areas(conn: &mut AnyConnection) -> StoreResult<usize> {
    const BATCH: i64 = 1000;
    let (mut after, mut measured) = (0_i64, 0_usize);
    loop {
        let rows: Vec<(i64, i64, Vec<u8>)> = parcels::table
            .filter(parcels::plane_area_epsg.is_null())
            .filter(parcels::id.gt(after))
            .select((parcels::id, parcels::version, parcels::geom))
            .order(parcels::id)
            .limit(BATCH)
            .load(conn)?;
        let Some(last) = rows.last() else {
            return Ok(measured);
        };
        after = last.0;
        let figures: Vec<(i64, i64, Option<f64>, Option<i32>)> = rows
            .iter()
            .map(|(id, version, geom)| {
                let plane =
                    crate::spatial::measure::plane_area_m2(&super::rows::decode_geometry(geom)?);
                let (m2, epsg) = super::rows::plane_area_columns(plane);
                Ok((*id, *version, m2, epsg))
            })
            .collect::<StoreResult<_>>()?;
        super::write_tx(conn, |conn| {
            for (id, version, m2, epsg) in &figures {
                diesel::update(
                    parcels::table
                        .filter(parcels::id.eq(id))
                        .filter(parcels::version.eq(version))
                        .filter(parcels::plane_area_epsg.is_null()),
                )
                .set((
                    parcels::plane_area_m2.eq(m2),
                    parcels::plane_area_epsg.eq(epsg),
                ))
                .execute(conn)?;
            }
            Ok(())
        })?;
        measured += figures.len();
    }
}
