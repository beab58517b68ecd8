//! A page of a collection's items: the OGC API paging members and links around the
//! features, the in-memory filters of the computed layers, and item ids from paths. Shared by
//! every collection's handlers, so no handler file needs another.

use super::stream::Sink;
use super::{CollectionId, Written};
use crate::api::http::extract::base_url;
use crate::api::http::params::items::{ItemsParams, PageLinks};
use crate::api::{AppState, GEOJSON};
use crate::error::ApiError;
use crate::spatial::Bbox;
use crate::spatial::mvt::{LayerWriter, Tile};
use crate::store::parcels::{PageParcel, Paged};
use crate::store::StoreResult;
use crate::views::{Feature, FeatureId, Link, ParcelProperties, json};
use actix_web::HttpRequest;
use chrono::NaiveDateTime;
use geo::{Intersects, MultiPolygon, Rect};
use serde::Serialize;
use serde_json::Value;

/// What a page of items says besides its features — links, counts, time stamp — taken from
/// the request on the HTTP worker, so the features can be built and written on the blocking
/// pool ([`Page::write`]), where a page of thousands of features costs no worker any time.
pub(super) struct Page {
    items_url: String,
    collection_url: String,
    params: PageLinks,
    matched: Option<i64>,
    next: Next,
    time_stamp: String,
    /// Write the page as this vector tile (the request came as one).
    tile: Option<(Tile, CollectionId)>,
}

/// A feature with only the properties asked for (`properties=`).
fn selected<'a, P: Serialize>(f: Feature<'a, P>, keep: &[String]) -> Feature<'a, Value> {
    let properties = match serde_json::to_value(&f.properties) {
        Ok(Value::Object(mut all)) => {
            Value::Object(keep.iter().filter_map(|k| all.remove_entry(k)).collect())
        }
        Ok(other) => other,
        Err(_) => Value::Null,
    };
    Feature {
        kind: f.kind,
        id: f.id,
        geometry: f.geometry,
        properties,
        links: f.links,
    }
}

/// How the `next` link continues.
enum Next {
    /// By offset, while `offset + returned < matched` (layers paged in memory).
    ByOffset,
    /// After the last key, when more follow (the parcels, paged in the database).
    AfterKey(Option<i64>),
    /// By offset, when more follow (the parcels in another order than their ids).
    OffsetIfMore(bool),
}

impl Page {
    pub(super) fn new<F, G>(
        req: &HttpRequest,
        state: &AppState,
        collection: CollectionId,
        params: &ItemsParams<F, G>,
        matched: i64,
    ) -> Self {
        let base = base_url(req, state);
        Self {
            items_url: format!("{base}/collections/{}/items", collection.id()),
            collection_url: format!("{base}/collections/{}", collection.id()),
            params: params.links(),
            matched: Some(matched),
            next: Next::ByOffset,
            tile: params.tile.map(|t| (t, collection)),
            time_stamp: state
                .clock
                .now()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }

    /// The number of items matched, when it is known only once the items are filtered.
    pub(super) fn matched(mut self, matched: i64) -> Self {
        self.matched = Some(matched);
        self
    }

    /// A page read from the database in another order than by key (`sortby`): the `next`
    /// link continues by offset.
    fn sorted(&mut self, page: &Paged) {
        self.matched = page.matched;
        self.next = Next::OffsetIfMore(page.more);
    }

    /// A page read from the database by key: the `next` link carries `after=` the last id when
    /// more follow, and the total is given where it was counted (the first page).
    fn keyed(&mut self, page: &Paged) {
        self.matched = page.matched;
        self.next = Next::AfterKey(page.last_id.filter(|_| page.more));
    }

    /// Start writing the page as GeoJSON, for about `expected` features.
    pub(super) fn body(self, expected: usize) -> Body {
        debug_assert!(
            self.tile.is_none(),
            "a tile is written whole by Page::write"
        );
        // A parcel feature is about 850 bytes of GeoJSON; parks and zones are fewer. A page
        // asks for up to `limit` features and may hold three: no more than a map page's
        // worth is reserved before any is written.
        self.body_of(1024 * (expected.min(1000) + 1), None)
    }

    /// Start writing the page as GeoJSON into `sink`, a piece at a time ([`Body::end`]).
    pub(super) fn streamed(self, sink: Sink) -> Body {
        // A piece and the feature that overfills it.
        self.body_of(Sink::PIECE + 4096, Some(sink))
    }

    fn body_of(self, capacity: usize, sink: Option<Sink>) -> Body {
        let mut bytes = Vec::with_capacity(capacity);
        bytes.extend_from_slice(br#"{"type":"FeatureCollection","features":["#);
        Body {
            page: self,
            bytes,
            returned: 0,
            failed: None,
            sink,
        }
    }

    /// What the page's bytes depend on besides the register: its address (as its links write
    /// it), the request's query, and the parks its caller sees — with the register's version,
    /// its ETag when it is sent as written ([`super::stream`]).
    pub(super) fn version_key(&self, query: &str, visible_parks: Option<&[i64]>) -> String {
        format!("{}?{query}\n{visible_parks:?}", self.items_url)
    }

    /// The page as GeoJSON with the OGC API paging members and links.
    pub(super) fn write<P: Serialize>(
        self,
        features: Vec<Feature<'_, P>>,
    ) -> Result<Written, ApiError> {
        if let Some((tile, collection)) = self.tile {
            return Ok(write_tile(
                tile,
                collection,
                self.params.properties.as_deref(),
                &features,
            ));
        }
        let mut body = self.body(features.len());
        for f in features {
            body.push(f);
        }
        body.finish()
    }
}

/// A page's GeoJSON written a feature at a time — for the parcels, as their rows are read
/// ([`Body::parcel`]) — then closed by the links and counts, which follow the features and so
/// may depend on what was read: whether more follow, the last id.
pub(super) struct Body {
    page: Page,
    bytes: Vec<u8>,
    returned: usize,
    /// The first feature serde could not write (none can: kept to be reported, not dropped).
    failed: Option<ApiError>,
    /// Where the page goes as it is written; without one it is returned whole.
    sink: Option<Sink>,
}

impl Body {
    /// The feature as the request asks: in its `crs`, without geometry, or with only some
    /// properties.
    fn asked<'a, P>(&self, f: Feature<'a, P>) -> Feature<'a, P> {
        let f = f.written_in(self.page.params.coordinates);
        if self.page.params.skip_geometry {
            f.without_geometry()
        } else {
            f
        }
    }

