//! Unit tests of the legacy `Telnet` over a scripted socket (the ported CPython suite is in
//! `tests/legacy_telnetlib.rs`).

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::time::Duration;

use super::*;
use crate::Error;

/// test_telnetlib's `SocketStub`: queued reads (nothing left = end of connection), recorded
/// writes, and a `block` flag for the selector.
#[derive(Default)]
struct Stub {
    reads: VecDeque<Vec<u8>>,
    writes: Vec<Vec<u8>>,
    block: bool,
}

impl Read for Stub {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut out = Vec::new();
        while out.len() < buf.len() {
            match self.reads.pop_front() {
                Some(chunk) => out.extend(chunk),
                None => break,
            }
        }
        if out.len() > buf.len() {
            self.reads.push_front(out.split_off(buf.len()));
        }
        buf[..out.len()].copy_from_slice(&out);
        Ok(out.len())
    }
}

impl Write for Stub {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writes.push(buf.to_vec());
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl TelnetSocket for Stub {
    fn wait_readable(&mut self, _timeout: Option<Duration>) -> io::Result<bool> {
        Ok(!self.block)
    }
}

fn telnet(reads: &[&[u8]]) -> Telnet<Stub> {
    let stub = Stub {
        reads: reads.iter().map(|r| r.to_vec()).collect(),
        ..Stub::default()
    };
    Telnet::connect_with("dummy", 0, None, move |_, _, _| Ok(stub)).unwrap()
}

fn written(tn: &Telnet<Stub>) -> Vec<u8> {
    tn.get_socket().unwrap().writes.concat()
}

#[test]
fn constants_have_telnetlib_values() {
    assert_eq!(TELNET_PORT, 23);
    assert_eq!(
        (IAC, DONT, DO, WONT, WILL, theNULL),
        (255, 254, 253, 252, 251, 0)
    );
    assert_eq!(
        (SE, NOP, DM, BRK, IP, AO, AYT, EC, EL, GA, SB),
        (240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250)
    );
    assert_eq!(
        (BINARY, ECHO, SGA, TTYPE, NAWS, NEW_ENVIRON, CHARSET),
        (0, 1, 3, 24, 31, 39, 42)
    );
    assert_eq!((TLS, KERMIT, SEND_URL, FORWARD_X), (46, 47, 48, 49));
    assert_eq!(
        (PRAGMA_LOGON, SSPI_LOGON, PRAGMA_HEARTBEAT, EXOPL, NOOPT),
        (138, 139, 140, 255, 0)
    );
}

#[test]
fn port_zero_means_23_and_host_is_kept() {
    let tn = telnet(&[]);
    assert_eq!(
        (tn.host(), tn.port(), tn.timeout()),
        (Some("dummy"), 23, None)
    );
    let tn: Telnet = Telnet::new();
    assert_eq!((tn.host(), tn.port()), (None, 0));
}

#[test]
fn iac_sequences_split_across_reads() {
    // recv(50) hands out 50-byte pieces: put the IAC DO ECHO across the boundary.
    let mut first = vec![b'a'; 49];
    first.push(IAC);
    let mut tn = telnet(&[&first, &[DO], &[ECHO, b'z']]);
    assert_eq!(tn.read_all().unwrap(), [&[b'a'; 49][..], b"z"].concat());
    assert_eq!(written(&tn), [IAC, WONT, ECHO]);
    assert!(tn.iacseq().is_empty());
}

#[test]
fn process_rawq_waits_for_the_rest_of_a_sequence() {
    let mut tn = telnet(&[&[b'x', IAC, WILL]]);
    tn.fill_rawq().unwrap();
    tn.process_rawq().unwrap();
    assert_eq!(tn.iacseq(), [IAC, WILL]);
    assert_eq!(tn.read_very_lazy().unwrap(), b"x");
    tn.get_socket_mut().unwrap().reads.push_back(vec![NAWS]);
    tn.fill_rawq().unwrap();
    assert_eq!(tn.rawq(), [NAWS]);
    assert_eq!(tn.read_lazy().unwrap(), b"");
    assert_eq!(written(&tn), [IAC, DONT, NAWS]);
}

#[test]
fn unterminated_subnegotiation_goes_to_sbdataq() {
    let mut tn = telnet(&[&[b'a', IAC, SB, TTYPE, 1, b'q', 0, 0x11]]);
    assert_eq!(tn.read_all().unwrap(), b"a");
    assert!(tn.in_sb() || tn.eof());
    assert_eq!(tn.read_sb_data(), [TTYPE, 1, b'q']);
    assert_eq!(tn.read_sb_data(), b"");
}

#[test]
fn commands_inside_sb_are_handled_and_nul_dropped() {
    // IAC DO inside SB is refused as anywhere; IAC NOP inside SB is just logged.
    let mut tn = telnet(&[&[
        IAC, SB, 24, b'x', IAC, DO, 1, IAC, NOP, b'y', IAC, SE, b'd', 0,
    ]]);
    assert_eq!(tn.read_all().unwrap(), b"d");
    assert_eq!(tn.read_sb_data(), [24, b'x', b'y']);
    assert_eq!(written(&tn), [IAC, WONT, 1]);
}

#[test]
fn close_keeps_cooked_data_then_eof() {
    let mut tn = telnet(&[b"hello"]);
    tn.fill_rawq().unwrap();
    tn.close();
    assert!(tn.get_socket().is_none());
    assert!(tn.eof());
    // The raw queue is still processed after close (no socket I/O needed).
    assert_eq!(tn.read_lazy().unwrap(), b"hello");
    assert!(matches!(tn.read_very_lazy(), Err(Error::Eof)));
    assert!(matches!(tn.write(b"x"), Err(Error::Closed)));
    assert!(matches!(tn.read_all(), Ok(v) if v.is_empty()));
    tn.close();
}

#[test]
fn refusal_after_close_is_an_error_but_data_is_kept() {
    let mut tn = telnet(&[&[b'a', IAC, DO, ECHO, b'b']]);
    tn.fill_rawq().unwrap();
    tn.close();
    assert!(matches!(tn.process_rawq(), Err(Error::Closed)));
    assert_eq!(tn.cookedq(), b"a");
    assert_eq!(tn.rawq(), b"b");
}

#[test]
fn unconnected_telnet_is_closed() {
    let mut tn: Telnet = Telnet::new();
    assert!(matches!(tn.write(b"x"), Err(Error::Closed)));
    assert!(matches!(tn.fill_rawq(), Err(Error::Closed)));
    assert!(matches!(tn.sock_avail(), Err(Error::Closed)));
    assert!(matches!(tn.read_until(b"x", None), Err(Error::Closed)));
    assert_eq!(tn.read_very_lazy().unwrap(), b"");
    assert!(tn.fileno().is_none());
}

#[test]
fn read_until_timeout_returns_what_is_cooked() {
    let mut tn = telnet(&[b"partial"]);
    assert_eq!(tn.read_eager().unwrap(), b"partial");
    tn.get_socket_mut()
        .unwrap()
        .reads
        .push_back(b"more".to_vec());
    tn.fill_rawq().unwrap();
    tn.get_socket_mut().unwrap().block = true;
    let got = tn
        .read_until(b"never", Some(Duration::from_millis(5)))
        .unwrap();
    assert_eq!(got, b"more");
    let got = tn.read_until(b"never", Some(Duration::ZERO)).unwrap();
    assert_eq!(got, b"");
    // Already cooked: found without any wait.
    tn.get_socket_mut()
        .unwrap()
        .reads
        .push_back(b"abcabc".to_vec());
    tn.fill_rawq().unwrap();
    assert_eq!(tn.read_until(b"c", Some(Duration::ZERO)).unwrap(), b"abc");
    assert_eq!(tn.read_until(b"", None).unwrap(), b"");
    assert_eq!(tn.read_very_lazy().unwrap(), b"abc");
}

#[test]
fn read_until_at_eof() {
    let mut tn = telnet(&[b"abc"]);
    assert_eq!(tn.read_until(b"zzz", None).unwrap(), b"abc");
    assert!(matches!(tn.read_until(b"zzz", None), Err(Error::Eof)));
}

#[test]
fn expect_timeout_and_eof() {
    let mut tn = telnet(&[b"no prompt yet"]);
    tn.fill_rawq().unwrap();
    tn.get_socket_mut().unwrap().block = true;
    let (index, m, text) = tn
        .expect(&["\\$ $"], Some(Duration::from_millis(5)))
        .unwrap();
    assert_eq!((index, m, text), (None, None, b"no prompt yet".to_vec()));
    // Timeout with nothing at all: (-1, None, b'').
    let (index, _, text) = tn.expect(&["x"], Some(Duration::ZERO)).unwrap();
    assert_eq!((index, text), (None, Vec::new()));
    // EOF with unmatched text returns it; EOF with none raises EOFError.
    tn.get_socket_mut().unwrap().block = false;
    tn.get_socket_mut()
        .unwrap()
        .reads
        .push_back(b"tail".to_vec());
    let (index, _, text) = tn.expect(&["x"], None).unwrap();
    assert_eq!((index, text), (None, b"tail".to_vec()));
    assert!(matches!(tn.expect(&["x"], None), Err(Error::Eof)));
}

#[test]
fn expect_list_order_and_groups() {
    let mut tn = telnet(&[b"user: root\r\npassword: "]);
    let patterns = [
        Regex::new("password: ").unwrap(),
        Regex::new(r"(?P<who>\w+): (\w+)").unwrap(),
    ];
    // Both match; the first of the list wins even though the second matches earlier.
    let (index, m, text) = tn.expect(&patterns, None).unwrap();
    assert_eq!(index, Some(0));
    assert_eq!(text, b"user: root\r\npassword: ");
    let m = m.unwrap();
    assert_eq!(m.range(), 12..22);
    let mut tn = telnet(&[b"user: root\r\n"]);
    let (index, m, text) = tn.expect(&patterns[1..], None).unwrap();
    let m = m.unwrap();
    assert_eq!((index, &text[..]), (Some(0), &b"user: root"[..]));
    assert_eq!(
        (m.name("who"), m.group(2)),
        (Some(&b"user"[..]), Some(&b"root"[..]))
    );
    assert_eq!(tn.read_all().unwrap(), b"\r\n");
    assert!(matches!(tn.expect(&["("], None), Err(Error::Config(_))));
}

#[test]
fn rawq_getchar_reads_and_raises_eof() {
    let mut tn = telnet(&[b"ab"]);
    assert_eq!(tn.rawq_getchar().unwrap(), b'a');
    assert_eq!(tn.rawq(), b"b");
    assert_eq!(tn.rawq_getchar().unwrap(), b'b');
    assert!(tn.rawq().is_empty());
    assert!(matches!(tn.rawq_getchar(), Err(Error::Eof)));
}

#[test]
fn msg_prints_host_and_port_only_when_debugging() {
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let out = Shared::default();
    let mut tn = telnet(&[&[b'a', IAC, WILL, 3]]);
    tn.set_debug_output(Some(Box::new(out.clone())));
    tn.msg("silent");
    tn.set_debuglevel(2);
    assert_eq!(tn.debuglevel(), 2);
    tn.msg("hello 1");
    tn.read_all().unwrap();
    tn.write(b"\xff'").unwrap();
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    assert_eq!(
        text,
        "Telnet(dummy,23): hello 1\n\
         Telnet(dummy,23): recv b'a\\xff\\xfb\\x03'\n\
         Telnet(dummy,23): IAC WILL 3\n\
         Telnet(dummy,23): recv b''\n\
         Telnet(dummy,23): send b\"\\xff\\xff'\"\n"
    );
}

#[test]
fn debug_format_shows_queues() {
    let tn = telnet(&[]);
    let shown = format!("{tn:?}");
    assert!(shown.contains("host: Some(\"dummy\")"), "{shown}");
    assert!(shown.contains("cookedq: \"b''\""), "{shown}");
}

#[test]
fn subnegotiation_past_the_limit_is_discarded_up_to_se() {
    use std::sync::{Arc, Mutex};
    assert_eq!(Telnet::new().subnegotiation_limit(), 64 * 1024);
    assert_eq!(DEFAULT_SUBNEGOTIATION_LIMIT, 64 * 1024);
    // recv(50): the oversized subnegotiation spans two process_rawq calls.
    let mut first = vec![b'a', IAC, SB, TTYPE];
    first.resize(50, b'q');
    let second = [
        IAC, IAC, IAC, DO, ECHO, b'r', IAC, SE, b'b', IAC, SB, NAWS, 1, 80, IAC, SE, b'c',
    ];
    let mut tn = telnet(&[&first, &second]);
    tn.set_subnegotiation_limit(4);
    let calls = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&calls);
    tn.set_option_negotiation_callback(Some(Box::new(
        move |ctx: &mut OptionContext<'_, Stub>, cmd, opt| {
            record
                .lock()
                .unwrap()
                .push((cmd, opt, ctx.sb_data().to_vec()));
        },
    )));
    tn.fill_rawq().unwrap();
    tn.process_rawq().unwrap();
    assert!(tn.in_sb());
    assert_eq!(tn.sbdataq(), [TTYPE, b'q', b'q', b'q']);
    assert_eq!(tn.read_all().unwrap(), b"abc");
    let calls = calls.lock().unwrap();
    // The command inside the oversized subnegotiation still reaches the callback; at SE the
    // payload is cut to the limit; the next subnegotiation is whole.
    assert_eq!(
        *calls,
        [
            (SB, NOOPT, vec![]),
            (DO, ECHO, vec![TTYPE, b'q', b'q', b'q']),
            (SE, NOOPT, vec![TTYPE, b'q', b'q', b'q']),
            (SB, NOOPT, vec![]),
            (SE, NOOPT, vec![NAWS, 1, 80]),
        ]
    );
}

