//! Unit tests of the transport: loopback sockets, certificates made with rcgen.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};

use rustls::{ClientConfig, ServerConfig};

use super::*;

/// Bound on every wait in these tests.
const LIMIT: Duration = Duration::from_secs(10);
const HANDSHAKE: Option<Duration> = Some(Duration::from_secs(5));

#[test]
fn halves_are_send_and_sync() {
    fn send<T: Send>() {}
    fn send_sync_clone<T: Send + Sync + Clone>() {}
    send::<Transport>();
    send::<TransportReader>();
    send_sync_clone::<TransportWriter>();
}

/// A self-signed certificate and its key in PEM files of a fresh directory, removed on drop.
struct TestCert {
    dir: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

impl TestCert {
    fn new(name: &str) -> Self {
        let rcgen::CertifiedKey { cert, key_pair } =
            rcgen::generate_simple_self_signed(vec![name.to_owned()]).unwrap();
        Self::write(&cert.pem(), &key_pair.serialize_pem())
    }

    /// A self-signed CA certificate (basicConstraints CA:TRUE) for `name`, as `openssl req
    /// -x509` makes them.
    fn ca(name: &str) -> Self {
        let mut params = rcgen::CertificateParams::new(vec![name.to_owned()]).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Self::write(&cert.pem(), &key.serialize_pem())
    }

