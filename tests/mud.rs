//! The MUD protocols between real connections: our client and our server exchange GMCP both
//! ways, and so do telnetlib3-client 5.0.1 (from the peers' venv) and our server.

mod support;

use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use telnetlib3::connection::Connection;
use telnetlib3::protocol::{Event, ProtocolError, Side};
use telnetlib3::telopt::{GMCP, MSDP};
use telnetlib3::{BlockingTelnetServer, ConnectOptions, Error, ServerOptions, TelnetConnection};

const LONG: Option<Duration> = Some(Duration::from_secs(10));

/// Waits for the GMCP message for `package` on `conn`'s events; returns its data.
fn gmcp_event(conn: &Connection, package: &str) -> Option<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut events = conn.events();
    while Instant::now() < deadline {
        match events.recv(Some(Duration::from_millis(100))) {
            Ok(Event::Gmcp { package: p, data }) if p == package => return data,
            Err(Error::Timeout | Error::Limit(_)) | Ok(_) => {}
            Err(err) => panic!("waiting for GMCP {package}: {err}"),
        }
    }
    panic!("no GMCP {package} within 10 s");
}

/// A server whose handler offers GMCP, reports what the client greeted it with, sends
/// `Room.Info` and reports the client's `Char.Login`.
fn gmcp_server() -> (
    BlockingTelnetServer,
    u16,
    mpsc::Receiver<(Value, Value, Value)>,
) {
    let (tx, rx) = mpsc::channel();
    let options = ServerOptions::default()
        .connect_maxwait(Duration::from_millis(500))
        .timeout(None);
    let server = BlockingTelnetServer::with_options("127.0.0.1", 0, options, move |conn| {
        conn.request(Side::Local, GMCP, true).unwrap();
        let supports = gmcp_event(&conn, "Core.Supports.Set");
        let hello = conn.gmcp("Core.Hello").expect("Core.Hello remembered");
        conn.send_gmcp("Room.Info", Some(&json!({"num": 1, "name": "Hall \u{e9}"})))
            .unwrap();
        let login = gmcp_event(&conn, "Char.Login");
        assert_eq!(conn.gmcp("Char.Login"), login);
        let _ = tx.send((
            hello,
            supports.unwrap_or(Value::Null),
            login.unwrap_or(Value::Null),
        ));
        let _ = conn.readline(LONG);
    });
    let port = server.start().unwrap().port();
    let runner = server.clone();
    std::thread::spawn(move || {
        let _ = runner.serve_forever();
    });
    (server, port, rx)
}

#[test]
fn our_client_and_server_exchange_gmcp_both_ways() {
    let (server, port, rx) = gmcp_server();
    let conn = TelnetConnection::connect_with(
        "127.0.0.1",
        port,
        ConnectOptions::default()
            .gmcp_modules(&["Room 1", "Char.Vitals 1"])
            .connect_maxwait(Duration::from_secs(2))
            .timeout(LONG),
    )
    .unwrap();
    let room = gmcp_event(&conn, "Room.Info");
    assert_eq!(room, Some(json!({"num": 1, "name": "Hall \u{e9}"})));
    assert_eq!(conn.gmcp("Room.Info"), room);
    assert!(conn.remote_enabled(GMCP));
    conn.send_gmcp("Char.Login", Some(&json!({"name": "bob"})))
        .unwrap();
    // MSDP was never agreed: the message is refused, not dropped silently.
    match conn.send_msdp(&Default::default()) {
        Err(Error::Protocol(ProtocolError::OptionNotEnabled(MSDP))) => {}
        other => panic!("send_msdp without MSDP: {other:?}"),
    }
    let (hello, supports, login) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(
        hello,
        json!({"client": "telnetlib3", "version": env!("CARGO_PKG_VERSION")})
    );
    assert_eq!(supports, json!(["room 1", "char.vitals 1"]));
    assert_eq!(login, json!({"name": "bob"}));
    conn.close();
    server.shutdown();
}

/// telnetlib3's client through its library API: prints the `Room.Info` it got as JSON, then
/// sends `Char.Login`.
const PEER: &str = r#"
import asyncio, json, sys
import telnetlib3

async def main(port):
    reader, writer = await telnetlib3.open_connection(
        "127.0.0.1", port, connect_minwait=0.05, connect_maxwait=2.0)
    for _ in range(200):
        if "Room.Info" in writer.ctx.gmcp_data:
            break
        await asyncio.sleep(0.05)
    print(json.dumps(writer.ctx.gmcp_data.get("Room.Info")), flush=True)
    writer.send_gmcp("Char.Login", {"name": "bob"})
    await writer.drain()
    await asyncio.sleep(0.5)
    writer.close()

