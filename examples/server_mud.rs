//! A small MUD: four rooms, movement, `look`, `say` to the room, a combat round with the cellar
//! rat, GMCP `Room.Info` and `Char.Vitals` for MUD clients, MSDP `ROOM` and `HEALTH`, MSSP
//! answers for crawlers, MCCP2 compression offered (`protocols` shows what the client took), and the players' state saved to a file on shutdown and loaded on start.
//! It runs in line mode, as telnetlib3's `server_mud` does.
//!
//! ```text
//! cargo run --example server_mud -- [PORT] [STATE_FILE]
//! ```
//!
//! Defaults: port 6023 (0 picks a free one; the address is printed), state in
//! `server_mud.state`. Then `telnet 127.0.0.1 6023`, or a MUD client such as tintin++
//! (`#session mud 127.0.0.1 6023`), which shows the GMCP values. Ctrl-C saves and stops.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use telnetlib3::protocol::mud::{MsdpTable, MsdpValue, MsspTable, MsspValue};
use telnetlib3::protocol::Side;
use telnetlib3::signals::{Signals, SIGINT, SIGTERM};
use telnetlib3::telopt::{GMCP, MCCP2, MSDP, MSSP};
use telnetlib3::{BlockingTelnetServer, Error, ServerConnection, ServerOptions, WaitFor};

const IDLE: Duration = Duration::from_secs(600);
const MAX_HP: i32 = 20;

struct Room {
    name: &'static str,
    description: &'static str,
    exits: &'static [(&'static str, usize)],
}

const ROOMS: &[Room] = &[
    Room {
        name: "The Hall",
        description: "A draughty hall. A library lies north, a garden east, stairs lead down.",
        exits: &[("north", 1), ("east", 2), ("down", 3)],
    },
    Room {
        name: "The Library",
        description: "Shelves of books nobody has read. The hall is south.",
        exits: &[("south", 0)],
    },
    Room {
        name: "The Garden",
        description: "Overgrown roses. The hall is west.",
        exits: &[("west", 0)],
    },
    Room {
        name: "The Cellar",
        description: "Damp and dark. A rat watches you. Stairs lead up.",
        exits: &[("up", 0)],
    },
];

/// What is kept of a player between sessions.
#[derive(Clone)]
struct Player {
    room: usize,
    hp: i32,
}

#[derive(Default)]
struct World {
    /// Everyone ever seen, by name.
    players: HashMap<String, Player>,
    /// Who is on line now, and their connection.
    online: HashMap<String, ServerConnection>,
    rat_hp: i32,
}

type Shared = Arc<Mutex<World>>;

fn load(path: &PathBuf) -> World {
    let mut world = World {
        rat_hp: 5,
        ..World::default()
    };
    if let Ok(text) = std::fs::read_to_string(path) {
        for line in text.lines() {
            let mut fields = line.split('\t');
            if let (Some(name), Some(room), Some(hp)) =
                (fields.next(), fields.next(), fields.next())
            {
                if let (Ok(room), Ok(hp)) = (room.parse::<usize>(), hp.parse::<i32>()) {
                    if room < ROOMS.len() {
                        world.players.insert(name.to_owned(), Player { room, hp });
                    }
                }
            }
        }
    }
    world
}

fn save(path: &PathBuf, world: &World) -> std::io::Result<()> {
    let mut text = String::new();
    let mut names: Vec<&String> = world.players.keys().collect();
    names.sort();
    for name in names {
        let p = &world.players[name];
        text.push_str(&format!("{name}\t{}\t{}\n", p.room, p.hp));
    }
    std::fs::write(path, text)
}

/// Sends a GMCP message when the client agreed to GMCP (`send_gmcp` fails otherwise).
fn gmcp(conn: &ServerConnection, package: &str, data: serde_json::Value) {
    if conn.local_enabled(GMCP) {
        let _ = conn.send_gmcp(package, Some(&data));
    }
}

/// Sends MSDP variables when the client agreed to MSDP.
fn msdp(conn: &ServerConnection, vars: &[(&str, String)]) {
    if conn.local_enabled(MSDP) {
        let table: MsdpTable = vars
            .iter()
            .map(|(name, value)| ((*name).to_owned(), MsdpValue::Text(value.clone())))
            .collect();
        let _ = conn.send_msdp(&table);
    }
}

/// MSSP's answer for crawlers (MUD listings), when the client agreed to MSSP.
fn mssp(conn: &ServerConnection, players: usize) {
    if conn.local_enabled(MSSP) {
        let table: MsspTable = [
            ("NAME", "telnetlib3 mini-MUD".to_owned()),
            ("PLAYERS", players.to_string()),
            ("CODEBASE", "telnetlib3 for Rust".to_owned()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), MsspValue::One(value)))
        .collect();
        let _ = conn.send_mssp(&table);
    }
}

