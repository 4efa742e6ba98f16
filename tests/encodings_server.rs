//! The retro encodings on a live connection: `telnetlib3-server --encoding petscii
//! --force-binary` (and the other new names) serves, and the library's server with PETSCII
//! forced sends and reads PETSCII bytes. Loopback only, every wait bounded.

mod support;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::cli::{quick, serve, ServerProcess};
use telnetlib3::encoding::{Codec, Errors};

const DEADLINE: Duration = Duration::from_secs(10);

/// Reads from `stream` until `needle` has arrived (IAC sequences included), at most
/// [`DEADLINE`]; returns everything read.
fn read_until(stream: &mut TcpStream, needle: &[u8]) -> Vec<u8> {
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    while !got.windows(needle.len()).any(|w| w == needle) {
        assert!(
            start.elapsed() < DEADLINE,
            "no {needle:?} within {DEADLINE:?}; got {:?}",
            String::from_utf8_lossy(&got)
        );
        match stream.read(&mut buf) {
            Ok(0) => panic!("closed; got {:?}", String::from_utf8_lossy(&got)),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    got
}

#[test]
fn telnetlib3_server_serves_every_new_encoding_name() {
    for (name, canonical) in [
        ("petscii", "PETSCII"),
        ("c64", "PETSCII"),
        ("atascii", "ATASCII"),
        ("atari_8bit", "ATASCII"),
        ("atarist", "ATARIST"),
        ("big5bbs", "BIG5BBS"),
        ("big5-pcman", "BIG5BBS"),
        ("cp850", "CP850"),
        ("cp1131", "CP1131"),
        ("cp037", "CP037"),
    ] {
        let server = ServerProcess::start(&[
            "--encoding",
            name,
            "--force-binary",
            "--connect-maxwait",
            "0.3",
        ]);
        let codec = Codec::lookup(name).unwrap();
        let encode = |text: &str| {
            let mut bytes = Vec::new();
            codec.encode(text, Errors::Strict, &mut bytes).unwrap();
            bytes
        };
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        // The shell speaks the connection's encoding both ways, as a C64 or an Atari user
        // needs: its prompt, the command typed, and the answer.
        read_until(&mut stream, &encode("tel:sh> "));
        stream.write_all(&encode("info\r\n")).unwrap();
        let info = read_until(&mut stream, &encode("tel:sh> "));
        let expected = encode(&format!("encoding: {canonical}"));
        assert!(
            info.windows(expected.len()).any(|w| w == expected),
            "--encoding {name}: {:?}",
            String::from_utf8_lossy(&info)
        );
    }
}

#[test]
fn library_server_speaks_petscii_when_forced() {
    let options = quick().encoding(Some("petscii")).force_binary(true);
    let server = serve(options, |conn| {
        let _ = conn.write("Hello, C64!\n");
        if let Ok(line) = conn.readline(Some(DEADLINE)) {
            let _ = conn.write(&format!("got {}\n", line.trim_end()));
        }
    });
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    // Upper case at 0xC1-0xDA, lower case at 0x41-0x5A.
    let greeting = read_until(&mut stream, b"\xC8\x45\x4C\x4C\x4F\x2C\x20\xC3\x36\x34\x21");
    assert!(!greeting.is_empty());
    let petscii = Codec::lookup("petscii").unwrap();
    let mut typed = Vec::new();
    petscii
        .encode("Ready, Player 1", Errors::Strict, &mut typed)
        .unwrap();
    typed.extend_from_slice(b"\r\n");
    stream.write_all(&typed).unwrap();
    let mut expected = Vec::new();
    petscii
        .encode("got Ready, Player 1", Errors::Strict, &mut expected)
        .unwrap();
    read_until(&mut stream, &expected);
}
