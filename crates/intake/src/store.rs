//! Storage: one code path (sqlx's `Any` driver, one SQL dialect both
//! backends read alike) for SQLite and PostgreSQL, with migrations.
//!
//! Every write is one transaction, and a caller learns of success only
//! after the commit returned: an acknowledged report is on disk.
//!
//! How reports over several codes are kept (docs/format.md §9): each code
//! is stored as received (canonical URL) in `report_parts`, keyed by
//! (report, index), so a part sent twice is stored once. The report's row
//! (one per report id, whichever part came first) holds the log merged from
//! every part received so far (`panicqr_report::decode::merge`, gaps
//! marked), and its signature is computed again from the parts (joined
//! without the gap lines, see [`classify`]) each time a part arrives; the
//! signatures' counts follow.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;

use panicqr_report::decode::{decode, merge, MAX_LOG_BYTES};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{Any, AnyPool, Connection, Row, Transaction};

use crate::classify::classify;
use crate::error::{one_line, redact, Error};
use crate::ingest::{self, Submission};

/// Which database a [`Store`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// A file, the embedded default.
    Sqlite,
    /// A server, shared by several intake servers.
    Postgres,
}

/// The answer to a submission.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Receipt {
    /// The report's id (for a part: the id of the report it belongs to).
    pub id: String,
    /// The crash signature of the report (as merged so far, for a part).
    pub signature: String,
    /// Its readable title.
    pub title: String,
    /// Whether this exact code had been received before (nothing was
    /// stored).
    pub duplicate: bool,
    /// How many reports the signature has, this one included.
    pub count: i64,
}

/// One crash signature with its reports summed up.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SignatureSummary {
    /// The stable id.
    pub signature: String,
    /// The readable title.
    pub title: String,
    /// Reports stored with this signature.
    pub count: i64,
    /// The oldest stored report's arrival (Unix seconds).
    pub first_seen: i64,
    /// The newest stored report's arrival (Unix seconds).
    pub last_seen: i64,
    /// The kernel releases (`v=`) of its reports, sorted.
    pub releases: Vec<String>,
    /// The machines (`a=`) of its reports, sorted.
    pub arches: Vec<String>,
}

/// A stored report.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StoredReport {
    /// The report's id.
    pub id: String,
    /// When it (its first part) arrived (Unix seconds).
    pub received_at: i64,
    /// `v=`.
    pub release: String,
    /// `a=`.
    pub arch: String,
    /// `d=`.
    pub distribution: String,
    /// `complete`, or what the decoder found (`truncated`, `damaged`, …);
    /// for a report over several codes `complete` or `incomplete`.
    pub condition: String,
    /// How many codes the report has (1 for a report of its own).
    pub part_count: i64,
    /// How many of them were received.
    pub parts_received: i64,
    /// The log (merged from the parts received, for several codes).
    pub log: String,
}

/// A signature and its newest reports.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SignatureDetails {
    /// The summary, as in the list.
    #[serde(flatten)]
    pub summary: SignatureSummary,
    /// Its reports, newest first (at most the limit asked for).
    pub reports: Vec<StoredReport>,
    /// Where the next page of reports starts (`?offset=`), when there is
    /// one.
    pub next_offset: Option<i64>,
}

/// Which rows of a list: `limit` of them from `offset` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    /// Rows skipped.
    pub offset: i64,
    /// Rows given at most.
    pub limit: i64,
}

/// Runs `$body` (with `$tx` a transaction) and commits, again from the
/// start when it lost a race (see [`Error::is_transient`]); on SQLite one
/// writer at a time.
macro_rules! transaction {
    ($store:expr, |$tx:ident| $body:expr) => {{
        let store: &Store = $store;
        let _turn = store.turn().await;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let mut tx = store.pool.begin().await?;
            let r = {
                let $tx = &mut tx;
                $body.await
            };
            let r = match r {
                Ok(v) => tx.commit().await.map(|()| v).map_err(Error::from),
                Err(e) => {
                    // Dropping would roll back too; rolling back now gives
                    // the connection back clean at once.
                    let _ = tx.rollback().await;
                    Err(e)
                }
            };
            match r {
                Err(e) if e.is_transient() && attempt < ATTEMPTS => {
                    tokio::time::sleep(std::time::Duration::from_millis(u64::from(attempt) * 5))
                        .await;
                }
                r => break r,
            }
        }
    }};
}