fn describe(conn: &ServerConnection, world: &World, name: &str) -> String {
    let room_id = world.players[name].room;
    let room = &ROOMS[room_id];
    let exits: Vec<&str> = room.exits.iter().map(|(dir, _)| *dir).collect();
    let others: Vec<&str> = world
        .online
        .keys()
        .filter(|n| *n != name && world.players[*n].room == room_id)
        .map(String::as_str)
        .collect();
    let exit_map: serde_json::Map<String, serde_json::Value> = room
        .exits
        .iter()
        .map(|(dir, to)| ((*dir).to_owned(), serde_json::json!(to)))
        .collect();
    gmcp(
        conn,
        "Room.Info",
        serde_json::json!({"num": room_id, "name": room.name, "exits": exit_map}),
    );
    msdp(conn, &[("ROOM", room.name.to_owned())]);
    let mut text = format!(
        "{}\r\n{}\r\nExits: {}.\r\n",
        room.name,
        room.description,
        exits.join(", ")
    );
    if !others.is_empty() {
        text.push_str(&format!("Here: {}.\r\n", others.join(", ")));
    }
    text
}

fn vitals(conn: &ServerConnection, hp: i32) {
    gmcp(
        conn,
        "Char.Vitals",
        serde_json::json!({"hp": hp, "maxhp": MAX_HP}),
    );
    msdp(conn, &[("HEALTH", hp.to_string())]);
}

/// Tells everyone else in `room`.
fn tell_room(world: &World, room: usize, except: &str, text: &str) {
    for (other, conn) in &world.online {
        if other != except && world.players[other].room == room {
            let _ = conn.write(text);
        }
    }
}

/// One command; returns false to end the session.
fn command(world: &Shared, conn: &ServerConnection, name: &str, line: &str) -> bool {
    let mut words = line.split_whitespace();
    let verb = words.next().unwrap_or("");
    let rest: Vec<&str> = words.collect();
    let mut world = world
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let here = world.players[name].room;
    let reply = match verb {
        "" => String::new(),
        "look" | "l" => describe(conn, &world, name),
        "n" | "s" | "e" | "w" | "u" | "d" | "north" | "south" | "east" | "west" | "up" | "down"
        | "go" => {
            let dir = if verb == "go" {
                rest.first().copied().unwrap_or("")
            } else {
                verb
            };
            let exit = ROOMS[here]
                .exits
                .iter()
                .find(|(d, _)| !dir.is_empty() && d.starts_with(dir));
            match exit {
                Some(&(d, to)) => {
                    tell_room(&world, here, name, &format!("{name} leaves {d}.\r\n"));
                    if let Some(p) = world.players.get_mut(name) {
                        p.room = to;
                    }
                    tell_room(&world, to, name, &format!("{name} arrives.\r\n"));
                    describe(conn, &world, name)
                }
                None => "You cannot go that way.\r\n".to_owned(),
            }
        }
        "say" => {
            let said = rest.join(" ");
            tell_room(&world, here, name, &format!("{name} says: {said}\r\n"));
            format!("You say: {said}\r\n")
        }
        "who" => {
            let mut names: Vec<&String> = world.online.keys().collect();
            names.sort();
            let list: Vec<&str> = names.into_iter().map(String::as_str).collect();
            format!("On line: {}.\r\n", list.join(", "))
        }
        "attack" | "kill" => {
            if here != 3 {
                "There is nothing here to fight.\r\n".to_owned()
            } else if world.rat_hp <= 0 {
                "The rat is already dead. Another will come.\r\n".to_owned()
            } else {
                // One round: you hit for 2, the rat bites for 1.
                world.rat_hp -= 2;
                let hp = {
                    let p = world
                        .players
                        .get_mut(name)
                        .expect("a player on line is known");
                    p.hp = (p.hp - 1).max(1);
                    p.hp
                };
                vitals(conn, hp);
                if world.rat_hp <= 0 {
                    world.rat_hp = 5;
                    format!("You hit the rat. It dies. The rat bit you: {hp}/{MAX_HP} hp.\r\n")
                } else {
                    format!("You hit the rat; it bites back. {hp}/{MAX_HP} hp.\r\n")
                }
            }
        }
        "rest" => {
            let hp = {
                let p = world
                    .players
                    .get_mut(name)
                    .expect("a player on line is known");
                p.hp = MAX_HP;
                p.hp
            };
            vitals(conn, hp);
            format!("You rest. {hp}/{MAX_HP} hp.\r\n")
        }
        "help" => {
            "look, n/s/e/w/up/down (or go DIR), say TEXT, who, attack, rest, protocols, quit\r\n"
                .to_owned()
        }
        "protocols" => {
            let on = |option| {
                if conn.local_enabled(option) {
                    "on"
                } else {
                    "off"
                }
            };
            format!(
                "GMCP {}, MSDP {}, MSSP {}, MCCP2 compression {}.\r\n",
                on(GMCP),
                on(MSDP),
                on(MSSP),
                on(MCCP2)
            )
        }
        "quit" => {
            let _ = conn.write("Farewell.\r\n");
            return false;
        }
        _ => "Huh? (help lists the commands)\r\n".to_owned(),
    };
    drop(world);
    conn.write(&reply).is_ok()
}

