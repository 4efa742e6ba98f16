//! A telnetlib3 server and client negotiating with each other in memory, no sockets: every
//! exchange is printed the way the capture files show it.
//!
//! Run with `cargo run --example negotiate_in_memory`.

use telnetlib3::protocol::{ClientPolicy, Event, Negotiator, ServerPolicy};
use telnetlib3::telopt::describe_bytes;

fn main() {
    let mut server = Negotiator::server(ServerPolicy::default());
    let mut client = Negotiator::client(
        ClientPolicy::default()
            .term("xterm-256color")
            .cols(132)
            .rows(43)
            .env("LANG", "en_US.UTF-8"),
    );
    let mut to_client = server.take_transmit();
    for _ in 0..20 {
        if to_client.is_empty() {
            break;
        }
        println!("S->C {}", describe_bytes(&to_client));
        for event in client.receive(&to_client) {
            if !matches!(event, Event::OptionChanged { .. }) {
                println!("     client event: {event:?}");
            }
        }
        let to_server = client.take_transmit();
        if !to_server.is_empty() {
            println!("C->S {}", describe_bytes(&to_server));
        }
        for event in server.receive(&to_server) {
            if !matches!(event, Event::OptionChanged { .. }) {
                println!("     server event: {event:?}");
            }
        }
        to_client = server.take_transmit();
    }
    let info = server.info();
    println!();
    println!(
        "server sees: TERM={:?} window={:?} charset={:?}",
        info.term, info.window, info.charset
    );
    println!("             environ={:?}", info.environ);
    println!(
        "modes: server {} / client {}",
        server.mode().as_str(),
        client.mode().as_str()
    );
    println!(
        "settled: server {} / client {}",
        server.is_settled(),
        client.is_settled()
    );
}
