//! A rate limit for anonymous callers: a token bucket per client address. Authenticated
//! requests are not limited (their tokens can be revoked); the public endpoints are what a
//! scraper or a careless script would hammer.

use crate::config::HttpConfig;
use crate::error::{ApiError, problem_response};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Sign-in attempts an address may make per minute, after a burst of `SIGN_IN_BURST` (a person
/// mistyping a few times never notices; a guesser gets ten tries a minute).
pub const SIGN_INS_PER_MINUTE: u32 = 10;
pub const SIGN_IN_BURST: u32 = 10;

/// Buckets are pruned once this many addresses are tracked.
const PRUNE_AT: usize = 10_000;

#[derive(Debug)]
pub struct RateLimiter {
    /// Sustained requests per minute; 0 turns the limit off.
    per_minute: u32,
    /// Requests allowed in a burst (a map opening fetches several layers at once).
    burst: u32,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32, burst: u32) -> Self {
        Self {
            per_minute,
            burst: burst.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.per_minute > 0
    }

    /// Take one request from the address's bucket, or say how long until one is available.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        if !self.enabled() {
            return Ok(());
        }
        let rate = f64::from(self.per_minute) / 60.0;
        let burst = f64::from(self.burst);
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= PRUNE_AT {
            // Addresses whose bucket has refilled are indistinguishable from new ones.
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < burst
            });
        }
        let (tokens, at) = buckets.entry(ip).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / rate))
        }
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

/// A 429 problem with `Retry-After`: "`what`; try again in N s, `otherwise`".
pub fn too_many(wait: Duration, what: &str, otherwise: &str) -> HttpResponse {
    let seconds = wait.as_secs().max(1);
    let problem = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        "Too many requests",
        format!("{what}; try again in {seconds} s, {otherwise}"),
    );
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
        let limiter = RateLimiter::new(60, 3);
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
    fn zero_turns_it_off() {
        let limiter = RateLimiter::new(0, 1);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        assert!((0..100).all(|_| limiter.check(ip, Instant::now()).is_ok()));
    }
}