    fn write(cert: &str, key: &str) -> Self {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "telnetlib3-transport-{}-{}-{:?}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed),
            Instant::now(),
        ));
        let dir = PathBuf::from(dir.to_string_lossy().replace(
            |c: char| !c.is_ascii_alphanumeric() && c != '/' && c != '-',
            "_",
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let cert_path = dir.join("cert.pem");
        let key_path = dir.join("key.pem");
        std::fs::write(&cert_path, cert).unwrap();
        std::fs::write(&key_path, key).unwrap();
        TestCert {
            dir,
            cert: cert_path,
            key: key_path,
        }
    }

    fn server_config(&self) -> Arc<ServerConfig> {
        server_config(&self.cert, &self.key).unwrap()
    }

    fn client_config(&self) -> Arc<ClientConfig> {
        client_config(&TlsClientOptions {
            ca_file: Some(self.cert.clone()),
            ..TlsClientOptions::default()
        })
        .unwrap()
    }
}

impl Drop for TestCert {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn listen() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// `accept`, bounded by [`LIMIT`].
fn accept(listener: &TcpListener) -> TcpStream {
    let listener = listener.try_clone().unwrap();
    let task = spawn(move || listener.accept().map(|(stream, _)| stream));
    match task.result.recv_timeout(LIMIT) {
        Ok(accepted) => accepted.unwrap(),
        Err(_) => panic!("no connection came within {LIMIT:?}"),
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    TcpStream::connect_timeout(&addr, LIMIT).unwrap()
}

/// A thread whose result can be waited for with a bound ([`join_within`]).
struct Task<T> {
    result: mpsc::Receiver<T>,
    handle: JoinHandle<()>,
}

fn spawn<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Task<T> {
    let (sender, result) = mpsc::channel();
    let handle = thread::spawn(move || {
        let _ = sender.send(work());
    });
    Task { result, handle }
}

/// The task's result, waited for at most `limit`; a panic in the task is raised here.
fn join_within<T>(task: Task<T>, limit: Duration) -> T {
    match task.result.recv_timeout(limit) {
        Ok(value) => {
            task.handle.join().unwrap();
            value
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("thread still running after {limit:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => match task.handle.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => panic!("the thread ended without a result"),
        },
    }
}

fn join<T>(task: Task<T>) -> T {
    join_within(task, LIMIT)
}

/// Starts a read of `reader` on a thread of its own and returns once that thread sleeps in
/// the kernel (state `S` in `/proc`), that is, once the read is blocked on the socket. Where
/// `/proc` does not tell, returns as soon as the thread is about to read.
fn blocked_read(mut reader: TransportReader) -> Task<Result<usize>> {
    let (sender, thread_path) = mpsc::channel();
    let task = spawn(move || {
        let _ = sender.send(std::fs::read_link("/proc/thread-self").ok());
        reader.read(&mut [0u8; 16])
    });
    let stat = thread_path
        .recv_timeout(LIMIT)
        .unwrap()
        .map(|path| Path::new("/proc").join(path).join("stat"));
    let deadline = Instant::now() + LIMIT;
    loop {
        let state = stat.as_ref().and_then(|path| {
            let text = std::fs::read_to_string(path).ok()?;
            let (_, fields) = text.rsplit_once(')')?;
            fields.split_whitespace().next().map(str::to_owned)
        });
        if state.is_none() || state.as_deref() == Some("S") {
            return task;
        }
        assert!(Instant::now() < deadline, "the read never blocked");
        // Waiting on the task itself: a read that returns now fails the test at once.
        if let Ok(result) = task.result.recv_timeout(Duration::from_millis(1)) {
            panic!("the read returned without anything to read: {result:?}");
        }
    }
}

/// Splits with every socket wait bounded by [`LIMIT`].
fn split(transport: Transport) -> (TransportReader, TransportWriter) {
    let (reader, writer) = transport.split();
    reader.set_read_timeout(Some(LIMIT)).unwrap();
    writer.set_write_timeout(Some(LIMIT)).unwrap();
    (reader, writer)
}

fn read_exact(reader: &mut TransportReader, len: usize) -> Vec<u8> {
    let mut out = vec![0; len];
    let mut filled = 0;
    while filled < len {
        let n = reader.read(&mut out[filled..]).unwrap();
        assert_ne!(n, 0, "EOF after {filled} of {len} bytes");
        filled += n;
    }
    out
}

/// Reads until EOF or an error; the bytes read.
fn read_to_end(reader: &mut TransportReader) -> (Vec<u8>, Result<()>) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return (out, Ok(())),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(err) => return (out, Err(err)),
        }
    }
}

/// A TLS server on a thread and a TLS client here, handshake done on both.
fn tls_pair(cert: &TestCert) -> (Transport, Transport) {
    let (listener, addr) = listen();
    let config = cert.server_config();
    let server = spawn(move || {
        let stream = accept(&listener);
        Transport::accept_tls(stream, config, HANDSHAKE)
    });
    let client =
        Transport::connect_tls(connect(addr), cert.client_config(), "localhost", HANDSHAKE)
            .unwrap();
    let server = join(server).unwrap();
    assert!(client.is_tls() && server.is_tls());
    (client, server)
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 10) as u8)
        .collect()
}

#[test]
fn plain_echo_through_split_halves() {
    let (listener, addr) = listen();
    let server = spawn(move || {
        let transport = Transport::plain(accept(&listener));
        let (mut reader, writer) = split(transport);
        let mut buf = [0u8; 256];
        loop {
            let n = reader.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            writer.write_all(&buf[..n]).unwrap();
        }
    });
    let client = Transport::plain(connect(addr));
    assert!(!client.is_tls());
    assert_eq!(client.peer_addr().unwrap(), addr);
    assert_eq!(client.local_addr().unwrap().ip(), addr.ip());
    let (mut reader, writer) = split(client);
    writer.write_all(b"hello\r\n").unwrap();
    assert_eq!(read_exact(&mut reader, 7), b"hello\r\n");
    let other = writer.clone();
    other.write_all(b"\xff\xfd\x18").unwrap();
    assert_eq!(read_exact(&mut reader, 3), b"\xff\xfd\x18");
    assert_eq!(reader.read(&mut []).unwrap(), 0);
    writer.shutdown();
    join(server);
}