asyncio.run(main(int(sys.argv[1])))
"#;

#[test]
fn telnetlib3_client_and_our_server_exchange_gmcp_both_ways() {
    let Some(python) = support::require("venv/bin/python") else {
        return;
    };
    let (server, port, rx) = gmcp_server();
    let mut child = Command::new(python)
        .args(["-c", PEER, &port.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let got = rx.recv_timeout(Duration::from_secs(15));
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let (hello, supports, login) = got.unwrap_or_else(|_| {
        panic!(
            "server saw no GMCP exchange; peer said {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(hello["client"], json!("telnetlib3"));
    assert_eq!(hello["version"], json!("5.0.1"));
    assert_eq!(
        supports,
        json!([
            "char 1",
            "char.vitals 1",
            "char.items 1",
            "room 1",
            "room.info 1",
            "comm 1",
            "comm.channel 1",
            "group 1"
        ])
    );
    assert_eq!(login, json!({"name": "bob"}));
    let room: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(room, json!({"num": 1, "name": "Hall \u{e9}"}));
    server.shutdown();
}

#[test]
fn msdp_mssp_and_eor_from_our_server_to_our_client_that_asks_for_them() {
    use telnetlib3::protocol::mud::{MsdpTable, MsdpValue, MsspTable, MsspValue};
    use telnetlib3::telopt::{EOR, MSSP};

    let (tx, rx) = mpsc::channel();
    let options = ServerOptions::default()
        .connect_maxwait(Duration::from_millis(500))
        .timeout(None);
    let server = BlockingTelnetServer::with_options("127.0.0.1", 0, options, move |conn| {
        let agreed = telnetlib3::WaitFor::default()
            .local("MSDP", true)
            .local("MSSP", true)
            .local("EOR", true);
        conn.wait_for(&agreed, LONG).unwrap();
        let vars: MsdpTable = [
            ("HEALTH".to_owned(), MsdpValue::from("42")),
            (
                "ROOM".to_owned(),
                MsdpValue::Table([("VNUM".to_owned(), MsdpValue::from("6008"))].into()),
            ),
        ]
        .into();
        let status: MsspTable = [
            ("NAME".to_owned(), MsspValue::from("Mini")),
            (
                "PORT".to_owned(),
                MsspValue::Many(vec!["23".into(), "4000".into()]),
            ),
        ]
        .into();
        let sent = (|| {
            conn.send_msdp(&vars)?;
            conn.send_mssp(&status)?;
            conn.write("> ")?;
            conn.send_eor()
        })();
        let _ = tx.send(sent.map_err(|e| e.to_string()));
        let _ = conn.readline(LONG);
    });
    let port = server.start().unwrap().port();
    let runner = server.clone();
    std::thread::spawn(move || {
        let _ = runner.serve_forever();
    });
    let conn = TelnetConnection::connect_with(
        "127.0.0.1",
        port,
        ConnectOptions::default()
            .always_do(vec![MSDP, MSSP, EOR])
            .connect_maxwait(Duration::from_secs(2))
            .timeout(LONG),
    )
    .unwrap();
    rx.recv_timeout(Duration::from_secs(10)).unwrap().unwrap();
    let mut events = conn.events();
    let (mut mssp, mut eor) = (None, false);
    let deadline = Instant::now() + Duration::from_secs(10);
    while (mssp.is_none() || !eor) && Instant::now() < deadline {
        match events.recv(Some(Duration::from_millis(100))) {
            Ok(Event::Mssp(vars)) => mssp = Some(vars),
            Ok(Event::Command(telnetlib3::telopt::CMD_EOR)) => eor = true,
            _ => {}
        }
    }
    assert!(eor, "no IAC EOR");
    let mssp = mssp.expect("no MSSP");
    assert_eq!(
        mssp.get("PORT"),
        Some(&MsspValue::Many(vec!["23".into(), "4000".into()]))
    );
    assert_eq!(conn.msdp("HEALTH"), Some(MsdpValue::from("42")));
    assert_eq!(
        conn.msdp("ROOM"),
        Some(MsdpValue::Table(
            [("VNUM".to_owned(), MsdpValue::from("6008"))].into()
        ))
    );
    conn.close();
    server.shutdown();
}
