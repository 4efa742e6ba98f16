//! `TelnetConnection` over TLS, against a loopback server with a certificate made in the test
//! (by rcgen, or by the `openssl` command the way telnetlib3's guide does it); and the
//! `telnetlib3-client` binary against the `telnetlib3-server` binary over TLS.

use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use telnetlib3::transport::{self, Transport};
use telnetlib3::{ConnectOptions, Error, TelnetConnection};

mod support;
use support::cli::{client_cmd, ServerProcess};
use support::TempDir;

const LONG: Option<Duration> = Some(Duration::from_secs(5));

/// Bound on one `openssl` run and on one client binary run.
const RUN_LIMIT: Duration = Duration::from_secs(30);

/// A self-signed certificate for localhost and 127.0.0.1, written to a fresh directory.
fn certificate(tag: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "telnetlib3-client-tls-{tag}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    std::fs::File::create(&cert_path)
        .unwrap()
        .write_all(cert.cert.pem().as_bytes())
        .unwrap();
    std::fs::File::create(&key_path)
        .unwrap()
        .write_all(cert.key_pair.serialize_pem().as_bytes())
        .unwrap();
    (cert_path, key_path)
}

/// A TLS server that greets, echoes one line and closes. Returns the port.
fn tls_server(cert: &Path, key: &Path) -> (u16, thread::JoinHandle<()>) {
    let config = transport::server_config(cert, key).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let Ok(tls) = Transport::accept_tls(stream, config, Some(Duration::from_secs(5))) else {
            return; // the client refused our certificate
        };
        let (mut reader, writer) = tls.split();
        reader
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        writer.write_all(b"\xff\xfd\x18secure hello\r\n").unwrap();
        let mut buf = [0u8; 256];
        let mut got = Vec::new();
        while !got.ends_with(b"\r\n") {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        // The client's telnet replies (WILL TTYPE) come before its line: answer the line.
        if got.ends_with(b"ping\r\n") {
            writer.write_all(b"ping\r\n").unwrap();
        }
        writer.shutdown();
    });
    (port, handle)
}

fn options() -> ConnectOptions {
    ConnectOptions::default()
        .connect_maxwait(Duration::from_millis(200))
        .connect_timeout(Some(Duration::from_secs(5)))
        .timeout(LONG)
}

#[test]
fn tls_with_ca_file_round_trip() {
    let (cert, key) = certificate("ca");
    let (port, server) = tls_server(&cert, &key);
    let conn =
        TelnetConnection::connect_with("localhost", port, options().tls_ca_file(&cert)).unwrap();
    assert_eq!(conn.get_extra_info("tls").as_deref(), Some("true"));
    assert_eq!(conn.readline(LONG).unwrap(), "secure hello\r\n");
    conn.write("ping\r\n").unwrap();
    assert_eq!(conn.readline(LONG).unwrap(), "ping\r\n");
    assert!(matches!(conn.read_some(LONG), Err(Error::Eof)));
    server.join().unwrap();
}

#[test]
fn tls_default_roots_reject_a_self_signed_certificate() {
    let (cert, key) = certificate("roots");
    let (port, server) = tls_server(&cert, &key);
    let mut options = options();
    options.tls = true;
    match TelnetConnection::connect_with("localhost", port, options) {
        Err(Error::Tls(_)) => {}
        other => panic!("expected a TLS error, got {other:?}"),
    }
    server.join().unwrap();
}

#[test]
fn tls_no_verify_accepts_it() {
    let (cert, key) = certificate("noverify");
    let (port, server) = tls_server(&cert, &key);
    let conn =
        TelnetConnection::connect_with("127.0.0.1", port, options().tls_no_verify()).unwrap();
    assert_eq!(conn.readline(LONG).unwrap(), "secure hello\r\n");
    conn.close();
    server.join().unwrap();
}