#[test]
fn plain_shutdown_wakes_blocked_reader() {
    let (listener, addr) = listen();
    let client = connect(addr);
    let server = accept(&listener);
    let (reader, writer) = Transport::plain(server).split();
    let blocked = blocked_read(reader);
    let started = Instant::now();
    writer.shutdown();
    let result = join_within(blocked, Duration::from_secs(2));
    assert!(matches!(result, Ok(0) | Err(_)), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    writer.shutdown(); // twice is harmless
    drop(client);
}

#[test]
fn tls_with_ca_file_round_trip_both_ways() {
    let cert = TestCert::new("localhost");
    let (client, server) = tls_pair(&cert);
    assert_eq!(client.peer_addr().unwrap(), server.local_addr().unwrap());
    let (mut client_reader, client_writer) = split(client);
    let (mut server_reader, server_writer) = split(server);
    client_writer.write_all(b"hello\r\n").unwrap();
    assert_eq!(read_exact(&mut server_reader, 7), b"hello\r\n");
    server_writer.write_all(b"\xff\xfb\x01welcome\r\n").unwrap();
    assert_eq!(
        read_exact(&mut client_reader, 12),
        b"\xff\xfb\x01welcome\r\n"
    );
    // A close_notify ends the stream cleanly on the other side.
    server_writer.shutdown();
    let (rest, result) = read_to_end(&mut client_reader);
    assert!(rest.is_empty() && result.is_ok(), "{rest:?} {result:?}");
    assert_eq!(client_reader.read(&mut [0u8; 8]).unwrap(), 0);
}

#[test]
fn tls_one_mib_each_way_concurrently() {
    const SIZE: usize = 1 << 20;
    let cert = TestCert::new("localhost");
    let (client, server) = tls_pair(&cert);
    let (mut client_reader, client_writer) = split(client);
    let (mut server_reader, server_writer) = split(server);
    let to_server = pattern(SIZE, 1);
    let to_client = pattern(SIZE, 2);
    let threads = vec![
        {
            let data = to_server.clone();
            let writer = client_writer.clone();
            // One big write: the writer encrypts it in chunks.
            spawn(move || writer.write_all(&data).unwrap())
        },
        {
            let data = to_client.clone();
            let writer = server_writer.clone();
            // Many small writes.
            spawn(move || {
                for chunk in data.chunks(1000) {
                    writer.write_all(chunk).unwrap();
                }
            })
        },
        spawn(move || assert!(read_exact(&mut server_reader, SIZE) == to_server)),
        spawn(move || assert!(read_exact(&mut client_reader, SIZE) == to_client)),
    ];
    let deadline = Instant::now() + Duration::from_secs(30);
    for handle in threads {
        let left = deadline.saturating_duration_since(Instant::now());
        join_within(handle, left.max(Duration::from_millis(1)));
    }
    client_writer.shutdown();
    server_writer.shutdown();
}

/// Runs a TLS server that expects the handshake to fail; returns the client's result.
fn failing_handshake(
    cert: &TestCert,
    client_config: Arc<ClientConfig>,
    name: &str,
) -> Result<Transport> {
    let (listener, addr) = listen();
    let config = cert.server_config();
    let server = spawn(move || {
        let stream = accept(&listener);
        Transport::accept_tls(stream, config, HANDSHAKE).map(drop)
    });
    let client = Transport::connect_tls(connect(addr), client_config, name, HANDSHAKE);
    let server = join(server);
    if client.is_err() {
        assert!(server.is_err(), "the server saw a good handshake");
    }
    client
}

#[test]
fn tls_web_roots_reject_a_self_signed_certificate() {
    let cert = TestCert::new("localhost");
    let config = client_config(&TlsClientOptions::default()).unwrap();
    let result = failing_handshake(&cert, config, "localhost");
    assert!(matches!(result, Err(Error::Tls(_))), "{result:?}");
}

#[test]
fn tls_no_verify_accepts_a_self_signed_certificate() {
    let cert = TestCert::new("localhost");
    let config = client_config(&TlsClientOptions {
        no_verify: true,
        ..TlsClientOptions::default()
    })
    .unwrap();
    // Any name, even an address the certificate does not name.
    let result = failing_handshake(&cert, config, "127.0.0.1");
    assert!(result.unwrap().is_tls());
}

#[test]
fn tls_wrong_server_name_is_rejected() {
    let cert = TestCert::new("localhost");
    let result = failing_handshake(&cert, cert.client_config(), "example.com");
    assert!(matches!(result, Err(Error::Tls(_))), "{result:?}");
}

#[test]
fn tls_ca_file_trusts_its_own_ca_certificate_as_the_server_certificate() {
    let cert = TestCert::ca("localhost");
    let (client, server) = tls_pair(&cert);
    let (mut reader, _writer) = split(client);
    let (_server_reader, server_writer) = split(server);
    server_writer.write_all(b"hello\r\n").unwrap();
    assert_eq!(read_exact(&mut reader, 7), b"hello\r\n");
    // The name is still checked.
    let result = failing_handshake(&cert, cert.client_config(), "example.com");
    assert!(
        matches!(
            result,
            Err(Error::Tls(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForNameContext { .. }
            )))
        ),
        "{result:?}"
    );
}

