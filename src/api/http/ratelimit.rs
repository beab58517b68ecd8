//! Rate limits: a token bucket per client address for anonymous callers, and one for sign-in
//! attempts. Authenticated requests are not limited (their tokens can be revoked); the public
//! endpoints are what a scraper or a careless script would hammer.
//!
//! On PostgreSQL the buckets live in the database ([`store::rate_limits`]), so every instance
//! on it enforces one limit for the service (issue 18): one upsert per granted request (an
//! address this instance has already seen empty its bucket is refused without one). On
//! SQLite one process owns the file and the buckets stay in its memory. If the database does
//! not answer a take, the instance falls back to its own buckets: the limit then holds per
//! instance, never not at all.

use crate::api::AppState;
use crate::config::HttpConfig;
use crate::error::{ApiError, problem_response};
use crate::store;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Sign-in attempts an address may make per minute, after a burst of `SIGN_IN_BURST` (a person
/// mistyping a few times never notices; a guesser gets ten tries a minute).
pub const SIGN_INS_PER_MINUTE: u32 = 10;
pub const SIGN_IN_BURST: u32 = 10;

/// Buckets are pruned once this many addresses are tracked in memory.
const PRUNE_AT: usize = 10_000;
/// Shared buckets are pruned once in this many takes.
const PRUNE_EVERY: u64 = 1024;

/// A token bucket: `tokens` requests may be made now; it refills at `per_second` up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub per_second: f64,
    pub burst: f64,
}

impl Bucket {
    /// Refill `tokens` for `elapsed` seconds and take one: the tokens left, or how long until
    /// one is there. (`store::rate_limits` does the same in SQL.)
    pub fn take(&self, tokens: f64, elapsed: f64) -> (f64, Result<(), Duration>) {
        let refilled = self.refill(tokens, elapsed);
        if refilled >= 1.0 {
            (refilled - 1.0, Ok(()))
        } else {
            (refilled, Err(self.wait(refilled)))
        }
    }

    /// What a bucket holding `tokens` holds `elapsed` seconds later.
    fn refill(&self, tokens: f64, elapsed: f64) -> f64 {
        (tokens + elapsed.max(0.0) * self.per_second).min(self.burst)
    }

    /// How long until a bucket holding `tokens` holds one.
    fn wait(&self, tokens: f64) -> Duration {
        Duration::from_secs_f64(((1.0 - tokens) / self.per_second).max(0.0))
    }

    /// Seconds an empty bucket takes to fill.
    fn fills_in(&self) -> f64 {
        self.burst / self.per_second
    }
}

#[derive(Debug)]
pub struct RateLimiter {
    /// Which limit this is, the key of its shared buckets.
    scope: &'static str,
    /// Sustained requests per minute; 0 turns the limit off.
    per_minute: u32,
    /// Requests allowed in a burst (a map opening fetches several layers at once).
    burst: u32,
    /// Whether the buckets are the database's (PostgreSQL) or this process's.
    shared: bool,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
    takes: AtomicU64,
}

impl RateLimiter {
    /// A limit of `per_minute` after a burst; `shared` keeps its buckets in the database.
    pub fn new(scope: &'static str, per_minute: u32, burst: u32, shared: bool) -> Self {
        Self {
            scope,
            per_minute,
            burst: burst.max(1),
            shared,
            buckets: Mutex::new(HashMap::new()),
            takes: AtomicU64::new(0),
        }
    }

    pub fn enabled(&self) -> bool {
        self.per_minute > 0
    }

    fn bucket(&self) -> Bucket {
        Bucket {
            per_second: f64::from(self.per_minute) / 60.0,
            burst: f64::from(self.burst),
        }
    }

    /// Take one request from the address's bucket, or say how long until one is available:
    /// the service's bucket when shared, else this process's.
    pub async fn take(&self, state: &AppState, ip: IpAddr) -> Result<(), Duration> {
        if !self.enabled() {
            return Ok(());
        }
        if !self.shared {
            return self.check(ip, Instant::now());
        }
        // This process's bucket for the address counts only the requests the service granted
        // here, so it never holds less than the service's: when it is empty the service's is
        // too, and the refusal needs no database — a flood from one address costs the
        // database what the limit grants it, not one upsert (and a pooled connection waiting
        // on the address's row lock) per request.
        self.peek(ip, Instant::now())?;
        let bucket = self.bucket();
        let (scope, client) = (self.scope, ip.to_string());
        let prune = self.takes.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == 0;
        let taken = state
            .run(move |c| {
                let taken =
                    store::rate_limits::take(c, scope, &client, bucket.per_second, bucket.burst)?;
                if prune {
                    store::rate_limits::prune(c, bucket.fills_in())?;
                }
                Ok(taken)
            })
            .await;
        match taken {
            Ok(Some(t)) if t.granted => {
                // Counted here too; a take that finds the local bucket empty meanwhile (a
                // concurrent grant) changes nothing, the service has granted it.
                let _ = self.check(ip, Instant::now());
                Ok(())
            }
            Ok(Some(t)) => Err(bucket.wait(t.tokens)),
            Ok(None) => self.check(ip, Instant::now()),
            Err(e) => {
                tracing::warn!(limit = scope, error = %e, "the shared rate limit did not answer; this instance's own applies");
                self.check(ip, Instant::now())
            }
        }
    }

