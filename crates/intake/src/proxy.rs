//! The client address behind reverse proxies the operator trusts.
//!
//! Behind a TLS-terminating proxy every connection comes from the proxy,
//! so the per-address limits would throttle all users together. A proxy
//! named with `--trusted-proxy` appends the address it received the
//! request from to `X-Forwarded-For`; the client is then the rightmost
//! address in that header that is not a trusted proxy itself. Addresses
//! left of it were written by the client and are never believed, and the
//! header is ignored entirely on a connection that does not come from a
//! trusted proxy: a client cannot pick its own rate-limit bucket.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use axum::http::HeaderMap;

/// An address or network (`10.0.0.0/8`, `::1`, `fd00::/8`) of trusted
/// reverse proxies.
///
/// # Examples
/// ```
/// use panicqr_intake::proxy::ProxyNet;
/// let net: ProxyNet = "10.1.0.0/16".parse().unwrap();
/// assert!(net.contains("10.1.2.3".parse().unwrap()));
/// assert!(!net.contains("10.2.0.1".parse().unwrap()));
/// assert!("10.1.0.0/33".parse::<ProxyNet>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxyNet {
    addr: IpAddr,
    prefix: u8,
}

impl ProxyNet {
    /// Whether `ip` is in this network. An IPv4 address the dual-stack
    /// socket shows as `::ffff:a.b.c.d` is compared as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => same_prefix(
                u128::from(u32::from(net)) << 96,
                u128::from(u32::from(ip)) << 96,
                self.prefix,
            ),
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                same_prefix(u128::from(net), u128::from(ip), self.prefix)
            }
            _ => false,
        }
    }
}

/// Whether the first `prefix` bits of `a` and `b` agree.
fn same_prefix(a: u128, b: u128, prefix: u8) -> bool {
    let mask = u128::MAX
        .checked_shl(128 - u32::from(prefix.min(128)))
        .unwrap_or(0);
    a & mask == b & mask
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Why a `--trusted-proxy` value was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadProxyNet(String);

impl fmt::Display for BadProxyNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' is not a proxy address: expected an IP address or network such as 127.0.0.1, 10.0.0.0/8 or fd00::/8",
            self.0
        )
    }
}

impl std::error::Error for BadProxyNet {}

impl FromStr for ProxyNet {
    type Err = BadProxyNet;

    fn from_str(s: &str) -> Result<ProxyNet, BadProxyNet> {
        let bad = || BadProxyNet(s.to_string());
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr = canonical(addr.trim().parse::<IpAddr>().map_err(|_| bad())?);
        let bits = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|&p| p <= bits)
                .ok_or_else(bad)?,
        };
        Ok(ProxyNet { addr, prefix })
    }
}

impl fmt::Display for ProxyNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// The address a request is counted against: `peer` itself, unless it is
/// a trusted proxy; then the rightmost `X-Forwarded-For` hop that is not
/// one (a hop that is no address ends the walk at the proxy that wrote
/// it).
///
/// # Examples
/// ```
/// use axum::http::HeaderMap;
/// use panicqr_intake::proxy::{client_address, ProxyNet};
/// let proxies: Vec<ProxyNet> = vec!["127.0.0.1".parse().unwrap()];
/// let mut h = HeaderMap::new();
/// h.insert("x-forwarded-for", "198.51.100.9, 203.0.113.7".parse().unwrap());
/// let peer = "127.0.0.1".parse().unwrap();
/// assert_eq!(client_address(peer, &h, &proxies), "203.0.113.7".parse::<std::net::IpAddr>().unwrap());
/// // Not from the proxy: the header is the client's own word, ignored.
/// let direct = "192.0.2.1".parse().unwrap();
/// assert_eq!(client_address(direct, &h, &proxies), direct);
/// ```
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[ProxyNet]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    let mut client = canonical(peer);
    if !is_trusted(client) {
        return client;
    }
    // Several header lines read as one list, in order. Split as bytes: a
    // client's non-ASCII bytes left of the proxy's entry (nginx appends to
    // the client's line) spoil that hop only, not the whole line.
    let hops: Vec<&[u8]> = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|v| v.as_bytes().split(|&b| b == b','))
        .collect();
    for hop in hops.iter().rev() {
        if !is_trusted(client) {
            break;
        }
        match std::str::from_utf8(hop).map(|h| h.trim().parse::<IpAddr>()) {
            Ok(Ok(ip)) => client = canonical(ip),
            _ => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn networks() {
        let n: ProxyNet = "10.0.0.0/8".parse().unwrap();
        assert!(n.contains(ip("10.255.0.1")));
        assert!(n.contains(ip("::ffff:10.0.0.1")));
        assert!(!n.contains(ip("11.0.0.1")));
        assert!(!n.contains(ip("::1")));
        let all: ProxyNet = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.1")));
        let v6: ProxyNet = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")));
        assert!(!v6.contains(ip("fe80::1")));
        let one: ProxyNet = "::1".parse().unwrap();
        assert!(one.contains(ip("::1")));
        assert!(!one.contains(ip("::2")));
        for bad in [
            "",
            "10.0.0.0/",
            "10.0.0.0/33",
            "::/129",
            "proxy",
            "10.0.0.0/-1",
        ] {
            assert!(bad.parse::<ProxyNet>().is_err(), "{bad}");
        }
    }

    #[test]
    fn walks_right_to_left_over_trusted_hops_only() {
        let trusted: Vec<ProxyNet> =
            vec!["127.0.0.1".parse().unwrap(), "10.0.0.0/8".parse().unwrap()];
        let lo = ip("127.0.0.1");
        // Two proxies: client → 10.0.0.5 → 127.0.0.1.
        let h = forwarded(&["203.0.113.7, 10.0.0.5"]);
        assert_eq!(client_address(lo, &h, &trusted), ip("203.0.113.7"));
        // A client's own forged entries left of the real one are not read.
        let h = forwarded(&["1.2.3.4, 203.0.113.7"]);
        assert_eq!(client_address(lo, &h, &trusted), ip("203.0.113.7"));
        // Several header lines are one list.
        let h = forwarded(&["1.2.3.4", "203.0.113.7"]);
        assert_eq!(client_address(lo, &h, &trusted), ip("203.0.113.7"));
        // Garbage where the proxy's entry should be: the proxy is the client.
        let h = forwarded(&["203.0.113.7, garbage"]);
        assert_eq!(client_address(lo, &h, &trusted), lo);
        // A client's non-ASCII bytes spoil its own hop only.
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            axum::http::HeaderValue::from_bytes(b"\xff\xfe, 203.0.113.7").unwrap(),
        );
        assert_eq!(client_address(lo, &h, &trusted), ip("203.0.113.7"));
        // No header: the proxy.
        assert_eq!(client_address(lo, &HeaderMap::new(), &trusted), lo);
        // Only trusted hops: the leftmost.
        let h = forwarded(&["10.0.0.9"]);
        assert_eq!(client_address(lo, &h, &trusted), ip("10.0.0.9"));
        // Not from a proxy: the header is ignored.
        let h = forwarded(&["203.0.113.7"]);
        assert_eq!(
            client_address(ip("192.0.2.1"), &h, &trusted),
            ip("192.0.2.1")
        );
        // No proxy configured: the peer, always.
        assert_eq!(client_address(lo, &h, &[]), lo);
    }
}
