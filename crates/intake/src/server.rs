//! The HTTP API and the dashboard (axum on tokio).
//!
//! | Method and path | Answer |
//! |---|---|
//! | `POST /api/reports` (`text/plain`: a report URL) | `{"id","signature","title","duplicate","count"}` |
//! | `GET /api/signatures[?limit=N&offset=M]` | `[{"signature","title","count","first_seen","last_seen","releases","arches"}]`, most reports first; [`LIST_PAGE`] of them unless `limit` says otherwise, a `Link: <…>; rel="next"` header when more follow |
//! | `GET /api/signatures/{signature}[?limit=N&offset=M]` | the summary, its newest N reports (default 100, at most 1000, and no more than [`DETAILS_LOG_BUDGET`] bytes of logs) and `next_offset` |
//! | `DELETE /api/reports/{id}`, `DELETE /api/signatures/{signature}` | `{"deleted": "…"}`; needs `Authorization: Bearer <admin token>` |
//! | `GET /`, `GET /s/{signature}` | the dashboard |
//!
//! Errors are one-line JSON `{"error": "…"}`: 400 for a text that is no
//! readable report, 409 for a part received before with a different log,
//! 408 for a body not received in time, 413 for a body over the limit, 429
//! (with `Retry-After`) past the rate limit, 401/403 for deletion without
//! the right token / with none configured, 404, 500 when the database fails
//! (nothing was stored).
//!
//! Connections are bounded: at most [`Config::max_connections`] at once
//! (more wait to be accepted), and one whose request head (or next request
//! head, on a kept-alive connection) has not arrived within
//! [`Config::header_timeout`] is closed. Over HTTPS ([`serve_tls`]), the
//! TLS handshake counts as a connection and has the header timeout too (a
//! client that never finishes it is dropped then); the request head's own
//! timeout starts after it.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use sha2::{Digest, Sha256};

use crate::error::{one_line, Error};
use crate::html;
use crate::proxy::{client_address, ProxyNet};
use crate::ratelimit::Limiter;
pub use crate::ratelimit::RateLimit;
use crate::store::{Page, Store};
use crate::tls::ServerTls;

/// The policy of every answer: nothing but this origin's stylesheet; no
/// script, no frame, no form.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
                       form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/// How the server behaves; [`Config::default`] is what `panicqr intake`
/// starts with.
#[derive(Clone, Debug)]
pub struct Config {
    /// Largest accepted body of `POST /api/reports`, in bytes (413
    /// beyond). A version 40 report URL is under 8 KB.
    pub max_body: usize,
    /// Submissions per client address.
    pub rate_limit: RateLimit,
    /// Other requests (the dashboard, the API's reads, deletions) per
    /// client address: each costs a database query.
    pub read_rate_limit: RateLimit,
    /// How long a connection may take to send a request head, and stay
    /// idle between requests; it is closed after that. A client sending
    /// half a header and waiting (slow loris) holds a connection this long
    /// at most.
    pub header_timeout: Duration,
    /// How long a submission's body may take to arrive once its head has
    /// (408 after).
    pub body_timeout: Duration,
    /// Connections served at once; further ones wait in the listening
    /// socket's queue until one closes.
    pub max_connections: usize,
    /// The token `DELETE` requests must carry; `None` makes deletion
    /// impossible.
    pub admin_token: Option<String>,
    /// The tracker's "new bug" URL, with `{title}` and `{body}` where the
    /// prepared text goes (see [`check_tracker_url`]).
    pub tracker_url: Option<String>,
    /// Reports older than this many days are deleted; 0 keeps them.
    pub retention_days: u32,
    /// How often the retention runs.
    pub retention_interval: Duration,
    /// Origins (e.g. `https://panic.example.org`) whose pages may read the
    /// answer to a submission (CORS).
    pub allow_origins: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client the limits
    /// count (see [`crate::proxy`]); none by default: every connection is
    /// its own client.
    pub trusted_proxies: Vec<ProxyNet>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_body: 16 * 1024,
            rate_limit: RateLimit {
                per_minute: 30,
                burst: 30,
            },
            read_rate_limit: RateLimit {
                per_minute: 300,
                burst: 300,
            },
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_connections: 512,
            admin_token: None,
            tracker_url: None,
            retention_days: 90,
            retention_interval: Duration::from_secs(3600),
            allow_origins: Vec::new(),
            trusted_proxies: Vec::new(),
        }
    }
}