/// The crash store.
///
/// # Examples
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("intake-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let store = panicqr_intake::store::Store::open(dir.join("c.sqlite").to_str().unwrap(), 4).await?;
/// use panicqr_intake::store::Page;
/// let (first, more) = store.signatures(Page { offset: 0, limit: 100 }).await?;
/// assert!(first.is_empty() && !more);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), panicqr_intake::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time; taking turns here, rather than in
    /// SQLite's busy handler, keeps a deferred transaction from failing
    /// with SQLITE_BUSY when it upgrades to a write lock.
    write_turn: Option<tokio::sync::Mutex<()>>,
}

/// How long opening the database may take at start.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How often a transaction that lost a race is run again.
const ATTEMPTS: u32 = 8;

impl Store {
    /// Opens (creating a SQLite file if needed) and migrates the database:
    /// a file path, `sqlite:PATH`, or `postgres://…`; at most
    /// `max_connections` connections.
    ///
    /// # Errors
    /// [`Error::BadDatabaseUrl`], [`Error::Open`] (named, password hidden),
    /// [`Error::Database`], [`Error::Migrate`].
    pub async fn open(db: &str, max_connections: u32) -> Result<Store, Error> {
        sqlx::any::install_default_drivers();
        let (backend, url) = database_url(db)?;
        // One connection first, with a deadline: a server that is down
        // fails at once (the pool would retry for 30 s) and the error names
        // the database. On SQLite this connection also sets WAL: a property
        // of the file, set once before the pool opens more connections.
        // SQLite's default `synchronous = FULL` stays: each commit is on
        // disk before it is acknowledged.
        let opened = tokio::time::timeout(CONNECT_TIMEOUT, async {
            let mut c = sqlx::AnyConnection::connect(&url).await?;
            if backend == Backend::Sqlite {
                sqlx::query("PRAGMA journal_mode = WAL")
                    .fetch_optional(&mut c)
                    .await?;
            }
            c.close().await
        })
        .await;
        let reason = match opened {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(one_line(&e.to_string())),
            Err(_) => Some(format!("no answer within {} s", CONNECT_TIMEOUT.as_secs())),
        };
        if let Some(reason) = reason {
            return Err(Error::Open {
                database: redact(db),
                reason,
            });
        }
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .connect(&url)
            .await?;
        let migrator = Migrator::new(Embedded).await?;
        migrator.run(&pool).await?;
        Ok(Store {
            pool,
            backend,
            write_turn: (backend == Backend::Sqlite).then(|| tokio::sync::Mutex::new(())),
        })
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Decodes and stores a submitted report URL received at `now` (Unix
    /// seconds). The same code stored before gives its receipt with
    /// `duplicate: true` and changes nothing.
    ///
    /// # Errors
    /// [`Error::BadReport`] for text that is no readable report,
    /// [`Error::PartConflict`] for a part received before with a different
    /// log, [`Error::Database`].
    pub async fn submit(&self, text: &str, now: i64) -> Result<Receipt, Error> {
        let s = ingest::read(text)?;
        match s.part {
            None => {
                let (log, (signature, title)) =
                    off_thread(ingest::log_text(&s.decoded.log), classify).await?;
                let r = Single {
                    s: &s,
                    log: &log,
                    signature: &signature,
                    title: &title,
                    now,
                };
                transaction!(self, |tx| r.run(tx))
            }
            Some(_) => transaction!(self, |tx| submit_part(tx, &s, now)),
        }
    }

    /// A page of the signatures, most reports first, and whether more
    /// follow it.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn signatures(&self, page: Page) -> Result<(Vec<SignatureSummary>, bool), Error> {
        // One row more than asked tells whether another page follows.
        let rows = sqlx::query(
            "SELECT signature, title, count, first_seen, last_seen FROM signatures \
             ORDER BY count DESC, last_seen DESC, signature LIMIT $1 OFFSET $2",
        )
        .bind(page.limit.max(0).saturating_add(1))
        .bind(page.offset.max(0))
        .fetch_all(&self.pool)
        .await?;
        // The releases and arches of this page's signatures only: the
        // reports table is not read whole for one page.
        let tags = sqlx::query(
            "SELECT DISTINCT r.signature, r.release, r.arch FROM reports r JOIN \
             (SELECT signature FROM signatures ORDER BY count DESC, last_seen DESC, signature \
              LIMIT $1 OFFSET $2) p ON p.signature = r.signature",
        )
        .bind(page.limit.max(0))
        .bind(page.offset.max(0))
        .fetch_all(&self.pool)
        .await?;
        let mut by_sig: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
        for t in &tags {
            let e = by_sig.entry(t.try_get(0)?).or_default();
            e.0.insert(t.try_get(1)?);
            e.1.insert(t.try_get(2)?);
        }
        let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > page.limit.max(0);
        let sigs = rows
            .iter()
            .take(usize::try_from(page.limit.max(0)).unwrap_or(usize::MAX))
            .map(|r| {
                let mut s = summary(r)?;
                if let Some((rel, arch)) = by_sig.remove(&s.signature) {
                    s.releases = rel.into_iter().collect();
                    s.arches = arch.into_iter().collect();
                }
                Ok(s)
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok((sigs, more))
    }

    /// How many signatures and reports are stored.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn totals(&self) -> Result<(i64, i64), Error> {
        // PostgreSQL sums BIGINTs as NUMERIC, which sqlx reads as no i64.
        let row =
            sqlx::query("SELECT COUNT(*), CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM signatures")
                .fetch_one(&self.pool)
                .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    /// One signature and a page of its reports, newest first; `None` when
    /// unknown.
    ///
    /// With `log_budget: Some(n)` the reports carry their logs, and the page
    /// ends before the report whose log would take the logs past `n` bytes
    /// (the first report is always given): one answer stays bounded
    /// whatever the logs weigh (a report's log may be up to 4 MiB). With
    /// `None` the logs are left out (empty) and not read (their sizes
    /// are, from the row).
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn signature(
        &self,
        signature: &str,
        page: Page,
        log_budget: Option<usize>,
    ) -> Result<Option<SignatureDetails>, Error> {
        let Some(row) = sqlx::query(
            "SELECT signature, title, count, first_seen, last_seen FROM signatures \
             WHERE signature = $1",
        )
        .bind(signature)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let mut s = summary(&row)?;
        let tags = sqlx::query("SELECT DISTINCT release, arch FROM reports WHERE signature = $1")
            .bind(signature)
            .fetch_all(&self.pool)
            .await?;
        let (mut rel, mut arch) = (BTreeSet::new(), BTreeSet::new());
        for t in &tags {
            rel.insert(t.try_get::<String, _>(0)?);
            arch.insert(t.try_get::<String, _>(1)?);
        }
        s.releases = rel.into_iter().collect();
        s.arches = arch.into_iter().collect();
        // First the page without its logs (their lengths only), then the
        // logs of as many reports as fit the budget.
        let offset = page.offset.max(0);
        let rows = sqlx::query(
            "SELECT id, received_at, release, arch, distribution, condition, part_count, \
             parts_received, CAST(OCTET_LENGTH(log) AS BIGINT) FROM reports \
             WHERE signature = $1 \
             ORDER BY received_at DESC, id LIMIT $2 OFFSET $3",
        )
        .bind(signature)
        .bind(page.limit.max(0).saturating_add(1))
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        let mut reports = Vec::new();
        let mut spent = 0usize;
        for r in rows
            .iter()
            .take(usize::try_from(page.limit.max(0)).unwrap_or(usize::MAX))
        {
            if let Some(budget) = log_budget {
                // OCTET_LENGTH: the stored size, read without the text
                // (SQLite ≥ 3.43 from the record header, PostgreSQL without
                // detoasting), so a page far down a signature of large logs
                // costs no log reading (LENGTH had to read each one).
                let bytes = usize::try_from(r.try_get::<i64, _>(8)?).unwrap_or(usize::MAX);
                spent = spent.saturating_add(bytes);
                if spent > budget && !reports.is_empty() {
                    break;
                }
            }
            reports.push(report_info(r)?);
        }
        let shown = i64::try_from(reports.len()).unwrap_or(i64::MAX);
        let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > shown;
        if log_budget.is_some() && !reports.is_empty() {
            // The page's logs in one query: `IN ($1, $2, …)`, placeholders
            // only, the ids bound.
            let list = (1..=reports.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("SELECT id, log FROM reports WHERE id IN ({list})");
            let mut q = sqlx::query(&sql);
            for r in &reports {
                q = q.bind(&r.id);
            }
            let mut logs: BTreeMap<String, String> = BTreeMap::new();
            for row in &q.fetch_all(&self.pool).await? {
                logs.insert(row.try_get(0)?, row.try_get(1)?);
            }
            for r in &mut reports {
                r.log = logs.remove(&r.id).unwrap_or_default();
            }
        }
        Ok(Some(SignatureDetails {
            summary: s,
            reports,
            next_offset: more.then(|| offset.saturating_add(shown)),
        }))
    }

    /// The report that shows the most of a signature's crash: the complete
    /// one with the longest log, else the newest.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn representative(&self, signature: &str) -> Result<Option<StoredReport>, Error> {
        // The id first: sorting rows that held the log would read every
        // log of the signature (SQLite's sorter keeps the result columns).
        let Some(row) = sqlx::query(
            "SELECT id FROM reports WHERE signature = $1 \
             ORDER BY CASE WHEN condition = 'complete' THEN 0 ELSE 1 END, \
             CASE WHEN condition = 'complete' THEN OCTET_LENGTH(log) ELSE 0 END DESC, \
             received_at DESC, id LIMIT 1",
        )
        .bind(signature)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let id: String = row.try_get(0)?;
        Ok(self.report(&id).await?.map(|(_, r)| r))
    }

    /// Reports per signature and day (Unix day number) since `since`
    /// (Unix seconds), for the signatures named: the dashboard's
    /// sparklines.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn daily_counts(
        &self,
        since: i64,
        signatures: &[&str],
    ) -> Result<BTreeMap<String, Vec<(i64, i64)>>, Error> {
        let mut out: BTreeMap<String, Vec<(i64, i64)>> = BTreeMap::new();
        if signatures.is_empty() {
            return Ok(out);
        }
        // One query for the page: `IN ($2, $3, …)`, placeholders only (the
        // names are bound), the same SQL on both backends.
        let list = (0..signatures.len())
            .map(|i| format!("${}", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT signature, received_at / 86400, COUNT(*) FROM reports \
             WHERE received_at >= $1 AND signature IN ({list}) \
             GROUP BY signature, received_at / 86400"
        );
        let mut q = sqlx::query(&sql).bind(since);
        for sig in signatures {
            q = q.bind(*sig);
        }
        for r in &q.fetch_all(&self.pool).await? {
            out.entry(r.try_get(0)?)
                .or_default()
                .push((r.try_get(1)?, r.try_get(2)?));
        }
        for v in out.values_mut() {
            v.sort_unstable();
        }
        Ok(out)
    }

    /// Deletes one report (and its parts); whether it existed.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn delete_report(&self, id: &str) -> Result<bool, Error> {
        transaction!(self, |tx| delete_report(tx, id))
    }

    /// Deletes a signature and every report of it; whether it existed.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn delete_signature(&self, signature: &str) -> Result<bool, Error> {
        transaction!(self, |tx| delete_signature(tx, signature))
    }

    /// Deletes every report received before `cutoff` (Unix seconds); how
    /// many.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn purge_before(&self, cutoff: i64) -> Result<u64, Error> {
        transaction!(self, |tx| purge_before(tx, cutoff))
    }

