//! Cheap sanity checks on the example programs: each exists, has a `main`, opens with a module
//! doc comment, and says how to run it. (`cargo build --examples` compiles them, and they were
//! run against each other and against real telnet peers by hand; examples cannot be imported
//! or run from here without spawning cargo.)

use std::path::PathBuf;

/// Every example with the `cargo run --example` line its doc comment must show.
const EXAMPLES: &[&str] = &[
    "blocking_client",
    "client_wargame",
    "blocking_echo_server",
    "server_wargame",
    "server_broadcast",
    "miniboa_chat",
    "server_wait_for_negotiation",
    "server_pty",
    "negotiate_in_memory",
    "legacy_telnetlib",
    "server_binary",
    "server_mud",
];

fn source(name: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "examples",
        &format!("{name}.rs"),
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[test]
fn every_example_has_main_and_docs() {
    for name in EXAMPLES {
        let text = source(name);
        assert!(
            text.starts_with("//! "),
            "{name}: should open with a module doc comment"
        );
        assert!(text.contains("\nfn main()"), "{name}: no fn main");
        let doc: String = text
            .lines()
            .take_while(|line| line.starts_with("//!"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            doc.contains(&format!("cargo run --example {name}")),
            "{name}: the doc comment should say how to run it"
        );
    }
}

#[test]
fn network_examples_take_an_address_and_have_time_limits() {
    for name in &EXAMPLES[..8] {
        let text = source(name);
        assert!(
            text.contains("127.0.0.1") && text.contains("6023"),
            "{name}: defaults should be 127.0.0.1, port 6023"
        );
        assert!(
            text.contains("std::env::args()"),
            "{name}: should take its address from the arguments"
        );
        assert!(
            text.contains(": Duration = Duration::from_"),
            "{name}: should name the time limits of its blocking calls"
        );
        assert!(
            !text.contains(".unwrap()"),
            "{name}: print errors, don't panic"
        );
    }
}