/// Checks a tracker template: `http(s)://…`, so that a link built from it
/// can never be `javascript:`.
///
/// # Errors
/// A one-line message for the user.
///
/// # Examples
/// ```
/// use panicqr_intake::server::check_tracker_url;
/// assert!(check_tracker_url("https://bugs.example/new?title={title}&body={body}").is_ok());
/// assert!(check_tracker_url("javascript:alert(1)//{title}").is_err());
/// ```
pub fn check_tracker_url(t: &str) -> Result<(), String> {
    let lower = t.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return Err(format!(
            "tracker URL '{t}' must start with https:// or http://"
        ));
    }
    if !t.contains("{title}") && !t.contains("{body}") {
        return Err(format!(
            "tracker URL '{t}' has neither {{title}} nor {{body}} for the prepared text"
        ));
    }
    Ok(())
}

struct App {
    store: Arc<Store>,
    config: Config,
    limiter: Limiter,
    read_limiter: Limiter,
    /// SHA-256 of the admin token: compared in constant time, digest
    /// against digest, so neither the token's bytes nor its length leak
    /// through timing.
    admin_digest: Option<[u8; 32]>,
}

/// Serves on `listener` until `shutdown` completes, and runs the retention
/// in the background.
///
/// # Errors
/// When the listener fails.
///
/// # Examples
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// use std::sync::Arc;
/// use panicqr_intake::{server, store::Store};
/// let store = Arc::new(Store::open("crashes.sqlite", 8).await.map_err(std::io::Error::other)?);
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// server::serve(listener, store, server::Config::default(), std::future::pending()).await
/// # }
/// ```
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Arc<Store>,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, None, store, config, shutdown).await
}

/// [`serve`] over HTTPS: every connection is TLS with `tls`'s certificate.
///
/// # Errors
/// When the listener fails.
///
/// # Examples
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use panicqr_intake::{server, store::Store, tls::ServerTls};
/// let tls = ServerTls::from_pem_files("fullchain.pem".as_ref(), "key.pem".as_ref())?;
/// let store = Arc::new(Store::open("crashes.sqlite", 8).await?);
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8443").await?;
/// server::serve_tls(listener, tls, store, server::Config::default(), std::future::pending()).await?;
/// # Ok(())
/// # }
/// ```
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    tls: ServerTls,
    store: Arc<Store>,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, Some(tls), store, config, shutdown).await
}

async fn serve_with(
    listener: tokio::net::TcpListener,
    tls: Option<ServerTls>,
    store: Arc<Store>,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let retention = spawn_retention(store.clone(), &config);
    let limits = Limits {
        header_timeout: config.header_timeout,
        max_connections: config.max_connections.clamp(1, MAX_PERMITS),
    };
    let app = router(store, config);
    let acceptor = tls.as_ref().map(ServerTls::acceptor);
    let r = accept_loop(listener, acceptor, app, limits, shutdown).await;
    if let Some(t) = retention {
        t.abort();
    }
    r
}

/// The most connections a [`Config::max_connections`] can ask for (the
/// semaphore counts in `u32`).
const MAX_PERMITS: usize = 1 << 20;

#[derive(Clone, Copy)]
struct Limits {
    header_timeout: Duration,
    max_connections: usize,
}

