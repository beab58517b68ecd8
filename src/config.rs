//! Typed settings, read once at start from command-line flags or environment variables.

use clap::Args;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/parkland.db";

/// Where the register lives.
#[derive(Debug, Clone, Args)]
pub struct DbConfig {
    /// `sqlite://path/to/file.db` (created on first start) or `postgres://user@host/db`
    /// (PostGIS required).
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
    /// Connections kept in the pool.
    #[arg(long, env = "PARKLAND_POOL_SIZE", default_value_t = 10)]
    pub pool_size: u32,
    /// A streaming replica of the PostgreSQL database (optional): OGC items, tiles, exports
    /// and reports are read from it, except for a caller whose last write it has not replayed
    /// yet (docs/scaling.md). Its own pool, of `PARKLAND_POOL_SIZE` connections.
    #[arg(long, env = "DATABASE_READ_URL")]
    pub database_read_url: Option<String>,
    /// The audit chain's key (at least 16 characters), kept outside the database: its links
    /// are then HMAC-SHA-256, which someone who can write to the database cannot forge.
    #[arg(long, env = "PARKLAND_AUDIT_KEY", hide_env_values = true)]
    pub audit_key: Option<String>,
}

/// How the HTTP service behaves.
#[derive(Debug, Clone, Args)]
pub struct HttpConfig {
    /// Address to listen on.
    #[arg(long, env = "PARKLAND_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Base URL clients see (behind a proxy), e.g. `https://gis.example.gov.cn/parkland`.
    /// Without it, links are built from the request's Host (and X-Forwarded-*) headers.
    #[arg(long, env = "PARKLAND_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Build links from `Forwarded` / `X-Forwarded-Host` / `X-Forwarded-Proto` (only behind a
    /// proxy that sets them; otherwise any client could choose the host in links).
    #[arg(long, env = "PARKLAND_TRUST_FORWARDED", default_value_t = false)]
    pub trust_forwarded: bool,
    /// Origins allowed to call the API from a browser: `*` or a comma-separated list.
    #[arg(long, env = "PARKLAND_CORS_ORIGINS", default_value = "*")]
    pub cors_origins: String,
    /// Requests per minute an anonymous client address may make (0: no limit). Authenticated
    /// requests are not limited.
    #[arg(long, env = "PARKLAND_ANON_RATE_PER_MINUTE", default_value_t = Self::DEFAULT_ANON_RATE)]
    pub anon_rate_per_minute: u32,
    /// Requests an anonymous client may make at once before the rate applies.
    #[arg(long, env = "PARKLAND_ANON_BURST", default_value_t = Self::DEFAULT_ANON_BURST)]
    pub anon_burst: u32,
    /// Largest JSON request body, bytes.
    #[arg(long, env = "PARKLAND_MAX_BODY_BYTES", default_value_t = Self::DEFAULT_MAX_BODY)]
    pub max_body_bytes: usize,
    /// Largest import upload (GeoJSON or zipped shapefile), bytes.
    #[arg(long, env = "PARKLAND_MAX_UPLOAD_BYTES", default_value_t = Self::DEFAULT_MAX_UPLOAD)]
    pub max_upload_bytes: usize,
    /// Most bytes an uploaded archive (a zipped shapefile, an .xlsx workbook) may unpack to,
    /// whatever its own size (it may also unpack to at most 100 times its size, and always to
    /// 16 MiB).
    #[arg(long, env = "PARKLAND_MAX_UNPACKED_BYTES", default_value_t = crate::exchange::limits::UploadLimits::DEFAULT_MAX_UNPACKED_BYTES)]
    pub max_unpacked_bytes: u64,
    /// Most features one import may hold.
    #[arg(long, env = "PARKLAND_MAX_IMPORT_FEATURES", default_value_t = crate::exchange::limits::UploadLimits::DEFAULT_MAX_FEATURES)]
    pub max_import_features: usize,
    /// Imports read at once; a further one waits up to 10 s for its turn, then gets 503 with
    /// Retry-After. Each holds its upload and what it unpacks to in memory.
    #[arg(long, env = "PARKLAND_IMPORTS_AT_ONCE", default_value_t = Self::DEFAULT_IMPORTS_AT_ONCE)]
    pub imports_at_once: usize,
    /// Seconds an import waits for its turn before the answer is 503 with Retry-After.
    #[arg(long, env = "PARKLAND_IMPORT_WAIT_SECS", default_value_t = Self::DEFAULT_IMPORT_WAIT_SECS)]
    pub import_wait_secs: u64,
    /// Items per page of an OGC API items request when the client does not say.
    #[arg(long, env = "PARKLAND_ITEMS_DEFAULT_LIMIT", default_value_t = Self::DEFAULT_LIMIT)]
    pub items_default_limit: i64,
    /// Most items per page; larger requested limits are clamped to it.
    #[arg(long, env = "PARKLAND_ITEMS_MAX_LIMIT", default_value_t = Self::MAX_LIMIT)]
    pub items_max_limit: i64,
    /// MiB of parcel tiles kept in memory until the register changes (0: none).
    #[arg(long, env = "PARKLAND_TILE_CACHE_MB", default_value_t = Self::DEFAULT_TILE_CACHE_MB)]
    pub tile_cache_mb: usize,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "PARKLAND_WORKERS")]
    pub workers: Option<usize>,
    #[command(flatten)]
    pub basemap: BasemapConfig,
}