    /// How many reports are stored.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn report_count(&self) -> Result<i64, Error> {
        Ok(sqlx::query("SELECT COUNT(*) FROM reports")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    /// One stored report, with the signature it has now.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn report(&self, id: &str) -> Result<Option<(String, StoredReport)>, Error> {
        let row = sqlx::query(
            "SELECT id, received_at, release, arch, distribution, condition, part_count, \
             parts_received, log, signature FROM reports WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get(9)?, stored_report(&r)?)))
            .transpose()
    }

    /// Every stored report's id, sorted.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn report_ids(&self) -> Result<Vec<String>, Error> {
        let rows = sqlx::query("SELECT id FROM reports ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// Closes the pool (waits for connections in use).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// On SQLite, the turn to write (see `write_turn`).
    async fn turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.write_turn {
            Some(m) => Some(m.lock().await),
            None => None,
        }
    }
}

/// A report of its own, classified before the transaction.
#[derive(Clone, Copy)]
struct Single<'a> {
    s: &'a Submission,
    log: &'a str,
    signature: &'a str,
    title: &'a str,
    now: i64,
}

impl Single<'_> {
    async fn run(self, tx: &mut Transaction<'static, Any>) -> Result<Receipt, Error> {
        let s = self.s;
        let inserted = sqlx::query(
            "INSERT INTO reports (id, received_at, updated_at, signature, title, release, arch, \
             distribution, condition, part_id, part_count, parts_received, log) \
             VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, NULL, 1, 1, $9) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&s.id)
        .bind(self.now)
        .bind(self.signature)
        .bind(self.title)
        .bind(&s.release)
        .bind(&s.arch)
        .bind(&s.distribution)
        .bind(s.decoded.condition.name())
        .bind(self.log)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return existing(tx, &s.id).await;
        }
        count_new(tx, self.signature, self.title, self.now).await?;
        Ok(Receipt {
            id: s.id.clone(),
            signature: self.signature.to_string(),
            title: self.title.to_string(),
            duplicate: false,
            count: signature_count(tx, self.signature).await?,
        })
    }
}