/// Accepts connections while fewer than `max_connections` are open, each
/// served by hyper with the header timeout (after a TLS handshake within
/// the same timeout, with `tls`); on `shutdown`, stops accepting, lets the
/// requests in progress finish and waits for every connection to close.
async fn accept_loop(
    listener: tokio::net::TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    // Dropped at shutdown: every connection's receiver then sees it.
    let (closing, closed) = tokio::sync::watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        // A permit first: past the cap, connections wait in the kernel's
        // queue rather than take memory and a task here.
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => p,
            () = &mut shutdown => break,
        };
        let Ok(permit) = permit else { break };
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before
                    // it was accepted: wait a little rather than spin.
                    if !is_connection_error(&e) {
                        eprintln!("panicqr intake: accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            tower::ServiceExt::oneshot(app.clone(), req.map(Body::new))
        });
        let mut closed = closed.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            // Held through the handshake too: a client stalling it takes a
            // connection of the cap, for the header timeout at most.
            let _permit = permit;
            match tls {
                None => serve_connection(stream, service, limits, closed).await,
                Some(acceptor) => {
                    let handshake =
                        tokio::time::timeout(limits.header_timeout, acceptor.accept(stream));
                    let stream = tokio::select! {
                        // A failed or stalled handshake: the client's
                        // problem, and nothing to answer over.
                        r = handshake => match r {
                            Ok(Ok(s)) => s,
                            Ok(Err(_)) | Err(_) => return,
                        },
                        _ = closed.changed() => return,
                    };
                    serve_connection(stream, service, limits, closed).await;
                }
            }
        });
    }
    drop(listener);
    drop(closing);
    // Every permit back: every connection closed.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = permits.acquire_many(all).await;
    Ok(())
}

/// One connection served by hyper until it closes, or gracefully closed
/// once `closed` changes (shutdown).
async fn serve_connection<I, S>(
    io: I,
    service: S,
    limits: Limits,
    mut closed: tokio::sync::watch::Receiver<()>,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    S: hyper::service::HttpService<hyper::body::Incoming>,
    S::ResBody: 'static,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .serve_connection(TokioIo::new(io), service);
    let mut conn = pin!(conn);
    tokio::select! {
        // A client that went away or timed out is no error of ours.
        _ = conn.as_mut() => {}
        _ = closed.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// Errors of one connection, not of the listener.
fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// `panicqr intake`: opens the database, listens on `listen`, calls
/// `ready` with the bound address, and serves until SIGINT or SIGTERM
/// (then finishes the requests in progress).
///
/// # Errors
/// [`Error::BadDatabaseUrl`], [`Error::Database`], [`Error::Migrate`];
/// [`Error::Io`] when the address cannot be used.
///
/// # Examples
/// ```no_run
/// use panicqr_intake::server::{run, Config};
/// run("crashes.sqlite", "127.0.0.1:8080", Config::default(), |addr| println!("http://{addr}/"))?;
/// # Ok::<(), panicqr_intake::Error>(())
/// ```
pub fn run(
    db: &str,
    listen: &str,
    config: Config,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    run_with(db, listen, config, None, ready)
}

/// [`run`], over HTTPS when `tls` is given.
///
/// # Errors
/// As [`run`].
///
/// # Examples
/// ```no_run
/// use panicqr_intake::server::{run_with, Config};
/// use panicqr_intake::tls::ServerTls;
/// let tls = ServerTls::from_pem_files("fullchain.pem".as_ref(), "key.pem".as_ref())?;
/// run_with("crashes.sqlite", "0.0.0.0:443", Config::default(), Some(tls), |addr| {
///     println!("https://{addr}/")
/// })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_with(
    db: &str,
    listen: &str,
    config: Config,
    tls: Option<ServerTls>,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io("cannot start the runtime".into(), e))?;
    rt.block_on(async {
        // The pool serves every request; PostgreSQL's default allows 100
        // connections for all servers together.
        let store = Arc::new(Store::open(db, 16).await?);
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| Error::Io(format!("cannot listen on {listen}"), e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Io(format!("cannot listen on {listen}"), e))?;
        ready(addr);
        let r = serve_with(listener, tls, store.clone(), config, stop_signal()).await;
        store.close().await;
        r.map_err(|e| Error::Io("serving failed".into(), e))
    })
}