#[test]
fn tls_ca_certificate_not_in_the_ca_file_is_rejected() {
    let served = TestCert::ca("localhost");
    let trusted = TestCert::ca("localhost");
    let result = failing_handshake(&served, trusted.client_config(), "localhost");
    assert!(matches!(result, Err(Error::Tls(_))), "{result:?}");
}

#[test]
fn own_certificate_checks_dates_and_names() {
    use rustls::pki_types::{CertificateDer, UnixTime};
    use rustls::CertificateError;

    use super::tls::verify_own_certificate;

    let der = |names: &[&str], common_name: Option<&str>| {
        let names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
        let mut params = rcgen::CertificateParams::new(names).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.distinguished_name = rcgen::DistinguishedName::new();
        if let Some(common_name) = common_name {
            params
                .distinguished_name
                .push(rcgen::DnType::CommonName, common_name);
        }
        params.not_before = rcgen::date_time_ymd(2000, 1, 1);
        params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        let key = rcgen::KeyPair::generate().unwrap();
        CertificateDer::from(params.self_signed(&key).unwrap().der().to_vec())
    };
    let at = |secs: u64| UnixTime::since_unix_epoch(Duration::from_secs(secs));
    let valid = at(960_000_000); // 2000-06-03
    let check = |cert: &CertificateDer<'_>, name: &str, now: UnixTime| {
        let name = ServerName::try_from(name.to_owned()).unwrap();
        verify_own_certificate(cert, &name, now)
    };
    let wrong_name = |result: std::result::Result<(), rustls::Error>| {
        matches!(
            result,
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForNameContext { .. }
            ))
        )
    };

    let cert = der(&["localhost"], None);
    check(&cert, "localhost", valid).unwrap();
    check(&cert, "localhost", at(946_684_800)).unwrap(); // notBefore itself
    check(&cert, "localhost", at(978_307_200)).unwrap(); // notAfter itself
    let early = check(&cert, "localhost", at(946_684_799));
    assert!(
        matches!(
            early,
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidYetContext { .. }
            ))
        ),
        "{early:?}"
    );
    let late = check(&cert, "localhost", at(978_307_201));
    assert!(
        matches!(
            late,
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ExpiredContext { .. }
            ))
        ),
        "{late:?}"
    );
    assert!(wrong_name(check(&cert, "otherhost", valid)));

    // No subjectAltName: the common name, as OpenSSL does, for DNS names only.
    let cert = der(&[], Some("localhost"));
    check(&cert, "localhost", valid).unwrap();
    check(&cert, "LocalHost.", valid).unwrap();
    assert!(wrong_name(check(&cert, "otherhost", valid)));
    assert!(wrong_name(check(&cert, "host", valid)));
    assert!(wrong_name(check(&cert, "127.0.0.1", valid)));

    // A DNS subjectAltName: the common name is not looked at.
    let cert = der(&["example.com"], Some("localhost"));
    check(&cert, "example.com", valid).unwrap();
    assert!(wrong_name(check(&cert, "localhost", valid)));

    // An IP address subjectAltName only: DNS names still go to the common name.
    let cert = der(&["127.0.0.1"], Some("localhost"));
    check(&cert, "127.0.0.1", valid).unwrap();
    check(&cert, "localhost", valid).unwrap();
    assert!(wrong_name(check(&cert, "127.0.0.2", valid)));

    let result = check(&CertificateDer::from(vec![0x30, 0x00]), "localhost", valid);
    assert!(
        matches!(
            result,
            Err(rustls::Error::InvalidCertificate(
                CertificateError::BadEncoding
            ))
        ),
        "{result:?}"
    );
}