/// A part of a report over several codes: stored, then the report merged
/// again from all its parts.
async fn submit_part(
    tx: &mut Transaction<'static, Any>,
    s: &Submission,
    now: i64,
) -> Result<Receipt, Error> {
    let Some(tag) = s.part else {
        return Err(Error::BadReport("not a part".into()));
    };
    sqlx::query(
        "INSERT INTO reports (id, received_at, updated_at, signature, title, release, arch, \
         distribution, condition, part_id, part_count, parts_received, log) \
         VALUES ($1, $2, $2, '', '', $3, $4, $5, 'incomplete', $6, $7, 0, '') \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&s.id)
    .bind(now)
    .bind(&s.release)
    .bind(&s.arch)
    .bind(&s.distribution)
    .bind(format!("{:08x}", tag.id))
    .bind(i64::from(tag.count))
    .execute(&mut **tx)
    .await?;
    // The row lock (PostgreSQL) makes parts of one report arriving at once,
    // at one server or two, take turns: each sees the parts committed
    // before it and merges them all.
    sqlx::query("UPDATE reports SET parts_received = parts_received WHERE id = $1")
        .bind(&s.id)
        .execute(&mut **tx)
        .await?;
    let row = sqlx::query("SELECT signature, received_at FROM reports WHERE id = $1")
        .bind(&s.id)
        .fetch_one(&mut **tx)
        .await?;
    let old_signature: String = row.try_get(0)?;
    let received_at: i64 = row.try_get(1)?;
    let index = i64::from(tag.index);
    let inserted = sqlx::query(
        "INSERT INTO report_parts (report_id, idx, code_hash, url, received_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (report_id, idx) DO NOTHING",
    )
    .bind(&s.id)
    .bind(index)
    .bind(&s.code_hash)
    .bind(&s.canonical)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        let first: String =
            sqlx::query("SELECT code_hash FROM report_parts WHERE report_id = $1 AND idx = $2")
                .bind(&s.id)
                .bind(index)
                .fetch_one(&mut **tx)
                .await?
                .try_get(0)?;
        if first != s.code_hash {
            return Err(Error::PartConflict {
                report: s.id.clone(),
                index: tag.index,
            });
        }
        return existing(tx, &s.id).await;
    }
    let urls = sqlx::query("SELECT url FROM report_parts WHERE report_id = $1 ORDER BY idx")
        .bind(&s.id)
        .fetch_all(&mut **tx)
        .await?;
    let mut decoded = Vec::with_capacity(urls.len());
    for u in &urls {
        let url: String = u.try_get(0)?;
        // Stored parts decoded once already; one that no longer does would
        // be a decoder change, and leaves a gap rather than a failure.
        if let Ok(d) = decode(&url) {
            decoded.push(d);
        }
    }
    let merged = merge(decoded);
    let Some(m) = merged.first() else {
        return Err(Error::BadReport("the part does not decode".into()));
    };
    // Each part's log is at most MAX_LOG_BYTES (the decoder stops there),
    // but up to 255 of them make one report: bounded here, the stored parts
    // decoded again for the next part (at most this much with the new one)
    // and the text analysed stay as bounded as a report of one code.
    let joined = m.joined();
    if joined.len() > MAX_LOG_BYTES {
        return Err(Error::BadReport(format!(
            "the parts of this report received so far carry {} bytes of log, more than {MAX_LOG_BYTES}: not a kernel report",
            joined.len()
        )));
    }
    let log = ingest::log_text(&m.text_with_gaps());
    let (_, (signature, title)) = off_thread(ingest::log_text(&joined), classify).await?;
    let condition = if m.is_complete() {
        "complete"
    } else {
        "incomplete"
    };
    let received = i64::try_from(m.parts.iter().flatten().count()).unwrap_or(i64::MAX);
    sqlx::query(
        "UPDATE reports SET signature = $2, title = $3, log = $4, parts_received = $5, \
         condition = $6, updated_at = $7 WHERE id = $1",
    )
    .bind(&s.id)
    .bind(&signature)
    .bind(&title)
    .bind(&log)
    .bind(received)
    .bind(condition)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if old_signature != signature {
        // Signature rows are locked in one order (PostgreSQL), so two
        // reports moving between the same two signatures cannot deadlock.
        if old_signature.is_empty() {
            count_new(tx, &signature, &title, received_at).await?;
        } else if old_signature < signature {
            recount(tx, &old_signature).await?;
            count_new(tx, &signature, &title, received_at).await?;
        } else {
            count_new(tx, &signature, &title, received_at).await?;
            recount(tx, &old_signature).await?;
        }
    }
    let count = signature_count(tx, &signature).await?;
    Ok(Receipt {
        id: s.id.clone(),
        signature,
        title,
        duplicate: false,
        count,
    })
}