/// SIGINT (Ctrl-C) or SIGTERM (a service manager's stop).
async fn stop_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
}

/// The routes, for a caller that serves them itself (needs
/// `ConnectInfo<SocketAddr>`).
pub fn router(store: Arc<Store>, config: Config) -> Router {
    let admin_digest = config
        .admin_token
        .as_deref()
        .map(|t| Sha256::digest(t.as_bytes()).into());
    let app = Arc::new(App {
        store,
        limiter: Limiter::new(config.rate_limit),
        read_limiter: Limiter::new(config.read_rate_limit),
        config,
        admin_digest,
    });
    Router::new()
        .route("/api/reports", post(submit))
        .route("/api/reports/{id}", delete(delete_report))
        .route("/api/signatures", get(list))
        .route(
            "/api/signatures/{signature}",
            get(details).delete(delete_signature),
        )
        .route("/", get(dashboard))
        .route("/s/{signature}", get(signature_page))
        .route("/style.css", get(style))
        // Browsers ask for one on their own; none, rather than a 404 in
        // every visitor's console.
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), read_limit))
        .layer(middleware::from_fn_with_state(app.clone(), common_headers))
        .with_state(app)
}

/// Runs the retention now and then every `retention_interval`.
fn spawn_retention(store: Arc<Store>, config: &Config) -> Option<tokio::task::JoinHandle<()>> {
    if config.retention_days == 0 {
        return None;
    }
    let keep = i64::from(config.retention_days) * 86_400;
    let every = config.retention_interval.max(Duration::from_millis(10));
    Some(tokio::spawn(async move {
        loop {
            match store.purge_before(now() - keep).await {
                Ok(0) => {}
                Ok(n) => eprintln!("panicqr intake: retention deleted {n} reports"),
                Err(e) => eprintln!("panicqr intake: retention failed: {e}"),
            }
            tokio::time::sleep(every).await;
        }
    }))
}

/// Seconds since the epoch.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

async fn submit(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let client = client_address(peer.ip(), &headers, &app.config.trusted_proxies);
    if let Err(wait) = app.limiter.take(client, Instant::now()) {
        return too_many("reports", wait);
    }
    let max = app.config.max_body;
    let too_large = || {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the body is larger than {max} bytes; a report URL is under 8 KB"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return too_large();
    }
    let bytes = match tokio::time::timeout(app.config.body_timeout, axum::body::to_bytes(body, max))
        .await
    {
        Ok(Ok(b)) => b,
        Ok(Err(_)) => return too_large(),
        Err(_) => {
            return error(
                StatusCode::REQUEST_TIMEOUT,
                &format!(
                    "the body did not arrive within {} s",
                    app.config.body_timeout.as_secs_f32()
                ),
            )
        }
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return error(
            StatusCode::BAD_REQUEST,
            "the body is not UTF-8 text; send the report URL as text/plain",
        );
    };
    match app.store.submit(text, now()).await {
        Ok(receipt) => json(StatusCode::OK, &receipt),
        Err(e) => store_error(&e),
    }
}

