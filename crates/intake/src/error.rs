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
    /// The database named by `--db` could not be opened at start: the
    /// server is down or unreachable, the login is refused, the file
    /// cannot be created.
    Open {
        /// The database, its password hidden.
        database: String,
        /// Why, on one line.
        reason: String,
    },
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
            Error::Open { database, reason } => {
                write!(f, "cannot open the database {database}: {reason}")
            }
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

/// A database URL fit to print: the password of `user:password@` and the
/// value of any `password=` (a URL parameter, a libpq keyword) replaced by
/// `***`. The user info ends at the *last* `@`: a password may hold `/`,
/// `?`, `#` or `@` unencoded, and hiding too much is harmless.
///
/// # Examples
/// ```text
/// redact("postgres://ci:s3cret@db:5432/x?password=p") == "postgres://ci:***@db:5432/x?password=***"
/// ```
pub(crate) fn redact(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest = scheme_end + 3;
        if let Some(at) = out[rest..].rfind('@') {
            if let Some(colon) = out[rest..rest + at].find(':') {
                out.replace_range(rest + colon + 1..rest + at, "***");
            }
        }
    }
    let mut from = 0;
    while let Some(i) = out[from..].to_ascii_lowercase().find("password=") {
        let start = from + i + "password=".len();
        let end = out[start..]
            .find(|c: char| c == '&' || c.is_whitespace())
            .map_or(out.len(), |j| start + j);
        out.replace_range(start..end, "***");
        from = start + 3;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("postgres://ci:s3cret@db:5432/x?sslmode=require&password=p&a=b"),
            "postgres://ci:***@db:5432/x?sslmode=require&password=***&a=b"
        );
        assert_eq!(redact("postgres://ci@db/x"), "postgres://ci@db/x");
        assert_eq!(redact("postgres://u:p@ss@db/x"), "postgres://u:***@db/x");
        assert_eq!(
            redact("postgres://db/x?password="),
            "postgres://db/x?password=***"
        );
        assert_eq!(redact("/var/lib/crashes.sqlite"), "/var/lib/crashes.sqlite");
        // Unencoded '#', '/', '?' in the password: the user info still ends
        // at the last '@'.
        for pw in ["ab#cd", "a/b", "a?b", "a@b"] {
            let r = redact(&format!("postgres://u:{pw}@db:5432/x"));
            assert_eq!(r, "postgres://u:***@db:5432/x", "{pw}");
        }
        assert_eq!(
            redact("host=db user=ci PassWord=s3cret dbname=x"),
            "host=db user=ci PassWord=*** dbname=x"
        );
    }
}
