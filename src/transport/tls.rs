//! TLS configuration: [`TlsClientOptions`], [`client_config`] and [`server_config`], and the
//! certificate verifiers they install.

use std::fs::File;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{ring, CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::{Error, Result};

/// How a client sets up TLS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TlsClientOptions {
    /// A PEM file of CA certificates to trust instead of the built-in web roots. Default: none.
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
/// # Errors
/// [`Error::Config`] when the CA file does not load or holds no certificate.
pub fn client_config(options: &TlsClientOptions) -> Result<Arc<rustls::ClientConfig>> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|err| Error::Config(format!("TLS client configuration: {err}")))?;
    let config = if options.no_verify {
        log::warn!("TLS certificate verification is disabled: the server is not authenticated");
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoCertificateVerification {
                algorithms: provider.signature_verification_algorithms,
            }))
            .with_no_client_auth()
    } else {
        let roots = match &options.ca_file {
            Some(path) => load_ca_file(path)?,
            None => RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            },
        };
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    Ok(Arc::new(config))
}

/// Reads every certificate of a PEM file into a root store of its own.
fn load_ca_file(path: &Path) -> Result<RootCertStore> {
    let certs = load_certs(path, "CA file")?;
    let mut roots = RootCertStore::empty();
    for cert in certs {
        roots.add(cert).map_err(|err| {
            Error::Config(format!(
                "CA file {}: bad certificate: {err}",
                path.display()
            ))
        })?;
    }
    Ok(roots)
}

/// Reads every certificate of a PEM file; none is an error.
fn load_certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let file = open_pem(path, what)?;
    let certs = rustls_pemfile::certs(&mut BufReader::new(file))
        .collect::<io::Result<Vec<_>>>()
        .map_err(|err| Error::Config(format!("{what} {}: {err}", path.display())))?;
    if certs.is_empty() {
        return Err(Error::Config(format!(
            "{what} {}: no PEM certificate in it",
            path.display()
        )));
    }
    Ok(certs)
}

fn open_pem(path: &Path, what: &str) -> Result<File> {
    File::open(path).map_err(|err| Error::Config(format!("{what} {}: {err}", path.display())))
}

/// Builds a server configuration from a PEM certificate chain and a PEM private key.
///
/// # Errors
/// [`Error::Config`] when either file does not load, or the key does not fit the certificate.
pub fn server_config(cert_file: &Path, key_file: &Path) -> Result<Arc<rustls::ServerConfig>> {
    let certs = load_certs(cert_file, "certificate file")?;
    let file = open_pem(key_file, "key file")?;
    let key: PrivateKeyDer<'static> = rustls_pemfile::private_key(&mut BufReader::new(file))
        .map_err(|err| Error::Config(format!("key file {}: {err}", key_file.display())))?
        .ok_or_else(|| {
            Error::Config(format!(
                "key file {}: no PEM private key in it",
                key_file.display()
            ))
        })?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|err| Error::Config(format!("TLS server configuration: {err}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|err| {
            Error::Config(format!(
                "certificate {} with key {}: {err}",
                cert_file.display(),
                key_file.display()
            ))
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