/// 429 with `Retry-After`: too many `what` from this address.
fn too_many(what: &str, wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut r = error(
        StatusCode::TOO_MANY_REQUESTS,
        &format!("too many {what} from this address: try again in {secs} s"),
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    r
}

/// Every request but a submission (which has its own limit) takes a token
/// of the read limit.
async fn read_limit(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    let submission = req.method() == Method::POST && req.uri().path() == "/api/reports";
    if !submission {
        let client = client_address(peer.ip(), req.headers(), &app.config.trusted_proxies);
        if let Err(wait) = app.read_limiter.take(client, Instant::now()) {
            return too_many("requests", wait);
        }
    }
    next.run(req).await
}

/// `?limit=N&offset=M` of the API's lists.
#[derive(serde::Deserialize)]
struct Paging {
    limit: Option<i64>,
    offset: Option<i64>,
}

impl Paging {
    /// The page asked for: `limit` defaults to `default`, at most `max`.
    fn page(&self, default: i64, max: i64) -> Page {
        Page {
            offset: self.offset.unwrap_or(0).max(0),
            // At least 1: a page of none would point at itself as the
            // next one, and a crawler following it would never stop.
            limit: self.limit.unwrap_or(default).clamp(1, max),
        }
    }
}

/// Signatures in one answer of `GET /api/signatures` unless `?limit=`
/// asks for fewer or more (at most [`MAX_LIST_PAGE`]).
pub const LIST_PAGE: i64 = 1000;
/// The most signatures one answer of `GET /api/signatures` gives.
pub const MAX_LIST_PAGE: i64 = 10_000;
/// Logs in one answer of `GET /api/signatures/{signature}`, in bytes as
/// stored: the page of reports ends before the one that would pass it
/// (`next_offset` says where to go on; the first report is always given,
/// and a report's log may weigh 4 MiB). JSON escapes control characters
/// in 6 bytes, so an answer stays under 6 times this.
pub const DETAILS_LOG_BUDGET: usize = 4 << 20;

async fn list(State(app): State<Arc<App>>, Query(q): Query<Paging>) -> Response {
    let page = q.page(LIST_PAGE, MAX_LIST_PAGE);
    match app.store.signatures(page).await {
        Ok((sigs, more)) => {
            let mut r = json(StatusCode::OK, &sigs);
            if more {
                // RFC 8288: the array stays the answer, the way on is a
                // header.
                let next = format!(
                    "</api/signatures?limit={}&offset={}>; rel=\"next\"",
                    page.limit,
                    page.offset.saturating_add(page.limit)
                );
                if let Ok(v) = HeaderValue::from_str(&next) {
                    r.headers_mut().insert(header::LINK, v);
                }
            }
            r
        }
        Err(e) => store_error(&e),
    }
}

async fn details(
    State(app): State<Arc<App>>,
    Path(signature): Path<String>,
    Query(q): Query<Paging>,
) -> Response {
    let page = q.page(100, 1000);
    match app
        .store
        .signature(&signature, page, Some(DETAILS_LOG_BUDGET))
        .await
    {
        Ok(Some(d)) => json(StatusCode::OK, &d),
        Ok(None) => error(StatusCode::NOT_FOUND, "no such signature"),
        Err(e) => store_error(&e),
    }
}

async fn delete_report(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = refusal(&app, &headers) {
        return refusal;
    }
    match app.store.delete_report(&id).await {
        Ok(true) => json(StatusCode::OK, &serde_json::json!({ "deleted": id })),
        Ok(false) => error(StatusCode::NOT_FOUND, "no such report"),
        Err(e) => store_error(&e),
    }
}

async fn delete_signature(
    State(app): State<Arc<App>>,
    Path(signature): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = refusal(&app, &headers) {
        return refusal;
    }
    match app.store.delete_signature(&signature).await {
        Ok(true) => json(StatusCode::OK, &serde_json::json!({ "deleted": signature })),
        Ok(false) => error(StatusCode::NOT_FOUND, "no such signature"),
        Err(e) => store_error(&e),
    }
}

/// Deletion needs the configured token as `Authorization: Bearer …`; with
/// no token configured nothing can delete. The answer refusing it, if so.
fn refusal(app: &App, headers: &HeaderMap) -> Option<Response> {
    let Some(want) = app.admin_digest else {
        return Some(error(
            StatusCode::FORBIDDEN,
            "deletion is disabled: the server has no admin token (--admin-token-file or PANICQR_ADMIN_TOKEN)",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let ok = given.is_some_and(|g| {
        let got: [u8; 32] = Sha256::digest(g.as_bytes()).into();
        // Every byte compared whatever the first difference: no early exit
        // for timing to measure.
        got.iter()
            .zip(want.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    });
    if ok {
        return None;
    }
    let mut r = error(
        StatusCode::UNAUTHORIZED,
        "deletion needs the admin token as 'Authorization: Bearer <token>'",
    );
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    Some(r)
}

/// Signatures on one page of the dashboard.
const DASHBOARD_PAGE: i64 = 500;

#[derive(serde::Deserialize)]
struct Offset {
    offset: Option<i64>,
}

async fn dashboard(State(app): State<Arc<App>>, Query(q): Query<Offset>) -> Response {
    let today = now().div_euclid(86_400);
    let since = (today - (html::SPARK_DAYS - 1)) * 86_400;
    let page = Page {
        offset: q.offset.unwrap_or(0).max(0),
        limit: DASHBOARD_PAGE,
    };
    let (sigs, more) = match app.store.signatures(page).await {
        Ok(s) => s,
        Err(e) => return page_error(&e),
    };
    let names: Vec<&str> = sigs.iter().map(|s| s.signature.as_str()).collect();
    let (daily, totals) = match (
        app.store.daily_counts(since, &names).await,
        app.store.totals().await,
    ) {
        (Ok(d), Ok(t)) => (d, t),
        (Err(e), _) | (_, Err(e)) => return page_error(&e),
    };
    let next = more.then(|| page.offset.saturating_add(page.limit));
    page_html(
        StatusCode::OK,
        html::index(&sigs, &daily, today, totals, page.offset, next),
    )
}

async fn signature_page(State(app): State<Arc<App>>, Path(signature): Path<String>) -> Response {
    let all = Page {
        offset: 0,
        limit: 1000,
    };
    // The list without logs; the one log shown is read on its own.
    let found = match app.store.signature(&signature, all, None).await {
        Ok(f) => f,
        Err(e) => return page_error(&e),
    };
    let Some(d) = found else {
        return page_html(
            StatusCode::NOT_FOUND,
            html::message("Unknown crash", "No crash has this signature (any more)."),
        );
    };
    match app.store.representative(&signature).await {
        Ok(rep) => page_html(
            StatusCode::OK,
            html::signature(&d, rep.as_ref(), app.config.tracker_url.as_deref()),
        ),
        Err(e) => page_error(&e),
    }
}

async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        html::STYLE,
    )
        .into_response()
}

async fn not_found(method: Method) -> Response {
    if method == Method::GET || method == Method::HEAD {
        error(StatusCode::NOT_FOUND, "no such page")
    } else {
        error(StatusCode::METHOD_NOT_ALLOWED, "no such method here")
    }
}

/// The policy and safety headers on every answer, and CORS for the
/// configured origins.
async fn common_headers(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if let Some(o) = origin {
        if app
            .config
            .allow_origins
            .iter()
            .any(|a| a.as_bytes() == o.as_bytes())
        {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
            h.insert(header::VARY, HeaderValue::from_static("Origin"));
        }
    }
    r
}

fn json<T: serde::Serialize>(status: StatusCode, v: &T) -> Response {
    match serde_json::to_string(v) {
        Ok(s) => (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            s + "\n",
        )
            .into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// A one-line JSON error.
fn error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "error": one_line(message) }).to_string() + "\n";
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn store_error(e: &Error) -> Response {
    match e {
        Error::BadReport(_) => error(StatusCode::BAD_REQUEST, &e.to_string()),
        Error::PartConflict { .. } => error(StatusCode::CONFLICT, &e.to_string()),
        Error::Analysis(_) => {
            eprintln!("panicqr intake: {e}");
            error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
        }
        _ => {
            eprintln!("panicqr intake: {e}");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the database failed; nothing was stored, try again later",
            )
        }
    }
}

fn page_html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn page_error(e: &Error) -> Response {
    eprintln!("panicqr intake: {e}");
    page_html(
        StatusCode::INTERNAL_SERVER_ERROR,
        html::message("Database error", "The database failed; try again later."),
    )
}
