//! The crash intake a distribution runs (`panicqr intake`): it receives
//! panic report URLs, decodes them itself, groups them by crash signature
//! and serves an HTTP API and a dashboard. SQLite by default, PostgreSQL
//! for several servers at once, through one code path (sqlx).
//!
//! - [`ingest`]: a submitted text, decoded and made canonical.
//! - [`classify`]: the one place a log becomes a signature and a title.
//! - [`store`]: the database (migrations, idempotent inserts, parts
//!   merged on the server, retention, deletion).
//! - [`server`]: the HTTP API, limits and the dashboard.
//! - [`proxy`]: the client address behind trusted reverse proxies.
//! - [`client`]: a small blocking client (`panicqr submit`, the tests).
//! - [`tls`]: HTTPS for both: the server's certificate, the client's trust.
//!
//! # Examples
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use panicqr_intake::store::Store;
//! let dir = std::env::temp_dir().join(format!("intake-lib-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let store = Store::open(dir.join("c.sqlite").to_str().unwrap(), 2).await?;
//! let e = store.submit("not a report", 0).await.unwrap_err();
//! assert!(matches!(e, panicqr_intake::Error::BadReport(_)));
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), panicqr_intake::Error>(())
//! # }).unwrap();
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

pub mod classify;
pub mod client;
mod error;
mod html;
pub mod ingest;
pub mod proxy;
mod ratelimit;
pub mod server;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tls;

pub use error::Error;