    /// The comma before every feature but the first.
    fn separate(&mut self) {
        if self.returned > 0 {
            self.bytes.push(b',');
        }
        self.returned += 1;
    }

    /// A feature written through serde.
    pub(super) fn push<P: Serialize>(&mut self, f: Feature<'_, P>) {
        let f = self.asked(f);
        self.separate();
        let out = &mut self.bytes;
        let written = match &self.page.params.properties {
            Some(keep) => serde_json::to_writer(out, &selected(f, keep)),
            None => serde_json::to_writer(out, &f),
        };
        if let Err(e) = written {
            self.failed.get_or_insert(ApiError::internal(&e));
        }
        self.send_when_full();
    }

    /// Send the page so far once it fills a piece, when it is sent as written.
    fn send_when_full(&mut self) {
        if let Some(sink) = &mut self.sink
            && self.bytes.len() >= Sink::PIECE
        {
            let capacity = self.bytes.capacity();
            sink.send(std::mem::replace(
                &mut self.bytes,
                Vec::with_capacity(capacity),
            ));
        }
    }

    /// A parcel, written by hand (`views::json`: the same bytes as serde's; with
    /// `properties=`, the same members), the map page's and the dashboard's hot path.
    pub(super) fn parcel(&mut self, p: &PageParcel) {
        let f = match p {
            PageParcel::Whole(p) => Feature::new(p.id, &p.geometry, ParcelProperties::of(p)),
            PageParcel::Cells(c) => Feature::new(c.id, &c.geometry, ParcelProperties::of_cells(c)),
        };
        let f = self.asked(f);
        self.separate();
        let keep = self.page.params.properties.as_deref();
        f.write_json(&mut self.bytes, |properties, out| {
            properties.write_json_keeping(out, keep)
        });
        self.send_when_full();
    }