fn session(world: &Shared, conn: &ServerConnection) -> Result<(), Error> {
    // Offer the MUD protocols; a MUD client answers DO, a plain telnet client DONT.
    for option in [GMCP, MSDP, MSSP] {
        conn.request(Side::Local, option, true)?;
    }
    let _ = conn.wait_for(
        &WaitFor::default()
            .pending("GMCP", false)
            .pending("MSDP", false)
            .pending("MSSP", false),
        Some(Duration::from_secs(2)),
    );
    {
        let world = world
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        mssp(conn, world.online.len());
    }
    conn.prompt("Welcome to the mini-MUD. Your name? ")?;
    let name = conn.readline(Some(IDLE))?.trim().to_owned();
    let name: String = name
        .chars()
        .filter(|c| c.is_alphanumeric())
        .take(16)
        .collect();
    if name.is_empty() {
        conn.write("A name, please. Goodbye.\r\n")?;
        return Ok(());
    }
    let hp = {
        let mut world = world
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if world.online.contains_key(&name) {
            drop(world);
            conn.write("That name is on line already. Goodbye.\r\n")?;
            return Ok(());
        }
        let player = world
            .players
            .entry(name.clone())
            .or_insert(Player {
                room: 0,
                hp: MAX_HP,
            })
            .clone();
        world.online.insert(name.clone(), conn.clone());
        tell_room(&world, player.room, &name, &format!("{name} appears.\r\n"));
        let text = describe(conn, &world, &name);
        drop(world);
        conn.write(&format!("Hello, {name}.\r\n{text}"))?;
        player.hp
    };
    vitals(conn, hp);
    let outcome = loop {
        if let Err(err) = conn.prompt("> ") {
            break Err(err);
        }
        let line = match conn.readline(Some(IDLE)) {
            Ok(line) => line,
            Err(Error::Limit(_)) => {
                let _ = conn.write("That was too long.\r\n");
                continue;
            }
            Err(err) => break Err(err),
        };
        if !command(world, conn, &name, line.trim()) {
            break Ok(());
        }
    };
    {
        let mut world = world
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        world.online.remove(&name);
        let room = world.players[&name].room;
        tell_room(&world, room, &name, &format!("{name} vanishes.\r\n"));
    }
    match outcome {
        Err(err) if err.is_disconnect() || matches!(err, Error::Timeout) => Ok(()),
        other => other,
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let port = match args.next().map(|p| p.parse::<u16>()) {
        None => 6023,
        Some(Ok(port)) => port,
        Some(Err(_)) => {
            eprintln!("usage: server_mud [PORT] [STATE_FILE]");
            return ExitCode::from(2);
        }
    };
    let state = PathBuf::from(args.next().unwrap_or_else(|| "server_mud.state".to_owned()));
    // Before any thread starts, so that Ctrl-C reaches the signal thread only.
    let signals = match Signals::block(&[SIGINT, SIGTERM]) {
        Ok(signals) => signals,
        Err(err) => {
            eprintln!("cannot take signals: {err}");
            return ExitCode::FAILURE;
        }
    };
    let world: Shared = Arc::new(Mutex::new(load(&state)));
    let options = ServerOptions::default()
        .line_mode(true)
        // MCCP2: offered; MUD clients take it (never under TLS).
        .compression(Some(true))
        .timeout(Some(IDLE))
        // A player who stops reading cannot hold the others up for long.
        .io_timeout(Some(Duration::from_secs(10)));
    let for_handler = Arc::clone(&world);
    let server = BlockingTelnetServer::with_options("127.0.0.1", port, options, move |conn| {
        if let Err(err) = session(&for_handler, &conn) {
            println!("{}: {err}", conn.addrport());
        }
    });
    match server.start() {
        Ok(addr) => println!("mini-MUD listening on {addr}; Ctrl-C saves and stops"),
        Err(err) => {
            eprintln!("cannot listen on port {port}: {err}");
            return ExitCode::FAILURE;
        }
    }
    let stopper = server.clone();
    let saver = Arc::clone(&world);
    let state_file = state.clone();
    let watcher = signals.spawn(move |_| {
        let world = saver
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match save(&state_file, &world) {
            Ok(()) => println!("state saved to {}", state_file.display()),
            Err(err) => eprintln!("cannot save {}: {err}", state_file.display()),
        }
        drop(world);
        stopper.shutdown();
    });
    if let Err(err) = watcher {
        eprintln!("cannot watch for signals: {err}");
        return ExitCode::FAILURE;
    }
    match server.serve_forever() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{err}");
            ExitCode::FAILURE
        }
    }
}
