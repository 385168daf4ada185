//! The harness every intake test shares: a database of each backend, and
//! an intake server on a loopback port with its own runtime.
#![allow(dead_code, reason = "each test file uses part of the harness")]

use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use panicqr_intake::client::{Response, Server};
use panicqr_intake::server::{self, Config, RateLimit};
use panicqr_intake::store::Store;
use panicqr_intake::testing;
use panicqr_intake::tls::ServerTls;

/// The same test for each backend: `mod sqlite` and `mod postgres`, each
/// calling `super::<name>(db_url)`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(&$crate::common::sqlite_db()) } )*
        }
        mod postgres {
            $( #[test] fn $name() {
                if let Some(db) = $crate::common::postgres_db() { super::$name(&db) }
            } )*
        }
    };
}

/// A new SQLite file in a new temporary directory (left for the OS to
/// clean; each is a few hundred KB).
pub fn sqlite_db() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "panicqr-intake-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    path_str(dir.join("crashes.sqlite"))
}

fn path_str(p: PathBuf) -> String {
    p.to_str().unwrap().to_string()
}

/// A new database on this process's PostgreSQL, or `None` where
/// PostgreSQL is not installed (never in CI: see `testing::postgres`).
pub fn postgres_db() -> Option<String> {
    testing::postgres().map(|c| c.database())
}

/// A configuration without rate limit, for tests that send many reports.
pub fn unlimited() -> Config {
    Config {
        rate_limit: RateLimit {
            per_minute: 0,
            burst: 0,
        },
        ..Config::default()
    }
}

/// An intake server on 127.0.0.1 (a free port), with its own runtime;
/// stopped when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    pub client: Server,
    pub store: Arc<Store>,
    pub rt: tokio::runtime::Runtime,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    pub fn start(db: &str, config: Config) -> TestServer {
        TestServer::start_with(db, config, None)
    }

    /// An HTTPS server with `tls`, its client trusting `ca` and reaching
    /// it as `https://localhost:port`.
    pub fn start_tls(db: &str, config: Config, tls: ServerTls, ca: &Path) -> TestServer {
        TestServer::start_with(db, config, Some((tls, ca)))
    }

    fn start_with(db: &str, config: Config, tls: Option<(ServerTls, &Path)>) -> TestServer {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let store = Arc::new(rt.block_on(Store::open(db, 8)).unwrap());
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let stopped = async {
            let _ = stopped.await;
        };
        let (task, client) = match tls {
            None => (
                rt.spawn(server::serve(listener, store.clone(), config, stopped)),
                Server::new(&format!("http://{addr}")).unwrap(),
            ),
            Some((tls, ca)) => (
                rt.spawn(server::serve_tls(
                    listener,
                    tls,
                    store.clone(),
                    config,
                    stopped,
                )),
                Server::new(&format!("https://localhost:{}", addr.port()))
                    .unwrap()
                    .with_ca_file(ca)
                    .unwrap(),
            ),
        };
        TestServer {
            addr,
            client,
            store,
            rt,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn submit(&self, url: &str) -> Response {
        self.client.submit(url).unwrap()
    }

    pub fn get(&self, path: &str) -> Response {
        self.client.request("GET", path, &[], b"").unwrap()
    }

    pub fn json(&self, path: &str) -> serde_json::Value {
        let r = self.get(path);
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        serde_json::from_slice(&r.body).unwrap()
    }

    pub fn delete(&self, path: &str, token: Option<&str>) -> Response {
        let auth = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = auth
            .as_deref()
            .map(|a| vec![("Authorization", a)])
            .unwrap_or_default();
        self.client.request("DELETE", path, &headers, b"").unwrap()
    }

    /// Reports stored, straight from the database.
    pub fn count(&self) -> i64 {
        self.rt.block_on(self.store.report_count()).unwrap()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = self.rt.block_on(t);
        }
        self.rt.block_on(self.store.close());
    }
}

/// Parses a successful submission's JSON answer.
pub fn receipt(r: &Response) -> serde_json::Value {
    assert_eq!(r.status, 200, "{}", r.text());
    serde_json::from_slice(&r.body).unwrap()
}

/// Whether the server has closed `c` (reads until end of stream, at most
/// `wait`): a closed connection reads as the end, or as reset.
pub fn closed_within(c: &mut TcpStream, wait: Duration) -> bool {
    c.set_read_timeout(Some(wait)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match c.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false
            }
            Err(_) => return true,
        }
    }
}