/// `f(&text)` on a thread for blocking work, with `text` handed back: a
/// crash log's analysis takes up to ~0.4 s (a 4 MiB log of one line) and
/// must not hold up the runtime's few worker threads.
async fn off_thread<T: Send + 'static>(
    text: String,
    f: impl FnOnce(&str) -> T + Send + 'static,
) -> Result<(String, T), Error> {
    tokio::task::spawn_blocking(move || {
        let r = f(&text);
        (text, r)
    })
    .await
    .map_err(|e| Error::Analysis(e.to_string()))
}

/// How many reports `signature` has.
async fn signature_count(
    tx: &mut Transaction<'static, Any>,
    signature: &str,
) -> Result<i64, Error> {
    let row = sqlx::query("SELECT count FROM signatures WHERE signature = $1")
        .bind(signature)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(match row {
        Some(r) => r.try_get(0)?,
        None => 0,
    })
}

/// The receipt of a report stored before.
async fn existing(tx: &mut Transaction<'static, Any>, id: &str) -> Result<Receipt, Error> {
    let row = sqlx::query("SELECT signature, title FROM reports WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    let signature: String = row.try_get(0)?;
    let count = signature_count(tx, &signature).await?;
    Ok(Receipt {
        id: id.to_string(),
        signature,
        title: row.try_get(1)?,
        duplicate: true,
        count,
    })
}

/// One more report of `signature`, received at `at`.
async fn count_new(
    tx: &mut Transaction<'static, Any>,
    signature: &str,
    title: &str,
    at: i64,
) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO signatures (signature, title, first_seen, last_seen, count) \
         VALUES ($1, $2, $3, $3, 1) ON CONFLICT (signature) DO UPDATE SET \
         count = signatures.count + 1, \
         first_seen = CASE WHEN excluded.first_seen < signatures.first_seen \
           THEN excluded.first_seen ELSE signatures.first_seen END, \
         last_seen = CASE WHEN excluded.last_seen > signatures.last_seen \
           THEN excluded.last_seen ELSE signatures.last_seen END",
    )
    .bind(signature)
    .bind(title)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Counts a signature's reports again after some left it (deleted, or