#[test]
fn tls_bad_server_name_is_a_config_error() {
    let cert = TestCert::new("localhost");
    let (listener, addr) = listen();
    let client = connect(addr);
    let result = Transport::connect_tls(client, cert.client_config(), "not a name!", HANDSHAKE);
    assert!(matches!(result, Err(Error::Config(_))), "{result:?}");
    drop(accept(&listener));
}

#[test]
fn configuration_errors() {
    let cert = TestCert::new("localhost");
    // A CA file with no certificate in it.
    let empty = cert.dir.join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    let options = |path: &Path| TlsClientOptions {
        ca_file: Some(path.to_owned()),
        ..TlsClientOptions::default()
    };
    let result = client_config(&options(&empty));
    assert!(matches!(result, Err(Error::Config(_))), "{result:?}");
    // The key alone: a PEM file, but no certificate.
    let result = client_config(&options(&cert.key));
    assert!(matches!(result, Err(Error::Config(_))), "{result:?}");
    let missing = cert.dir.join("missing.pem");
    let result = client_config(&options(&missing));
    assert!(matches!(result, Err(Error::Config(_))), "{result:?}");

    for (cert_file, key_file) in [
        (&missing, &cert.key),
        (&cert.cert, &missing),
        (&empty, &cert.key),
        (&cert.cert, &empty),
        (&cert.cert, &cert.cert),
    ] {
        let result = server_config(cert_file, key_file);
        assert!(matches!(result, Err(Error::Config(_))), "{result:?}");
    }
    // A key that does not fit the certificate.
    let other = TestCert::new("localhost");
    let result = server_config(&cert.cert, &other.key);
    assert!(matches!(result, Err(Error::Config(_))), "{result:?}");
    assert!(server_config(&cert.cert, &cert.key).is_ok());
}

/// A TLS server on a thread for one client; its handshake result and how long it took.
fn tls_server_once(cert: &TestCert) -> (SocketAddr, Task<(Result<Transport>, Duration)>) {
    let (listener, addr) = listen();
    let config = cert.server_config();
    let server = spawn(move || {
        let stream = accept(&listener);
        let started = Instant::now();
        let result = Transport::accept_tls(stream, config, HANDSHAKE);
        (result, started.elapsed())
    });
    (addr, server)
}

/// Checks that `received` is one TLS alert record, in clear (before any key is agreed).
fn assert_one_alert(received: &[u8]) {
    assert_eq!(received.len(), 7, "{received:?}");
    assert_eq!(received[0], 0x15, "{received:?}"); // content type: alert
    assert_eq!(&received[3..5], [0, 2], "{received:?}"); // length 2: level, description
}

#[test]
fn plain_client_on_a_tls_port_gets_the_alert_then_eof() {
    let cert = TestCert::new("localhost");
    let (addr, server) = tls_server_once(&cert);
    let mut client = connect(addr);
    client.set_read_timeout(Some(LIMIT)).unwrap();
    // More than the server reads before it fails: the rest waits unread in its socket.
    client.write_all(&[b'x'; 16 * 1024]).unwrap();
    // The alert, then EOF (not a reset).
    let mut received = Vec::new();
    client.read_to_end(&mut received).unwrap();
    assert_one_alert(&received);
    drop(client);
    let (result, _) = join(server);
    assert!(matches!(result, Err(Error::Tls(_))), "{result:?}");
}