    fn local(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, (f64, Instant)>> {
        self.buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether this process's bucket for the address holds a request, taking none.
    fn peek(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let bucket = self.bucket();
        match self.local().get(&ip) {
            Some(&(tokens, at)) => {
                let refilled = bucket.refill(tokens, now.duration_since(at).as_secs_f64());
                if refilled >= 1.0 {
                    Ok(())
                } else {
                    Err(bucket.wait(refilled))
                }
            }
            None => Ok(()),
        }
    }

    /// Take one request from this process's bucket for the address.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        if !self.enabled() {
            return Ok(());
        }
        let bucket = self.bucket();
        let mut buckets = self.local();
        if buckets.len() >= PRUNE_AT {
            // Addresses whose bucket has refilled are indistinguishable from new ones.
            buckets.retain(|_, (tokens, at)| {
                bucket.refill(*tokens, now.duration_since(*at).as_secs_f64()) < bucket.burst
            });
        }
        let (tokens, at) = buckets.entry(ip).or_insert((bucket.burst, now));
        let (left, taken) = bucket.take(*tokens, now.duration_since(*at).as_secs_f64());
        *tokens = left;
        *at = now;
        taken
    }
}

/// The caller's address: the peer's, or behind a trusted proxy the one it forwards.
pub fn client_ip(req: &HttpRequest, config: &HttpConfig) -> IpAddr {
    let ip = if config.trust_forwarded {
        req.connection_info().realip_remote_addr().and_then(|a| {
            a.parse::<std::net::SocketAddr>()
                .map(|s| s.ip())
                .or_else(|_| a.parse())
                .ok()
        })
    } else {
        req.peer_addr().map(|a| a.ip())
    };
    ip.unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}

/// A 429 problem with `Retry-After`: "`what`，N 秒后再试，`otherwise`" to a request preferring
/// Chinese, "`what_en`; try again in N s, `otherwise_en`" to others.
pub fn too_many(
    wait: Duration,
    what: &str,
    otherwise: &str,
    what_en: &str,
    otherwise_en: &str,
) -> HttpResponse {
    let seconds = wait.as_secs().max(1);
    let problem = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        "Too many requests",
        format!("{what_en}; try again in {seconds} s, {otherwise_en}"),
    )
    .zh(format!("{what}，{seconds} 秒后再试，{otherwise}"));
    let mut response = problem_response(StatusCode::TOO_MANY_REQUESTS, problem.problem());
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refills_at_the_rate() {
        let limiter = RateLimiter::new("test", 60, 3, false);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(ip, t0).is_ok());
        }
        let wait = limiter.check(ip, t0).unwrap_err();
        assert!(
            (wait.as_secs_f64() - 1.0).abs() < 0.01,
            "one request a second: {wait:?}"
        );
        assert!(limiter.check(ip, t0 + Duration::from_millis(1010)).is_ok());
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(
            limiter.check(other, t0).is_ok(),
            "addresses have their own buckets"
        );
    }

    #[test]
    fn a_bucket_refills_up_to_its_burst_and_says_how_long_to_wait() {
        let b = Bucket {
            per_second: 0.5,
            burst: 4.0,
        };
        assert_eq!(b.take(4.0, 0.0), (3.0, Ok(())));
        assert_eq!(b.take(0.0, 100.0), (3.0, Ok(())), "never more than a burst");
        let (left, wait) = b.take(0.5, 0.0);
        assert_eq!(left, 0.5, "a refused take takes nothing");
        assert_eq!(
            wait,
            Err(Duration::from_secs(1)),
            "half a token at 0.5/s: 1 s"
        );
        assert_eq!(b.take(0.5, -3.0).0, 0.5, "time never runs backwards");
    }

    #[test]
    fn a_peek_takes_nothing_and_refuses_once_the_bucket_is_empty() {
        let limiter = RateLimiter::new("test", 60, 2, true);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let t0 = Instant::now();
        assert!(limiter.peek(ip, t0).is_ok(), "an address never seen");
        for _ in 0..5 {
            assert!(limiter.peek(ip, t0).is_ok());
        }
        assert!(limiter.check(ip, t0).is_ok() && limiter.check(ip, t0).is_ok());
        let wait = limiter.peek(ip, t0).unwrap_err();
        assert!((wait.as_secs_f64() - 1.0).abs() < 0.01, "{wait:?}");
        assert!(limiter.peek(ip, t0 + Duration::from_millis(1010)).is_ok());
        assert!(limiter.peek("10.0.0.2".parse().unwrap(), t0).is_ok());
    }

    #[test]
    fn zero_turns_it_off() {
        let limiter = RateLimiter::new("test", 0, 1, false);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        assert!((0..100).all(|_| limiter.check(ip, Instant::now()).is_ok()));
    }
}