/// merged into another signature); the row goes with the last report.
async fn recount(tx: &mut Transaction<'static, Any>, signature: &str) -> Result<(), Error> {
    // Lock the row first (PostgreSQL): a report being added now either
    // committed before (and is counted below, by a statement that sees it)
    // or adds its one after this transaction.
    sqlx::query("UPDATE signatures SET count = count WHERE signature = $1")
        .bind(signature)
        .execute(&mut **tx)
        .await?;
    let row = sqlx::query(
        "SELECT COUNT(*), MIN(received_at), MAX(received_at) FROM reports WHERE signature = $1",
    )
    .bind(signature)
    .fetch_one(&mut **tx)
    .await?;
    let n: i64 = row.try_get(0)?;
    let first: Option<i64> = row.try_get(1)?;
    let last: Option<i64> = row.try_get(2)?;
    match (first, last) {
        (Some(first), Some(last)) if n > 0 => {
            sqlx::query(
                "UPDATE signatures SET count = $2, first_seen = $3, last_seen = $4 \
                 WHERE signature = $1",
            )
            .bind(signature)
            .bind(n)
            .bind(first)
            .bind(last)
            .execute(&mut **tx)
            .await?;
        }
        _ => {
            sqlx::query("DELETE FROM signatures WHERE signature = $1")
                .bind(signature)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

async fn delete_report(tx: &mut Transaction<'static, Any>, id: &str) -> Result<bool, Error> {
    let Some(row) = sqlx::query("SELECT signature FROM reports WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(false);
    };
    let signature: String = row.try_get(0)?;
    sqlx::query("DELETE FROM report_parts WHERE report_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM reports WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if !signature.is_empty() {
        recount(tx, &signature).await?;
    }
    Ok(true)
}

async fn delete_signature(
    tx: &mut Transaction<'static, Any>,
    signature: &str,
) -> Result<bool, Error> {
    sqlx::query(
        "DELETE FROM report_parts WHERE report_id IN \
         (SELECT id FROM reports WHERE signature = $1)",
    )
    .bind(signature)
    .execute(&mut **tx)
    .await?;
    let reports = sqlx::query("DELETE FROM reports WHERE signature = $1")
        .bind(signature)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    let rows = sqlx::query("DELETE FROM signatures WHERE signature = $1")
        .bind(signature)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(reports + rows > 0)
}

async fn purge_before(tx: &mut Transaction<'static, Any>, cutoff: i64) -> Result<u64, Error> {
    let rows = sqlx::query("SELECT DISTINCT signature FROM reports WHERE received_at < $1")
        .bind(cutoff)
        .fetch_all(&mut **tx)
        .await?;
    let mut signatures = rows
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<Vec<_>, _>>()?;
    signatures.sort_unstable();
    sqlx::query(
        "DELETE FROM report_parts WHERE report_id IN \
         (SELECT id FROM reports WHERE received_at < $1)",
    )
    .bind(cutoff)
    .execute(&mut **tx)
    .await?;
    let n = sqlx::query("DELETE FROM reports WHERE received_at < $1")
        .bind(cutoff)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    for s in signatures.iter().filter(|s| !s.is_empty()) {
        recount(tx, s).await?;
    }
    Ok(n)
}

fn summary(r: &AnyRow) -> Result<SignatureSummary, Error> {
    Ok(SignatureSummary {
        signature: r.try_get(0)?,
        title: r.try_get(1)?,
        count: r.try_get(2)?,
        first_seen: r.try_get(3)?,
        last_seen: r.try_get(4)?,
        releases: Vec::new(),
        arches: Vec::new(),
    })
}

/// A report's row without its log (the log left empty).
fn report_info(r: &AnyRow) -> Result<StoredReport, Error> {
    Ok(StoredReport {
        id: r.try_get(0)?,
        received_at: r.try_get(1)?,
        release: r.try_get(2)?,
        arch: r.try_get(3)?,
        distribution: r.try_get(4)?,
        condition: r.try_get(5)?,
        part_count: r.try_get(6)?,
        parts_received: r.try_get(7)?,
        log: String::new(),
    })
}

fn stored_report(r: &AnyRow) -> Result<StoredReport, Error> {
    Ok(StoredReport {
        log: r.try_get(8)?,
        ..report_info(r)?
    })
}

/// `--db` as a backend and a URL sqlx reads.
fn database_url(db: &str) -> Result<(Backend, String), Error> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        return Ok((Backend::Postgres, db.to_string()));
    }
    let path = db.strip_prefix("sqlite:").unwrap_or(db);
    let path = path.strip_prefix("//").unwrap_or(path);
    // A libpq keyword string (`host=db user=ci password=…`) is no file
    // name: taken as one it would create a file named with the password.
    let libpq = db.split_whitespace().all(|w| w.contains('='))
        && db.split_whitespace().any(|w| {
            [
                "host=",
                "hostaddr=",
                "port=",
                "dbname=",
                "user=",
                "password=",
                "sslmode=",
            ]
            .iter()
            .any(|k| w.to_ascii_lowercase().starts_with(k))
        });
    if path.is_empty() || libpq || db.contains("://") && !db.starts_with("sqlite:") {
        return Err(Error::BadDatabaseUrl(redact(db)));
    }
    // The path percent-encoded, so `?` or `#` in a file name stay in it.
    let encoded: String = path
        .split('/')
        .map(ingest::encode)
        .collect::<Vec<_>>()
        .join("/");
    Ok((Backend::Sqlite, format!("sqlite://{encoded}?mode=rwc")))
}

/// The migrations, built into the binary.
#[derive(Debug)]
struct Embedded;

/// `(version, description, SQL)`, in order; never edit one that shipped.
const MIGRATIONS: &[(i64, &str, &str)] =
    &[(1, "init", include_str!("../migrations/0001_init.sql"))];

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(
        self,
    ) -> Pin<
        Box<
            dyn Future<Output = Result<Vec<Migration>, Box<dyn std::error::Error + Send + Sync>>>
                + Send
                + 's,
        >,
    > {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|&(v, d, sql)| {
                    Migration::new(
                        v,
                        Cow::Borrowed(d),
                        MigrationType::Simple,
                        Cow::Borrowed(sql),
                        false,
                    )
                })
                .collect())
        })
    }
}
