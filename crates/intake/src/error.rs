//! The crate's one error type.

use std::fmt;

/// Why a request to the intake failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The submitted text is not a report the server can read (the message
    /// says why, on one line); the client should not send it again.
    BadReport(String),
    /// Part `index` of report `report` was already received with a different
    /// log: parts of two crashes that share an id, or a damaged code. The
    /// first one is kept.
    PartConflict {
        /// The report's id.
        report: String,
        /// The part's index (1 = newest lines).
        index: u8,
    },
    /// `--db` is neither a file path, `sqlite:…` nor `postgres://…`.
    BadDatabaseUrl(String),
    /// The database refused or could not be reached.
    Database(sqlx::Error),
    /// The schema could not be brought up to date.
    Migrate(sqlx::migrate::MigrateError),
    /// The listening address could not be used, or the runtime not
    /// started.
    Io(String, std::io::Error),
    /// The crash analysis of a report failed (a bug in it: it panicked);
    /// nothing was stored.
    Analysis(String),
}

impl Error {
    /// Whether the transaction lost a race that PostgreSQL resolves by
    /// aborting one side (serialization failure, deadlock) or SQLite by a
    /// busy lock: running it again is the remedy.
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            Error::Database(sqlx::Error::Database(e)) => {
                matches!(
                    e.code().as_deref(),
                    Some("40001" | "40P01" | "5" | "6" | "517")
                )
            }
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadReport(m) => write!(f, "not a readable report: {m}"),
            Error::PartConflict { report, index } => write!(
                f,
                "part {index} of report {report} was already received with a different log (the first is kept)"
            ),
            Error::BadDatabaseUrl(u) => write!(
                f,
                "'{u}' is not a database: give a file path (SQLite), sqlite:PATH or postgres://user@host/db"
            ),
            Error::Database(e) => write!(f, "database: {}", one_line(&e.to_string())),
            Error::Migrate(e) => write!(
                f,
                "database schema migration failed: {}",
                one_line(&e.to_string())
            ),
            Error::Io(what, e) => write!(f, "{what}: {e}"),
            Error::Analysis(m) => write!(
                f,
                "the crash analysis failed ({}); nothing was stored",
                one_line(m)
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Database(e) => Some(e),
            Error::Migrate(e) => Some(e),
            Error::Io(_, e) => Some(e),
            _ => None,
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Database(e)
    }
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Error::Migrate(e)
    }
}

/// Messages end up in one-line JSON errors and log lines.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
