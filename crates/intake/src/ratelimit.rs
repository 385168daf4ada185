//! Submissions per client address: a token bucket each, refilled at a
//! steady rate, so a client may send `burst` reports at once and then one
//! every `60 / per_minute` seconds.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many client addresses are remembered; beyond, buckets that have
/// refilled are forgotten (they carry no state a new bucket lacks).
const MAX_CLIENTS: usize = 65_536;

/// The limit: `per_minute` reports a minute, `burst` at once. `per_minute`
/// 0 turns it off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Steady rate.
    pub per_minute: u32,
    /// Reports a client may send at once.
    pub burst: u32,
}

#[derive(Debug)]
pub(crate) struct Limiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Limiter {
    pub(crate) fn new(limit: RateLimit) -> Limiter {
        Limiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `ip`, or says how long until there is one.
    pub(crate) fn take(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.limit.per_minute == 0 {
            return Ok(());
        }
        let rate = f64::from(self.limit.per_minute) / 60.0;
        let burst = f64::from(self.limit.burst.max(1));
        let key = client_key(ip);
        // A poisoned lock only means another request panicked mid-update;
        // the map is still a valid map.
        let mut map = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= MAX_CLIENTS && !map.contains_key(&key) {
            map.retain(|_, b| refill(*b, now, rate, burst) < burst);
            if map.len() >= MAX_CLIENTS {
                // Every remembered client is mid-burst: a flood of
                // addresses. Forgetting them all lets them start again,
                // rather than refusing everyone new.
                map.clear();
            }
        }
        let b = map.entry(key).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let tokens = refill(*b, now, rate, burst);
        if tokens >= 1.0 {
            *b = Bucket {
                tokens: tokens - 1.0,
                at: now,
            };
            Ok(())
        } else {
            *b = Bucket { tokens, at: now };
            Err(Duration::from_secs_f64((1.0 - tokens) / rate))
        }
    }
}

fn refill(b: Bucket, now: Instant, rate: f64, burst: f64) -> f64 {
    let dt = now.saturating_duration_since(b.at).as_secs_f64();
    (b.tokens + dt * rate).min(burst)
}

/// IPv6 clients are counted by /64, the block one subscriber gets; an IPv4
/// address mapped into IPv6 counts as itself.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_steady_rate() {
        let l = Limiter::new(RateLimit {
            per_minute: 60,
            burst: 3,
        });
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let t = Instant::now();
        for _ in 0..3 {
            assert!(l.take(ip, t).is_ok());
        }
        let wait = l.take(ip, t).unwrap_err();
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1));
        // Another client has its own bucket.
        assert!(l.take("192.0.2.2".parse().unwrap(), t).is_ok());
        assert!(l.take(ip, t + Duration::from_millis(1001)).is_ok());
        assert!(l.take(ip, t + Duration::from_millis(1002)).is_err());
    }

    #[test]
    fn ipv6_counts_by_64() {
        let l = Limiter::new(RateLimit {
            per_minute: 1,
            burst: 1,
        });
        let t = Instant::now();
        assert!(l.take("2001:db8::1".parse().unwrap(), t).is_ok());
        assert!(l.take("2001:db8::2".parse().unwrap(), t).is_err());
        assert!(l.take("2001:db8:0:1::1".parse().unwrap(), t).is_ok());
    }
}
