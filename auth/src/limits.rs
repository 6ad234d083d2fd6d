//! Rate limits (governor, in memory, per process) and the client's IP address behind
//! trusted proxies.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use api_types::ApiError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use ipnet::IpNet;

/// How fast each kind of caller may go. A zero rate turns that limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// Requests per second of one principal (per API process).
    pub per_principal_per_second: u32,
    /// Requests a principal may send at once before the rate applies.
    pub per_principal_burst: u32,
    /// Token requests per minute from one client IP, and for one username.
    pub login_per_minute: u32,
    /// Token requests at once before the rate applies.
    pub login_burst: u32,
}

impl RateLimitSettings {
    /// 100 requests per second per principal after a burst of 200; 10 token requests per
    /// minute per address and per username after a burst of 5.
    pub const DEFAULT: Self = Self {
        per_principal_per_second: 100,
        per_principal_burst: 200,
        login_per_minute: 10,
        login_burst: 5,
    };
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A keyed limiter, or none when its rate is zero.
struct Limiter<K: Hash + Eq + Clone> {
    limiter: Option<DefaultKeyedRateLimiter<K>>,
    checks: AtomicU64,
    what: &'static str,
    /// The `limit` label of refusals in metrics.
    label: &'static str,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    fn new(rate: u32, per: Duration, burst: u32, what: &'static str) -> Self {
        let limiter = NonZeroU32::new(rate).and_then(|rate| {
            let quota = Quota::with_period(per / rate.get())?
                .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN));
            Some(DefaultKeyedRateLimiter::keyed(quota))
        });
        Self {
            limiter,
            checks: AtomicU64::new(0),
            what,
            label: "other",
        }
    }

    fn labelled(mut self, label: &'static str) -> Self {
        self.label = label;
        self
    }

    fn check(&self, key: &K) -> Result<(), ApiError> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        // Forget idle keys now and then, so that many distinct keys cannot grow the map
        // without bound.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            limiter.retain_recent();
        }
        limiter.check_key(key).map_err(|not_until| {
            metrics::counter!("folio_rate_limited_total", "limit" => self.label).increment(1);
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::TooManyRequests {
                detail: format!("too many requests {}; retry later", self.what),
                retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }
        })
    }
}

/// The limits of one API process.
pub struct RateLimits {
    principal: Limiter<String>,
    login_ip: Limiter<IpAddr>,
    login_user: Limiter<String>,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimits").finish_non_exhaustive()
    }
}

impl RateLimits {
    /// Limiters for `settings`.
    pub fn new(settings: RateLimitSettings) -> Self {
        let minute = Duration::from_secs(60);
        Self {
            principal: Limiter::new(
                settings.per_principal_per_second,
                Duration::from_secs(1),
                settings.per_principal_burst,
                "from this principal",
            )
            .labelled("principal"),
            login_ip: Limiter::new(
                settings.login_per_minute,
                minute,
                settings.login_burst,
                "for a token from this address",
            )
            .labelled("login_ip"),
            login_user: Limiter::new(
                settings.login_per_minute,
                minute,
                settings.login_burst,
                "for a token for this user",
            )
            .labelled("login_user"),
        }
    }

    /// One request of the principal `actor`.
    ///
    /// # Errors
    /// 429 with the wait.
    pub fn principal(&self, actor: &str) -> Result<(), ApiError> {
        self.principal.check(&actor.to_string())
    }

    /// One token request from `ip`.
    ///
    /// # Errors
    /// 429 with the wait.
    pub fn login_ip(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.login_ip.check(&ip)
    }

    /// One token request for `username`.
    ///
    /// # Errors
    /// 429 with the wait.
    pub fn login_user(&self, username: &str) -> Result<(), ApiError> {
        self.login_user.check(&username.to_string())
    }
}

/// Proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses addresses and networks (`10.0.0.1`, `10.0.0.0/8`, `::1`).
    ///
    /// # Errors
    /// The first entry that is neither.
    pub fn parse<'a>(entries: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        entries
            .into_iter()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{s:?} is not an IP address or network"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: the peer, unless the peer is a trusted proxy; then the
    /// right-most entry of its `X-Forwarded-For` headers (`forwarded_for`) that is not a
    /// trusted proxy (entries further left were written by the client and prove nothing).
    pub fn client_ip(&self, peer: IpAddr, forwarded_for: &[&str]) -> Option<IpAddr> {
        if !self.trusts(peer) {
            return Some(peer);
        }
        let forwarded: Vec<IpAddr> = forwarded_for
            .iter()
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().parse::<IpAddr>())
            .collect::<Result<_, _>>()
            .unwrap_or_default();
        forwarded
            .iter()
            .rev()
            .find(|ip| !self.trusts(**ip))
            .or(forwarded.first())
            .copied()
            .or(Some(peer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request from `peer` with at most one `X-Forwarded-For`.
    fn request(peer: &str, xff: Option<&'static str>) -> (IpAddr, Vec<&'static str>) {
        (peer.parse().unwrap(), xff.into_iter().collect())
    }

    impl TrustedProxies {
        fn client_ip_of(&self, (peer, xff): (IpAddr, Vec<&str>)) -> Option<IpAddr> {
            self.client_ip(peer, &xff)
        }
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let none = TrustedProxies::default();
        let proxy = TrustedProxies::parse(["10.0.0.0/8", "192.168.1.5"]).unwrap();
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(
            none.client_ip_of(request("10.1.1.1", Some("1.2.3.4"))),
            ip("10.1.1.1")
        );
        assert_eq!(
            proxy.client_ip_of(request("10.1.1.1", Some("1.2.3.4"))),
            ip("1.2.3.4")
        );
        // a client-supplied entry left of the real one is ignored
        assert_eq!(
            proxy.client_ip_of(request("10.1.1.1", Some("6.6.6.6, 1.2.3.4, 10.2.2.2"))),
            ip("1.2.3.4")
        );
        assert_eq!(
            proxy.client_ip_of(request("192.168.1.5", None)),
            ip("192.168.1.5")
        );
        assert_eq!(
            proxy.client_ip_of(request("8.8.8.8", Some("1.2.3.4"))),
            ip("8.8.8.8")
        );
        assert_eq!(
            proxy.client_ip_of(request("10.1.1.1", Some("garbage"))),
            ip("10.1.1.1")
        );
        assert!(TrustedProxies::parse(["nonsense"]).is_err());
    }

    #[test]
    fn limits_answer_429_with_a_wait() {
        let limits = RateLimits::new(RateLimitSettings {
            per_principal_per_second: 1,
            per_principal_burst: 2,
            login_per_minute: 0,
            login_burst: 0,
        });
        assert!(limits.principal("key:a").is_ok());
        assert!(limits.principal("key:a").is_ok());
        match limits.principal("key:a") {
            Err(ApiError::TooManyRequests { retry_after, .. }) => assert_eq!(retry_after, 1),
            other => panic!("{other:?}"),
        }
        assert!(limits.principal("key:b").is_ok(), "per principal");
        for _ in 0..100 {
            assert!(
                limits.login_ip("1.2.3.4".parse().unwrap()).is_ok(),
                "zero is off"
            );
        }
    }
}
