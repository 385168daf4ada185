//! TLS for the intake: the server's certificate and key
//! ([`ServerTls`], `panicqr intake --tls-cert --tls-key`), and the trust
//! roots of the client ([`client::Server`](crate::client::Server): the
//! system's store plus the certificates of a `--ca-file`).
//!
//! A certificate of `--ca-file` that the server presents as its own (a
//! self-signed certificate, as `openssl req -x509` makes: marked as an
//! authority, which the WebPKI rules refuse as a server's certificate) is
//! trusted as that server's, byte for byte, like an SSH host key; its
//! names are still checked, and the handshake still proves the server
//! holds its key.
//!
//! rustls with the ring crypto provider, set explicitly on every
//! configuration (no process-wide default is installed, so a program
//! embedding the intake keeps its own). TLS 1.2 and 1.3, rustls' safe
//! defaults; HTTP/1.1 offered by ALPN.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig,
    SignatureScheme,
};

/// Why a certificate, key or CA file cannot be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum TlsError {
    /// The file could not be read.
    Read(PathBuf, std::io::Error),
    /// The file holds no PEM certificate (`-----BEGIN CERTIFICATE-----`),
    /// or a broken one (the message says where).
    NoCertificate(PathBuf, String),
    /// The file holds no PEM private key (PKCS#8, PKCS#1 or SEC1), or a
    /// broken one.
    NoKey(PathBuf, String),
    /// The private key is not the one of the chain's first certificate.
    KeyMismatch {
        /// The certificate chain's file.
        cert: PathBuf,
        /// The key's file.
        key: PathBuf,
    },
    /// rustls refused the certificate or key (an unsupported key type,
    /// say).
    Refused(String),
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::Read(p, e) => write!(f, "cannot read {}: {e}", p.display()),
            TlsError::NoCertificate(p, why) => write!(
                f,
                "{} holds no usable PEM certificate ({why}): expected '-----BEGIN CERTIFICATE-----' blocks",
                p.display()
            ),
            TlsError::NoKey(p, why) => write!(
                f,
                "{} holds no usable PEM private key ({why}): give a PKCS#8, PKCS#1 (RSA) or SEC1 (EC) key",
                p.display()
            ),
            TlsError::KeyMismatch { cert, key } => write!(
                f,
                "the private key in {} is not the key of the certificate in {} (its first certificate must be the server's own)",
                key.display(),
                cert.display()
            ),
            TlsError::Refused(m) => write!(f, "unusable TLS certificate or key: {m}"),
        }
    }
}

impl std::error::Error for TlsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TlsError::Read(_, e) => Some(e),
            _ => None,
        }
    }
}

/// A server's TLS configuration: its certificate chain and private key,
/// checked to belong together.
///
/// # Examples
/// ```no_run
/// use panicqr_intake::tls::ServerTls;
/// let tls = ServerTls::from_pem_files(
///     "/etc/panicqr/fullchain.pem".as_ref(),
///     "/etc/panicqr/key.pem".as_ref(),
/// )?;
/// # Ok::<(), panicqr_intake::tls::TlsError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ServerTls {
    config: Arc<ServerConfig>,
}

impl ServerTls {
    /// Reads the certificate chain (the server's certificate first, then
    /// the intermediates: a `fullchain.pem`) and the private key, both PEM.
    ///
    /// # Errors
    /// [`TlsError`]: a file unreadable, without a certificate or key, or a
    /// key that is not the certificate's.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<ServerTls, TlsError> {
        let chain = read_certificates(cert)?;
        let key_path = key;
        let key = PrivateKeyDer::from_pem_file(key).map_err(|e| match e {
            pem::Error::Io(io) => TlsError::Read(key.to_path_buf(), io),
            e => TlsError::NoKey(key.to_path_buf(), pem_problem(&e)),
        })?;
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Refused(e.to_string()))?
            .with_no_client_auth()
            // rustls checks here that the key is the first certificate's.
            .with_single_cert(chain, key)
            .map_err(|e| match e {
                rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch) => {
                    TlsError::KeyMismatch {
                        cert: cert.to_path_buf(),
                        key: key_path.to_path_buf(),
                    }
                }
                e => TlsError::Refused(e.to_string()),
            })?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(ServerTls {
            config: Arc::new(config),
        })
    }

    /// What the accept loop hands each connection to.
    pub(crate) fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        tokio_rustls::TlsAcceptor::from(self.config.clone())
    }
}