#[test]
fn failed_handshake_waits_a_bounded_time_for_the_peer_to_close() {
    let cert = TestCert::new("localhost");
    let (addr, server) = tls_server_once(&cert);
    let mut client = connect(addr);
    client.set_read_timeout(Some(LIMIT)).unwrap();
    client.write_all(&[b'x'; 16 * 1024]).unwrap();
    // The client neither reads nor closes: the server gives up after about a second.
    let (result, took) = join(server);
    assert!(matches!(result, Err(Error::Tls(_))), "{result:?}");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(3),
        "{took:?}"
    );
    let mut received = Vec::new();
    client.read_to_end(&mut received).unwrap();
    assert_one_alert(&received);
}

#[test]
fn failed_handshake_drops_a_bounded_amount_of_the_peers_bytes() {
    let cert = TestCert::new("localhost");
    let (addr, server) = tls_server_once(&cert);
    let client = connect(addr);
    client.set_write_timeout(Some(LIMIT)).unwrap();
    // The client sends without end: the server stops reading at its byte limit.
    let writer = client.try_clone().unwrap();
    let flood = spawn(move || {
        let chunk = [b'x'; 16 * 1024];
        let mut sent = 0usize;
        while (&writer).write_all(&chunk).is_ok() && sent < 64 << 20 {
            sent += chunk.len();
        }
        sent
    });
    let (result, took) = join(server);
    assert!(matches!(result, Err(Error::Tls(_))), "{result:?}");
    assert!(took < Duration::from_millis(900), "{took:?}");
    // The server closed with bytes unread: the connection is reset, the flood ends.
    let sent = join(flood);
    assert!(sent < 64 << 20, "{sent}");
    drop(client);
}

#[test]
fn tls_client_on_a_plain_server_fails() {
    let cert = TestCert::new("localhost");
    let (listener, addr) = listen();
    let server = spawn(move || {
        let mut stream = accept(&listener);
        stream.set_read_timeout(Some(LIMIT)).unwrap();
        let _ = stream.write_all(b"\xff\xfd\x18\xff\xfb\x01\xff\xfb\x03Welcome\r\n");
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest);
    });
    let result =
        Transport::connect_tls(connect(addr), cert.client_config(), "localhost", HANDSHAKE);
    assert!(result.is_err(), "{result:?}");
    drop(result);
    join(server);
}

