//! TLS configuration: [`TlsClientOptions`], [`client_config`] and [`server_config`], and the
//! certificate verifiers they install.

use std::fs::File;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{ring, CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, ClientConfig, DistinguishedName, RootCertStore, ServerConfig};
use rustls::{DigitallySignedStruct, OtherError, SignatureScheme};

use super::x509;
use crate::{Error, Result};

/// How a client sets up TLS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TlsClientOptions {
    /// A PEM file of CA certificates to trust instead of the built-in web roots. A server
    /// certificate that is itself in the file is trusted even when it is marked as a CA (as
    /// `openssl req -x509` makes them), provided it names the server and is within its dates.
    /// Default: none.
    pub ca_file: Option<PathBuf>,
    /// Skip certificate verification (logged as a warning). Default: false.
    pub no_verify: bool,
    /// The name to verify the certificate against and send as SNI. Default: the host connected to.
    pub server_name: Option<String>,
}

/// The crypto provider every configuration is built with (ring; no process-wide default is
/// consulted).
fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

/// Builds a client configuration: the web roots (like curl), or `ca_file`, or no verification.
///
/// With `ca_file`, certificates are verified by webpki against the file's certificates. In
/// addition, a server certificate byte for byte equal to one of them is accepted although it is
/// a CA certificate (webpki refuses a CA certificate as a server's own, OpenSSL does not), once
/// its validity dates and its name are checked: a subjectAltName must match the server name as
/// webpki matches them, or, for a DNS name and a certificate without any DNS subjectAltName, a
/// subject common name must equal it (as OpenSSL does). Handshake signatures are checked as
/// for any certificate.
///
/// # Errors
/// [`Error::Config`] when the CA file does not load or holds no certificate.
pub fn client_config(options: &TlsClientOptions) -> Result<Arc<rustls::ClientConfig>> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|err| Error::config_with("TLS client configuration", err))?;
    let config = if options.no_verify {
        log::warn!("TLS certificate verification is disabled: the server is not authenticated");
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoCertificateVerification {
                algorithms: provider.signature_verification_algorithms,
            }))
            .with_no_client_auth()
    } else if let Some(path) = &options.ca_file {
        let verifier = CaFileVerifier::new(path, provider)?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth()
    } else {
        let roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    Ok(Arc::new(config))
}

/// Reads every certificate of a PEM file; none is an error.
fn load_certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let file = open_pem(path, what)?;
    let certs = rustls_pemfile::certs(&mut BufReader::new(file))
        .collect::<io::Result<Vec<_>>>()
        .map_err(|err| Error::config_with(format!("{what} {}", path.display()), err))?;
    if certs.is_empty() {
        return Err(Error::config(format!(
            "{what} {}: no PEM certificate in it",
            path.display()
        )));
    }
    Ok(certs)
}

fn open_pem(path: &Path, what: &str) -> Result<File> {
    File::open(path).map_err(|err| Error::config_with(format!("{what} {}", path.display()), err))
}

/// Builds a server configuration from a PEM certificate chain and a PEM private key.
///
/// # Errors
/// [`Error::Config`] when either file does not load, or the key does not fit the certificate.
pub fn server_config(cert_file: &Path, key_file: &Path) -> Result<Arc<rustls::ServerConfig>> {
    let certs = load_certs(cert_file, "certificate file")?;
    let file = open_pem(key_file, "key file")?;
    let key: PrivateKeyDer<'static> = rustls_pemfile::private_key(&mut BufReader::new(file))
        .map_err(|err| Error::config_with(format!("key file {}", key_file.display()), err))?
        .ok_or_else(|| {
            Error::config(format!(
                "key file {}: no PEM private key in it",
                key_file.display()
            ))
        })?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|err| Error::config_with("TLS server configuration", err))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|err| {
            Error::config_with(
                format!(
                    "certificate {} with key {}",
                    cert_file.display(),
                    key_file.display()
                ),
                err,
            )
        })?;
    Ok(Arc::new(config))
}