#[test]
fn subnegotiation_at_the_limit_is_kept_whole() {
    let mut tn = telnet(&[&[IAC, SB, NAWS, 1, 80, IAC, IAC, IAC, SE, b'x']]);
    tn.set_subnegotiation_limit(4);
    assert_eq!(tn.read_all().unwrap(), b"x");
    assert_eq!(tn.read_sb_data(), [NAWS, 1, 80, IAC]);
}

#[test]
fn interact_without_a_socket_descriptor_sends_the_input_lines() {
    // The stub has no descriptor: the loop waits on the input and looks at the socket between.
    let mut tn = telnet(&[]);
    tn.get_socket_mut().unwrap().block = true;
    let mut output = Vec::new();
    tn.interact_with(io::Cursor::new(b"a\n\xffb\n".to_vec()), &mut output)
        .unwrap();
    assert_eq!(output, b"");
    assert_eq!(written(&tn), b"a\n\xff\xffb\n");
}

#[test]
fn interact_without_a_socket_descriptor_ends_with_the_connection() {
    let mut tn = telnet(&[b"hi", &[IAC, DO, ECHO]]);
    let mut output = Vec::new();
    tn.interact_with(io::Cursor::new(Vec::new()), &mut output)
        .unwrap();
    assert_eq!(output, b"hi*** Connection closed by remote host ***\n");
    assert_eq!(written(&tn), [IAC, WONT, ECHO]);
}

#[test]
fn interact_on_a_closed_telnet_is_closed() {
    let mut tn = telnet(&[b"queued"]);
    tn.fill_rawq().unwrap();
    tn.close();
    let mut output = Vec::new();
    assert!(matches!(
        tn.interact_with(io::Cursor::new(Vec::new()), &mut output),
        Err(Error::Closed)
    ));
}