#[test]
fn tls_handshake_timeout() {
    let cert = TestCert::new("localhost");
    let (listener, addr) = listen();
    let silent = connect(addr);
    let started = Instant::now();
    let result = Transport::accept_tls(
        accept(&listener),
        cert.server_config(),
        Some(Duration::from_millis(200)),
    );
    assert!(matches!(result, Err(Error::Timeout)), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    drop(silent);
}

#[test]
fn accept_auto_tells_tls_from_plain() {
    let cert = TestCert::new("localhost");
    let (listener, addr) = listen();
    let config = cert.server_config();
    let server = spawn(move || {
        for _ in 0..2 {
            let stream = accept(&listener);
            let transport =
                Transport::accept_auto(stream, config.clone(), LIMIT, HANDSHAKE).unwrap();
            let tls = transport.is_tls();
            let (mut reader, writer) = split(transport);
            let line = read_exact(&mut reader, 7);
            let reply = if tls { b"tls   \n" } else { b"plain \n" };
            writer.write_all(reply).unwrap();
            writer.write_all(&line).unwrap();
            let (_, result) = read_to_end(&mut reader);
            result.unwrap();
        }
    });

    let tls = Transport::connect_tls(connect(addr), cert.client_config(), "localhost", HANDSHAKE)
        .unwrap();
    let (mut reader, writer) = split(tls);
    writer.write_all(b"hello\r\n").unwrap();
    assert_eq!(read_exact(&mut reader, 14), b"tls   \nhello\r\n");
    writer.shutdown();

    let plain = Transport::plain(connect(addr));
    let (mut reader, writer) = split(plain);
    writer.write_all(b"\xff\xfb\x18hi\r\n").unwrap();
    assert_eq!(read_exact(&mut reader, 14), b"plain \n\xff\xfb\x18hi\r\n");
    writer.shutdown();
    join(server);
}

#[test]
fn accept_auto_silent_client_is_plain() {
    let cert = TestCert::new("localhost");
    let (listener, addr) = listen();
    let client = connect(addr);
    let started = Instant::now();
    let transport = Transport::accept_auto(
        accept(&listener),
        cert.server_config(),
        Duration::from_millis(200),
        HANDSHAKE,
    )
    .unwrap();
    let waited = started.elapsed();
    assert!(!transport.is_tls());
    assert!(waited >= Duration::from_millis(150) && waited < Duration::from_secs(2));
    // The peek timeout is gone: data that comes later is read normally.
    let (mut reader, writer) = split(transport);
    let (mut client_reader, client_writer) = split(Transport::plain(client));
    writer.write_all(b"login: ").unwrap();
    assert_eq!(read_exact(&mut client_reader, 7), b"login: ");
    client_writer.write_all(b"me\r\n").unwrap();
    assert_eq!(read_exact(&mut reader, 4), b"me\r\n");
    // A client that hangs up at once is plain too.
    let quitter = connect(addr);
    drop(quitter);
    let transport =
        Transport::accept_auto(accept(&listener), cert.server_config(), LIMIT, HANDSHAKE).unwrap();
    assert!(!transport.is_tls());
}

fn check_read_timeout(reader: &mut TransportReader, peer: &TransportWriter) {
    reader
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let started = Instant::now();
    let result = reader.read(&mut [0u8; 16]);
    assert!(matches!(result, Err(Error::Timeout)), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    reader.set_read_timeout(Some(LIMIT)).unwrap();
    peer.write_all(b"still here").unwrap();
    assert_eq!(read_exact(reader, 10), b"still here");
}

#[test]
fn read_timeout_then_reads_again() {
    let (listener, addr) = listen();
    let client = connect(addr);
    let (mut reader, _writer) = split(Transport::plain(accept(&listener)));
    let (_client_reader, client_writer) = split(Transport::plain(client));
    check_read_timeout(&mut reader, &client_writer);

    let cert = TestCert::new("localhost");
    let (client, server) = tls_pair(&cert);
    let (mut reader, _writer) = split(server);
    let (_client_reader, client_writer) = split(client);
    check_read_timeout(&mut reader, &client_writer);
}

#[test]
fn tls_peer_closing_without_close_notify_is_eof() {
    let cert = TestCert::new("localhost");
    let (client, server) = tls_pair(&cert);
    let (mut reader, _writer) = split(client);
    let (server_reader, server_writer) = split(server);
    server_writer.write_all(b"bye\r\n").unwrap();
    // Dropping both halves closes the socket with no close_notify.
    drop(server_writer);
    drop(server_reader);
    let (data, result) = read_to_end(&mut reader);
    assert_eq!(data, b"bye\r\n");
    result.unwrap();
    assert_eq!(reader.read(&mut [0u8; 8]).unwrap(), 0);
}

#[test]
fn tls_shutdown_wakes_blocked_reader() {
    let cert = TestCert::new("localhost");
    let (client, server) = tls_pair(&cert);
    let (reader, writer) = server.split();
    let blocked = blocked_read(reader);
    writer.shutdown();
    let result = join_within(blocked, Duration::from_secs(2));
    assert!(matches!(result, Ok(0) | Err(_)), "{result:?}");
    // The client sees the close_notify.
    let (mut client_reader, _client_writer) = split(client);
    let (data, result) = read_to_end(&mut client_reader);
    assert!(data.is_empty());
    result.unwrap();
}