    /// Close the features and write the links and counts: the page whole.
    pub(super) fn finish(mut self) -> Result<Written, ApiError> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        self.close();
        self.bytes.push(b'}');
        let Body { page, bytes, .. } = self;
        Ok(Written::stamped_bytes(bytes, page.time_stamp).in_crs(page.params.coordinates))
    }

    /// Close a page sent as written ([`Page::streamed`]) once its rows are `read`: send the
    /// links, counts and time stamp after the features. A failure is answered as a problem
    /// while nothing has been sent (the error returned), and cuts the page after.
    pub(super) fn end(
        mut self,
        read: StoreResult<Paged>,
        sorted: bool,
    ) -> StoreResult<Result<(), ApiError>> {
        let Some(sink) = self.sink.take() else {
            return Ok(Err(ApiError::internal(&"a page sent whole was ended as sent")));
        };
        let failed = match read {
            Ok(page) => {
                if sorted {
                    self.page.sorted(&page);
                } else {
                    self.page.keyed(&page);
                }
                self.failed.take()
            }
            Err(e) if !sink.opened() => return Err(e),
            Err(e) => Some(ApiError::from(e)),
        };
        match failed {
            Some(e) if sink.opened() => sink.cut(&e),
            Some(e) => return Ok(Err(e)),
            None => {
                self.close();
                self.bytes.extend_from_slice(b",\"timeStamp\":\"");
                self.bytes.extend_from_slice(self.page.time_stamp.as_bytes());
                self.bytes.extend_from_slice(b"\"}");
                sink.end(self.bytes);
            }
        }
        Ok(Ok(()))
    }

    /// The members after the features, in `views::FeatureCollection`'s order, without the
    /// collection's closing brace.
    fn close(&mut self) {
        let (page, returned) = (&self.page, self.returned);
        let (items, params, matched) = (&page.items_url, &page.params, page.matched);
        let mut links = vec![
            Link::new(
                format!("{items}?{}", params.query_with_offset(params.offset)),
                "self",
                GEOJSON,
                "This page",
            ),
            Link::new(
                page.collection_url.clone(),
                "collection",
                "application/json",
                "The collection",
            ),
        ];
        let next = match page.next {
            Next::ByOffset => matched
                .filter(|m| params.offset + (returned as i64) < *m)
                .map(|_| params.query_with_offset(params.offset + params.limit)),
            Next::AfterKey(last) => last.map(|id| params.query_after(id)),
            Next::OffsetIfMore(more) => {
                more.then(|| params.query_with_offset(params.offset + params.limit))
            }
        };
        if let Some(query) = next {
            links.push(Link::new(
                format!("{items}?{query}"),
                "next",
                GEOJSON,
                "Next page",
            ));
        }
        if params.offset > 0 {
            let prev = (params.offset - params.limit).max(0);
            links.push(Link::new(
                format!("{items}?{}", params.query_with_offset(prev)),
                "prev",
                GEOJSON,
                "Previous page",
            ));
        }
        let bytes = &mut self.bytes;
        bytes.extend_from_slice(b"],\"links\":");
        json::serialized(bytes, &links);
        if let Some(m) = matched {
            bytes.extend_from_slice(b",\"numberMatched\":");
            json::integer(bytes, m);
        }
        bytes.extend_from_slice(b",\"numberReturned\":");
        json::integer(bytes, returned);
    }
}

/// A page's features as one MVT layer named after the collection, with the properties the
/// collection shows at the tile's zoom.
pub(super) fn write_tile<P: Serialize>(
    tile: Tile,
    collection: CollectionId,
    asked: Option<&[String]>,
    features: &[Feature<'_, P>],
) -> Written {
    let asked: Option<Vec<&str>> = asked.map(|a| a.iter().map(String::as_str).collect());
    let keys = asked.as_deref().or(collection.tile_properties(tile.z));
    let mut layer = LayerWriter::new(tile, collection.id());
    for f in features {
        let Ok(serde_json::Value::Object(mut properties)) = serde_json::to_value(&f.properties)
        else {
            continue;
        };
        let id = match &f.id {
            FeatureId::Number(n) => u64::try_from(*n).ok(),
            FeatureId::Name(name) => {
                properties.insert("id".into(), serde_json::Value::String(name.clone()));
                None
            }
        };
        let Some(geometry) = &f.geometry else {
            continue;
        };
        match keys {
            Some(keys) => layer.add(
                id,
                geometry.0,
                keys.iter()
                    .filter_map(|k| properties.get_key_value(*k))
                    .map(|(k, v)| (k.as_str(), v)),
            ),
            None => layer.add(
                id,
                geometry.0,
                properties.iter().map(|(k, v)| (k.as_str(), v)),
            ),
        }
    }
    let mut bytes = Vec::new();
    layer.finish(&mut bytes);
    Written::tile(bytes, collection.is_public())
}

/// The id in an item's path; anything else names no feature (404).
pub(super) fn feature_id(raw: &str, collection: CollectionId) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::not_found(format!(
            "there is no feature `{raw}` in {}",
            collection.id()
        ))
    })
}

/// Filters applied in memory (parks, zones, and the land watch's computed layers).
pub(super) fn keep<F, G>(
    geometry: &MultiPolygon<f64>,
    updated: NaiveDateTime,
    params: &ItemsParams<F, G>,
) -> bool {
    let in_box = params.bbox.is_none_or(|b: Bbox| {
        geometry.intersects(&Rect::new((b.min_x, b.min_y), (b.max_x, b.max_y)))
    });
    let in_time = params.datetime.is_none_or(|(from, to)| {
        from.is_none_or(|f| updated >= f) && to.is_none_or(|t| updated <= t)
    });
    in_box && in_time
}

pub(super) fn page_of<T, F, G>(items: Vec<T>, params: &ItemsParams<F, G>) -> (Vec<T>, i64) {
    let matched = items.len() as i64;
    let page = items
        .into_iter()
        .skip(params.offset as usize)
        .take(params.limit as usize)
        .collect();
    (page, matched)
}
