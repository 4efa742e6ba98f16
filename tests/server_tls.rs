//! The server over TLS, and with tls-auto taking TLS and plain clients on one port.

use std::io::Read;
use std::net::TcpStream;
use std::path::PathBuf;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use telnetlib3::{
    BlockingTelnetServer, ConnectOptions, Error, ServerConnection, ServerOptions, TelnetConnection,
};

const LONG: Option<Duration> = Some(Duration::from_secs(5));

fn certificate(tag: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "telnetlib3-server-tls-{tag}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.key_pair.serialize_pem()).unwrap();
    (cert_path, key_path)
}

fn greeter(conn: ServerConnection) {
    let tls = conn.get_extra_info("tls").unwrap_or_default();
    conn.write(&format!("hello tls={tls}\r\n")).unwrap();
    if let Ok(line) = conn.readline(LONG) {
        let _ = conn.write(&format!("you said {line}"));
    }
}

fn start(options: ServerOptions) -> (BlockingTelnetServer, u16, JoinHandle<()>) {
    let server = BlockingTelnetServer::with_options("127.0.0.1", 0, options, greeter);
    let port = server.start().unwrap().port();
    let runner = server.clone();
    (
        server,
        port,
        thread::spawn(move || runner.serve_forever().unwrap()),
    )
}

fn quick() -> ServerOptions {
    ServerOptions::default()
        .connect_maxwait(Duration::from_millis(500))
        .timeout(None)
}

fn client_options() -> ConnectOptions {
    ConnectOptions::default()
        .connect_maxwait(Duration::from_secs(2))
        .timeout(LONG)
        .connect_timeout(LONG)
}

#[test]
fn tls_server_round_trip() {
    let (cert, key) = certificate("tls");
    let (server, port, handle) = start(quick().tls(&cert, &key));
    let conn =
        TelnetConnection::connect_with("localhost", port, client_options().tls_ca_file(&cert))
            .unwrap();
    assert_eq!(conn.readline(LONG).unwrap(), "hello tls=true\r\n");
    conn.write("secret\r\n").unwrap();
    assert_eq!(conn.readline(LONG).unwrap(), "secret\r\n"); // echoed by the server
    assert_eq!(conn.readline(LONG).unwrap(), "you said secret\r\n");
    // A plain client on the TLS-only port gets nowhere, and the server keeps serving.
    let mut plain = TcpStream::connect(("127.0.0.1", port)).unwrap();
    plain
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    std::io::Write::write_all(&mut plain, b"hello\r\n").unwrap();
    let mut buf = Vec::new();
    let _ = plain.read_to_end(&mut buf);
    assert!(!String::from_utf8_lossy(&buf).contains("hello tls"));
    let again =
        TelnetConnection::connect_with("localhost", port, client_options().tls_ca_file(&cert))
            .unwrap();
    assert_eq!(again.readline(LONG).unwrap(), "hello tls=true\r\n");
    drop((conn, again));
    server.shutdown();
    handle.join().unwrap();
}

#[test]
fn tls_auto_takes_tls_and_plain_clients_on_one_port() {
    let (cert, key) = certificate("auto");
    let (server, port, handle) = start(
        quick()
            .tls(&cert, &key)
            .tls_auto(Some(Duration::from_millis(300))),
    );
    let secure =
        TelnetConnection::connect_with("localhost", port, client_options().tls_ca_file(&cert))
            .unwrap();
    assert_eq!(secure.readline(LONG).unwrap(), "hello tls=true\r\n");
    let plain = TelnetConnection::connect_with("127.0.0.1", port, client_options()).unwrap();
    assert_eq!(plain.readline(LONG).unwrap(), "hello tls=false\r\n");
    plain.write("in clear\r\n").unwrap();
    assert_eq!(plain.readline(LONG).unwrap(), "in clear\r\n");
    assert_eq!(plain.readline(LONG).unwrap(), "you said in clear\r\n");
    drop((secure, plain));
    server.shutdown();
    handle.join().unwrap();
}

#[test]
fn bad_certificate_files_fail_at_start() {
    let server = BlockingTelnetServer::with_options(
        "127.0.0.1",
        0,
        quick().tls("/nonexistent/cert.pem", "/nonexistent/key.pem"),
        greeter,
    );
    assert!(matches!(server.start(), Err(Error::Config(_))));
}

/// Sends `size` bytes of plain text to the TLS port and reads until EOF: the bytes read, or the
/// error that ended the reading.
fn plain_text_to_tls_port(port: u16, size: usize) -> std::io::Result<Vec<u8>> {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut plain = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    plain.set_read_timeout(LONG)?;
    plain.set_write_timeout(LONG)?;
    let line = b"GET / HTTP/1.0 and other plain text that is not a TLS record at all\r\n";
    let text: Vec<u8> = line.iter().copied().cycle().take(size).collect();
    std::io::Write::write_all(&mut plain, &text)?;
    let mut received = Vec::new();
    plain.read_to_end(&mut received)?;
    Ok(received)
}

#[test]
fn plain_text_on_a_tls_port_gets_the_alert_and_a_clean_close() {
    let (cert, key) = certificate("alert");
    let (server, port, handle) = start(quick().tls(&cert, &key));
    // From 4 KiB (what the server reads at once) to 9 KiB, which it leaves partly unread.
    for round in 0..20 {
        match plain_text_to_tls_port(port, 4 * 1024 + round * 256) {
            // One TLS alert record (content type 21, length 2), then EOF.
            Ok(received) => assert!(
                received.len() == 7 && received[0] == 0x15 && received[3..5] == [0, 2],
                "round {round}: {received:?}"
            ),
            Err(err) => panic!("round {round}: {err} (the alert was lost)"),
        }
    }
    server.shutdown();
    handle.join().unwrap();
}