/// Every certificate in a PEM file (at least one).
///
/// # Errors
/// [`TlsError::Read`], [`TlsError::NoCertificate`].
///
/// # Examples
/// ```
/// use panicqr_intake::tls::{read_certificates, TlsError};
/// let e = read_certificates("/nonexistent/ca.pem".as_ref()).unwrap_err();
/// assert!(matches!(e, TlsError::Read(..)));
/// ```
pub fn read_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let broken = |e: pem::Error| match e {
        pem::Error::Io(io) => TlsError::Read(path.to_path_buf(), io),
        e => TlsError::NoCertificate(path.to_path_buf(), pem_problem(&e)),
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(broken)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(broken)?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate(
            path.to_path_buf(),
            "none found".into(),
        ));
    }
    Ok(certs)
}

/// A client configuration trusting the system's roots and `extra`.
///
/// # Errors
/// [`TlsError::NoCertificate`] naming `source` when one of `extra` is not
/// a certificate rustls can use as a trust anchor.
pub(crate) fn client_config(
    extra: &[CertificateDer<'static>],
    source: &Path,
) -> Result<Arc<ClientConfig>, TlsError> {
    let mut roots = system_roots().clone();
    for c in extra {
        roots.add(c.clone()).map_err(|e| {
            TlsError::NoCertificate(source.to_path_buf(), format!("not a CA certificate: {e}"))
        })?;
    }
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .map_err(|e| TlsError::Refused(e.to_string()))?;
    let verifier = Arc::new(Verifier {
        webpki,
        pinned: extra.to_vec(),
    });
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Refused(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The WebPKI rules (rustls' own verifier), and the certificates of a
/// `--ca-file` also trusted as a server's own certificate.
#[derive(Debug)]
struct Verifier {
    webpki: Arc<WebPkiServerVerifier>,
    pinned: Vec<CertificateDer<'static>>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let refused = match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        // Only the one refusal a self-signed certificate meets: WebPKI
        // checks dates (and the rest) before it, so an expired or
        // not-yet-valid certificate is refused as such, pinned or not.
        let ca_as_server = matches!(
            &refused,
            rustls::Error::InvalidCertificate(CertificateError::Other(o))
                if matches!(o.0.downcast_ref::<webpki::Error>(), Some(webpki::Error::CaUsedAsEndEntity))
        );
        if !ca_as_server
            || !self
                .pinned
                .iter()
                .any(|p| p.as_ref() == end_entity.as_ref())
        {
            return Err(refused);
        }
        // The very certificate the user named: trusted as this server's,
        // for the names it carries.
        let cert = webpki::EndEntityCert::try_from(end_entity)
            .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
        cert.verify_is_valid_for_subject_name(server_name)
            .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::NotValidForName))?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// The system's trust roots (`SSL_CERT_FILE`/`SSL_CERT_DIR` if set, else
/// the distribution's store, `/etc/ssl/certs` on Debian), read once per
/// process. Certificates rustls cannot use are left out, as a missing
/// store is: a server they would have vouched for is then refused with
/// an error that says so.
fn system_roots() -> &'static RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut roots = RootCertStore::empty();
        roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        roots
    })
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn pem_problem(e: &pem::Error) -> String {
    match e {
        pem::Error::NoItemsFound => "none found".into(),
        e => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_without_pem_are_refused() {
        let dir = std::env::temp_dir().join(format!("panicqr-tls-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = dir.join("not-pem.txt");
        std::fs::write(&text, "hello\n").unwrap();
        assert!(matches!(
            read_certificates(&text),
            Err(TlsError::NoCertificate(..))
        ));
        let e = ServerTls::from_pem_files(&text, &text).unwrap_err();
        assert!(matches!(e, TlsError::NoCertificate(..)), "{e}");
        assert!(e.to_string().contains("not-pem.txt"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