#[test]
fn tls_bad_ca_file_is_a_config_error() {
    let dir =
        std::env::temp_dir().join(format!("telnetlib3-client-tls-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.pem");
    std::fs::write(&empty, b"not a certificate\n").unwrap();
    assert!(matches!(
        TelnetConnection::connect_with("localhost", 1, options().tls_ca_file(&empty)),
        Err(Error::Config(_))
    ));
}

// ---------------------------------------------------------------------------------------------
// Certificates made by the openssl command line

/// A certificate and key made by `openssl` in a temp dir (removed on drop).
struct OpensslCert {
    cert: PathBuf,
    key: PathBuf,
    dir: TempDir,
}

/// Runs `openssl ARGS` in `dir`. A missing `openssl`, or one that fails, fails the test.
fn openssl(dir: &Path, args: &[&str]) {
    let mut cmd = std::process::Command::new("openssl");
    cmd.args(args).current_dir(dir);
    let out = support::cli::run(cmd, b"", RUN_LIMIT);
    assert_eq!(
        out.code,
        Some(0),
        "openssl {args:?} failed: {}{}",
        out.stdout,
        out.stderr
    );
}

impl OpensslCert {
    /// The guide's self-signed certificate for `/CN=<common_name>`:
    /// `openssl req -x509 -newkey rsa:2048 -keyout key.pem -out cert.pem -days 365 -nodes
    /// -subj '/CN=localhost'` (OpenSSL marks it `CA:TRUE` and gives it no subjectAltName).
    fn guide(common_name: &str) -> Self {
        let dir = TempDir::new("openssl-cert");
        let subject = format!("/CN={common_name}");
        openssl(
            dir.path(),
            &[
                "req", "-x509", "-newkey", "rsa:2048", "-keyout", "key.pem", "-out", "cert.pem",
                "-days", "365", "-nodes", "-subj", &subject,
            ],
        );
        Self::in_dir(dir)
    }

    /// Like [`OpensslCert::guide`] for `/CN=localhost`, but valid only during the year 2000:
    /// a request self-signed by `openssl ca` with explicit dates.
    fn expired() -> Self {
        let dir = TempDir::new("openssl-expired");
        let path = dir.path().to_str().unwrap().to_owned();
        std::fs::write(dir.path().join("index.txt"), "").unwrap();
        let config = format!(
            "[ca]\ndefault_ca = ca_default\n\
             [ca_default]\ndatabase = {path}/index.txt\nnew_certs_dir = {path}\n\
             rand_serial = yes\ndefault_md = sha256\npolicy = policy_any\n\
             x509_extensions = extensions\nunique_subject = no\n\
             [policy_any]\ncommonName = supplied\n\
             [extensions]\nbasicConstraints = critical,CA:TRUE\n\
             subjectKeyIdentifier = hash\n"
        );
        std::fs::write(dir.path().join("ca.cnf"), config).unwrap();
        openssl(
            dir.path(),
            &[
                "req",
                "-new",
                "-newkey",
                "rsa:2048",
                "-keyout",
                "key.pem",
                "-out",
                "req.csr",
                "-nodes",
                "-subj",
                "/CN=localhost",
            ],
        );
        openssl(
            dir.path(),
            &[
                "ca",
                "-batch",
                "-config",
                "ca.cnf",
                "-selfsign",
                "-keyfile",
                "key.pem",
                "-in",
                "req.csr",
                "-out",
                "cert.pem",
                "-notext",
                "-startdate",
                "20000101000000Z",
                "-enddate",
                "20010101000000Z",
            ],
        );
        Self::in_dir(dir)
    }

    fn in_dir(dir: TempDir) -> Self {
        OpensslCert {
            cert: dir.path().join("cert.pem"),
            key: dir.path().join("key.pem"),
            dir,
        }
    }
}

/// Connects to a [`tls_server`] for `served`, on 127.0.0.1, trusting `ca_file` and checking the
/// certificate for the name `localhost`.
fn connect_trusting(served: &OpensslCert, ca_file: &Path) -> Result<TelnetConnection, Error> {
    let (port, server) = tls_server(&served.cert, &served.key);
    let mut options = options().tls_ca_file(ca_file);
    options.tls_options.server_name = Some("localhost".to_owned());
    let result = TelnetConnection::connect_with("127.0.0.1", port, options);
    if let Ok(conn) = &result {
        assert_eq!(conn.readline(LONG).unwrap(), "secure hello\r\n");
        conn.write("ping\r\n").unwrap();
        assert_eq!(conn.readline(LONG).unwrap(), "ping\r\n");
    }
    server.join().unwrap();
    result
}

/// Whether `result` is a refused certificate whose error's debug text contains `what`.
fn refused(result: &Result<TelnetConnection, Error>, what: &str) -> bool {
    match result {
        Err(Error::Tls(err @ rustls::Error::InvalidCertificate(_))) => {
            format!("{err:?}").contains(what)
        }
        _ => false,
    }
}

#[test]
fn openssl_guide_certificate_is_trusted_through_the_ca_file() {
    let cert = OpensslCert::guide("localhost");
    let conn = connect_trusting(&cert, &cert.cert).unwrap();
    assert_eq!(conn.get_extra_info("tls").as_deref(), Some("true"));
}

#[test]
fn openssl_guide_certificate_among_others_in_the_ca_file() {
    let cert = OpensslCert::guide("localhost");
    let other = OpensslCert::guide("localhost");
    let bundle = cert.dir.path().join("bundle.pem");
    let mut pem = std::fs::read(&other.cert).unwrap();
    pem.extend(std::fs::read(&cert.cert).unwrap());
    std::fs::write(&bundle, pem).unwrap();
    connect_trusting(&cert, &bundle).unwrap();
}

#[test]
fn openssl_certificate_for_another_name_is_refused() {
    let cert = OpensslCert::guide("otherhost");
    let result = connect_trusting(&cert, &cert.cert);
    assert!(refused(&result, "NotValidForName"), "{result:?}");
}

#[test]
fn openssl_expired_certificate_is_refused() {
    let cert = OpensslCert::expired();
    let result = connect_trusting(&cert, &cert.cert);
    assert!(refused(&result, "Expired"), "{result:?}");
}

#[test]
fn openssl_certificate_not_in_the_ca_file_is_refused() {
    let served = OpensslCert::guide("localhost");
    let trusted = OpensslCert::guide("localhost");
    let result = connect_trusting(&served, &trusted.cert);
    assert!(refused(&result, "CaUsedAsEndEntity"), "{result:?}");
}

// ---------------------------------------------------------------------------------------------
// The two binaries

/// `telnetlib3-server --ssl-certfile CERT --ssl-keyfile KEY` for `cert`.
fn tls_server_process(cert: &OpensslCert) -> ServerProcess {
    ServerProcess::start(&[
        "--ssl-certfile",
        cert.cert.to_str().unwrap(),
        "--ssl-keyfile",
        cert.key.to_str().unwrap(),
    ])
}

/// `telnetlib3-client --ssl --ssl-cafile CA localhost PORT` with `input` on stdin.
fn cli_client(ca_file: &Path, port: u16, input: &[u8]) -> support::cli::Outcome {
    let port = port.to_string();
    let cmd = client_cmd(&[
        "--ssl",
        "--ssl-cafile",
        ca_file.to_str().unwrap(),
        "localhost",
        &port,
    ]);
    support::cli::run(cmd, input, RUN_LIMIT)
}

#[test]
fn cli_client_and_server_with_the_openssl_guide_certificate() {
    let cert = OpensslCert::guide("localhost");
    let server = tls_server_process(&cert);
    let out = cli_client(&cert.cert, server.port, b"proto\r\nquit\r\n");
    assert_eq!(out.code, Some(0), "stderr: {}", out.stderr);
    assert!(out.stdout.contains("tls=true"), "{:?}", out.stdout);
    assert!(out.stdout.contains("Goodbye"), "{:?}", out.stdout);
}

#[test]
fn cli_client_refuses_an_openssl_certificate_for_another_name() {
    let cert = OpensslCert::guide("otherhost");
    let server = tls_server_process(&cert);
    let out = cli_client(&cert.cert, server.port, b"quit\r\n");
    assert_eq!(out.code, Some(1), "stdout: {}", out.stdout);
    assert!(out.stderr.contains("TLS"), "{:?}", out.stderr);
    assert!(
        !out.stderr.contains("CaUsedAsEndEntity"),
        "{:?}",
        out.stderr
    );
}

/// A TLS failure after the handshake (a corrupt record) reaches the caller's read as
/// `Error::Tls`, not as a generic I/O error with the cause turned to text; what arrived before
/// the bad record is read first.
#[test]
fn a_corrupt_record_reaches_the_reader_as_a_tls_error_after_the_data_before_it() {
    let (cert, key) = certificate("corrupt");
    let config = transport::server_config(&cert, &key).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut raw = stream.try_clone().unwrap();
        let tls = Transport::accept_tls(stream, config, Some(Duration::from_secs(5))).unwrap();
        let (_reader, writer) = tls.split();
        writer.write_all(b"hello\r\n").unwrap();
        // Right behind it, an application-data record whose ciphertext cannot be
        // authenticated: the greeting must still reach the reader, then the failure.
        raw.write_all(&[0x17, 0x03, 0x03, 0x00, 0x20]).unwrap();
        raw.write_all(&[0x42; 0x20]).unwrap();
    });
    let options = ConnectOptions::default()
        .tls_ca_file(&cert)
        .connect_maxwait(Duration::from_millis(200));
    let conn = TelnetConnection::connect_with("localhost", port, options).unwrap();
    assert_eq!(conn.read_until("hello\r\n", LONG).unwrap(), "hello\r\n");
    let err = conn.read_some(LONG).unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err:?}");
    // Every later read reports the same cause.
    assert!(matches!(conn.read_some(LONG), Err(Error::Tls(_))));
    server.join().unwrap();
}
