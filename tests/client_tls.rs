//! `TelnetConnection` over TLS, against a loopback server with a certificate made in the test.

use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use telnetlib3::transport::{self, Transport};
use telnetlib3::{ConnectOptions, Error, TelnetConnection};

const LONG: Option<Duration> = Some(Duration::from_secs(5));

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