/// The dashboard's base map: XYZ raster tiles under the vector layers. None by default, so the
/// dashboard works with no internet on a plain background; a park sets 天地图 (with its key),
/// OpenStreetMap, AMap or Tencent tiles here.
#[derive(Debug, Clone, Default, Args)]
pub struct BasemapConfig {
    /// Tile URL template with `{z}`, `{x}`, `{y}` (and `{s}` for a subdomain), e.g.
    /// `https://tile.openstreetmap.org/{z}/{x}/{y}.png`.
    #[arg(long = "basemap-url", env = "PARKLAND_BASEMAP_URL")]
    pub url: Option<String>,
    /// The system the tiles are drawn in: `wgs84` (OpenStreetMap, 天地图 — CGCS2000 agrees with
    /// WGS 84 at map scales) or `gcj02` (AMap, Tencent); the dashboard then asks for its layers
    /// with `coordinates=gcj02` so that they line up. (Baidu's tiles use their own tiling
    /// scheme, not XYZ, so they cannot be used here; `coordinates=bd09` serves Baidu-API pages.)
    #[arg(
        long = "basemap-coordinates",
        env = "PARKLAND_BASEMAP_COORDINATES",
        default_value = "wgs84",
        value_parser = ["wgs84", "gcj02"]
    )]
    pub coordinates: String,
    /// The letters or digits `{s}` takes, e.g. `01234567` for 天地图, `1234` for AMap.
    #[arg(
        long = "basemap-subdomains",
        env = "PARKLAND_BASEMAP_SUBDOMAINS",
        default_value = "abc"
    )]
    pub subdomains: String,
    /// The attribution the tile provider requires, shown on the map.
    #[arg(
        long = "basemap-attribution",
        env = "PARKLAND_BASEMAP_ATTRIBUTION",
        default_value = ""
    )]
    pub attribution: String,
    /// The highest zoom level the provider serves.
    #[arg(
        long = "basemap-max-zoom",
        env = "PARKLAND_BASEMAP_MAX_ZOOM",
        default_value_t = 18
    )]
    pub max_zoom: u8,
}

impl HttpConfig {
    pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;
    pub const DEFAULT_MAX_UPLOAD: usize = 256 * 1024 * 1024;
    pub const DEFAULT_LIMIT: i64 = 100;
    pub const DEFAULT_ANON_RATE: u32 = 600;
    pub const DEFAULT_ANON_BURST: u32 = 120;
    pub const MAX_LIMIT: i64 = 10_000;
    pub const DEFAULT_IMPORTS_AT_ONCE: usize = 2;
    pub const DEFAULT_IMPORT_WAIT_SECS: u64 = 10;
    pub const DEFAULT_TILE_CACHE_MB: usize = 64;

    /// The bounds uploads are read within.
    pub fn upload_limits(&self) -> crate::exchange::limits::UploadLimits {
        crate::exchange::limits::UploadLimits {
            max_unpacked_bytes: self.max_unpacked_bytes,
            max_features: self.max_import_features,
            ..Default::default()
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            public_url: None,
            trust_forwarded: false,
            cors_origins: "*".into(),
            anon_rate_per_minute: Self::DEFAULT_ANON_RATE,
            anon_burst: Self::DEFAULT_ANON_BURST,
            max_body_bytes: Self::DEFAULT_MAX_BODY,
            max_upload_bytes: Self::DEFAULT_MAX_UPLOAD,
            max_unpacked_bytes: crate::exchange::limits::UploadLimits::DEFAULT_MAX_UNPACKED_BYTES,
            max_import_features: crate::exchange::limits::UploadLimits::DEFAULT_MAX_FEATURES,
            imports_at_once: Self::DEFAULT_IMPORTS_AT_ONCE,
            import_wait_secs: Self::DEFAULT_IMPORT_WAIT_SECS,
            items_default_limit: Self::DEFAULT_LIMIT,
            items_max_limit: Self::MAX_LIMIT,
            tile_cache_mb: Self::DEFAULT_TILE_CACHE_MB,
            workers: None,
            basemap: BasemapConfig {
                coordinates: "wgs84".into(),
                subdomains: "abc".into(),
                max_zoom: 18,
                ..Default::default()
            },
        }
    }
}