/// Accepts any server certificate (`no_verify`), but still checks that the handshake was signed
/// by the key in the certificate presented, with the provider's algorithms.
#[derive(Debug)]
struct NoCertificateVerification {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for NoCertificateVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Verifies a server with webpki against the certificates of a CA file, and also accepts a
/// certificate of that file that the server presents as its own although it is a CA
/// certificate (see [`client_config`]). Handshake signatures are always verified by webpki.
#[derive(Debug)]
struct CaFileVerifier {
    webpki: Arc<WebPkiServerVerifier>,
    /// The CA file's certificates, for the byte-for-byte comparison.
    certs: Vec<CertificateDer<'static>>,
}

impl CaFileVerifier {
    /// Loads the CA file at `path`.
    fn new(path: &Path, provider: Arc<CryptoProvider>) -> Result<Self> {
        let certs = load_certs(path, "CA file")?;
        let mut roots = RootCertStore::empty();
        for cert in &certs {
            roots.add(cert.clone()).map_err(|err| {
                Error::config_with(format!("CA file {}: bad certificate", path.display()), err)
            })?;
        }
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|err| Error::config_with(format!("CA file {}", path.display()), err))?;
        Ok(CaFileVerifier { webpki, certs })
    }
}

impl ServerCertVerifier for CaFileVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let result = self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        match result {
            Err(err) if is_ca_used_as_end_entity(&err) && self.certs.contains(end_entity) => {
                verify_own_certificate(end_entity, server_name, now)?;
                log::debug!(
                    "server certificate accepted for {server_name:?}: a CA certificate, but \
                     the very one in the CA file"
                );
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
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

    fn root_hint_subjects(&self) -> Option<&[DistinguishedName]> {
        self.webpki.root_hint_subjects()
    }
}

/// Whether webpki refused a certificate only for being a CA certificate used as a server's own.
fn is_ca_used_as_end_entity(err: &rustls::Error) -> bool {
    match err {
        rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(inner))) => {
            matches!(
                inner.downcast_ref::<webpki::Error>(),
                Some(webpki::Error::CaUsedAsEndEntity)
            )
        }
        _ => false,
    }
}

/// The checks webpki did not get to for a certificate trusted as is: its validity dates at
/// `now`, and its name (a subjectAltName as webpki matches them, else, when it has no DNS
/// subjectAltName and `server_name` is a DNS name, a subject common name equal to it, ASCII
/// case aside).
pub(super) fn verify_own_certificate(
    cert: &CertificateDer<'_>,
    server_name: &ServerName<'_>,
    now: UnixTime,
) -> Result<(), rustls::Error> {
    let fields = x509::parse(cert).ok_or(CertificateError::BadEncoding)?;
    let time = now.as_secs();
    if time < fields.not_before {
        return Err(CertificateError::NotValidYetContext {
            time: now,
            not_before: UnixTime::since_unix_epoch(Duration::from_secs(fields.not_before)),
        }
        .into());
    }
    if time > fields.not_after {
        return Err(CertificateError::ExpiredContext {
            time: now,
            not_after: UnixTime::since_unix_epoch(Duration::from_secs(fields.not_after)),
        }
        .into());
    }
    let parsed = ParsedCertificate::try_from(cert)?;
    let Err(err) = rustls::client::verify_server_name(&parsed, server_name) else {
        return Ok(());
    };
    if let ServerName::DnsName(name) = server_name {
        let bare = |name: &str| name.strip_suffix('.').unwrap_or(name).to_owned();
        let wanted = bare(name.as_ref());
        let matches = |common_name: &String| bare(common_name).eq_ignore_ascii_case(&wanted);
        if !fields.has_dns_alt_name && fields.common_names.iter().any(matches) {
            return Ok(());
        }
    }
    Err(err)
}
