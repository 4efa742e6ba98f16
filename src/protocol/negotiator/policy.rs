//! What each role offers and accepts: option structs with `Default`, plus the accept tables.

use crate::protocol::options::charset;
use crate::protocol::parser::DEFAULT_SUBNEGOTIATION_LIMIT;
use crate::telopt::*;

/// The server side's negotiation policy (telnetlib3's `TelnetServer` defaults).
///
/// ```
/// use telnetlib3::protocol::ServerPolicy;
/// let policy = ServerPolicy::default().line_mode(true).encoding(None);
/// assert!(policy.line_mode);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerPolicy {
    /// Line mode: ask for LINEMODE with MODE EDIT, and never send WILL SGA or WILL ECHO (the
    /// client edits and echoes lines itself). Default: false.
    pub line_mode: bool,
    /// The session encoding; `None` for bytes only, in which case CHARSET is not offered.
    /// Default: `Some("utf8")`.
    pub encoding: Option<String>,
    /// Character sets offered in CHARSET REQUEST. Default: telnetlib3's list
    /// ([`charset::SERVER_OFFERS`]).
    pub charset_offers: Vec<String>,
    /// Never send Go-Ahead after prompts. Default: false.
    pub never_send_ga: bool,
    /// At most this many TTYPE answers are asked for. Default: 8.
    pub ttype_max: usize,
    /// Bound on one subnegotiation, in wire bytes. Default: 1 MiB.
    pub subnegotiation_limit: usize,
    /// MCCP2/MCCP3 compression: `Some(true)` offers both (`WILL`), `None` agrees when the
    /// client asks, `Some(false)` refuses. Never under TLS. Default: `None`.
    pub compression: Option<bool>,
}

impl Default for ServerPolicy {
    fn default() -> Self {
        Self {
            line_mode: false,
            encoding: Some("utf8".to_owned()),
            charset_offers: charset::SERVER_OFFERS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            never_send_ga: false,
            ttype_max: 8,
            subnegotiation_limit: DEFAULT_SUBNEGOTIATION_LIMIT,
            compression: None,
        }
    }
}

impl ServerPolicy {
    setters! {
        /// Sets [`line_mode`](Self::line_mode).
        line_mode: bool,
        /// Sets [`never_send_ga`](Self::never_send_ga).
        never_send_ga: bool,
        /// Sets [`ttype_max`](Self::ttype_max).
        ttype_max: usize,
        /// Sets [`subnegotiation_limit`](Self::subnegotiation_limit).
        subnegotiation_limit: usize,
        /// Sets [`compression`](Self::compression).
        compression: Option<bool>,
    }

    text_setters! {
        /// Sets [`encoding`](Self::encoding).
        encoding: Option<&str>,
    }

    /// Sets [`charset_offers`](Self::charset_offers).
    #[must_use]
    pub fn charset_offers(mut self, offers: &[&str]) -> Self {
        self.charset_offers = offers.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    pub(crate) fn accept_tables(&self) -> [[bool; 256]; 2] {
        let mut local = [false; 256];
        let mut remote = [false; 256];
        for o in [BINARY, STATUS, EOR, LOGOUT] {
            local[o as usize] = true;
        }
        if !self.line_mode {
            local[SGA as usize] = true;
            local[ECHO as usize] = true;
        }
        for o in [
            BINARY,
            SGA,
            TTYPE,
            NAWS,
            TSPEED,
            XDISPLOC,
            NEW_ENVIRON,
            LINEMODE,
            LFLOW,
            SNDLOC,
            STATUS,
            EOR,
        ] {
            remote[o as usize] = true;
        }
        for o in SERVER_MUD_OPTIONS {
            local[o as usize] = true;
            remote[o as usize] = true;
        }
        if self.encoding.is_some() {
            local[CHARSET as usize] = true;
            remote[CHARSET as usize] = true;
        }
        if self.compression != Some(false) {
            local[MCCP2 as usize] = true;
            local[MCCP3 as usize] = true;
        }
        [local, remote]
    }
}

/// The MUD options a server accepts in both directions when the client asks (telnetlib3-server
/// answers `DO` with `WILL` and `WILL` with `DO` for each); it offers none of them itself.
pub const SERVER_MUD_OPTIONS: [u8; 8] = [GMCP, MSDP, MSSP, ZMP, ATCP, AARDWOLF, MSP, MXP];

/// The MUD options a client accepts when the server offers them (`WILL`), as telnetlib3's
/// client does; it declines the others, and every MUD option the server asks it to perform
/// (`DO`), unless [`ClientPolicy::always_do`] or [`ClientPolicy::always_will`] names them.
pub const CLIENT_MUD_OPTIONS: [u8; 2] = [GMCP, ZMP];

/// The GMCP modules telnetlib3's client asks for in `Core.Supports.Set`.
pub const DEFAULT_GMCP_MODULES: [&str; 8] = [
    "char 1",
    "char.vitals 1",
    "char.items 1",
    "room 1",
    "room.info 1",
    "comm 1",
    "comm.channel 1",
    "group 1",
];

/// The client's name and version in GMCP `Core.Hello` and ZMP `zmp.ident`: this crate's.
pub const CLIENT_NAME: &str = env!("CARGO_PKG_NAME");
/// See [`CLIENT_NAME`].
pub const CLIENT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The client side's negotiation policy (telnetlib3's `TelnetClient` defaults).
///
/// ```
/// use telnetlib3::protocol::ClientPolicy;
/// let policy = ClientPolicy::default().term("xterm-256color").cols(132).rows(43);
/// assert_eq!(policy.term, "xterm-256color");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientPolicy {
    /// Terminal type sent in TTYPE IS and NEW_ENVIRON TERM. Default: `"unknown"`.
    pub term: String,
    /// Window width sent in NAWS and NEW_ENVIRON COLUMNS. Default: 80.
    pub cols: u16,
    /// Window height sent in NAWS and NEW_ENVIRON LINES. Default: 25.
    pub rows: u16,
    /// Terminal speed `(rx, tx)` sent in TSPEED IS. Default: `(38400, 38400)`.
    pub tspeed: (u32, u32),
    /// X display sent in XDISPLOC IS; XDISPLOC is refused while it is empty. Default: `""`.
    pub xdisploc: String,
    /// The encoding CHARSET offers are matched against; `None` rejects every offer.
    /// Default: `Some("utf8")`.
    pub encoding: Option<String>,
    /// The only environment variables ever sent (case is ignored). Default: TERM, LANG,
    /// COLUMNS, LINES, COLORTERM.
    pub send_environ: Vec<String>,
    /// Values of environment variables other than TERM, COLUMNS and LINES (which come from
    /// `term`, `cols` and `rows`), such as LANG and COLORTERM. Default: none.
    pub environ: Vec<(String, String)>,
    /// Options offered with WILL on connect and accepted when asked. Default: none.
    pub always_will: Vec<u8>,
    /// Options asked for with DO on connect and accepted when offered. Default: none.
    pub always_do: Vec<u8>,
    /// Options always refused when the server sends DO. Default: none.
    pub always_wont: Vec<u8>,
    /// Options always refused when the server sends WILL. Default: none.
    pub always_dont: Vec<u8>,
    /// Bound on one subnegotiation, in wire bytes. Default: 1 MiB.
    pub subnegotiation_limit: usize,
    /// MCCP2/MCCP3 compression: `Some(true)` asks for both (`DO`), `None` agrees when the
    /// server offers, `Some(false)` refuses. Never under TLS. Default: `None`.
    pub compression: Option<bool>,
    /// GMCP modules asked for in `Core.Supports.Set` (lowercased when sent) once the server
    /// enables GMCP. Default: telnetlib3's list ([`DEFAULT_GMCP_MODULES`]).
    pub gmcp_modules: Vec<String>,
}

impl Default for ClientPolicy {
    fn default() -> Self {
        Self {
            term: "unknown".to_owned(),
            cols: 80,
            rows: 25,
            tspeed: (38400, 38400),
            xdisploc: String::new(),
            encoding: Some("utf8".to_owned()),
            send_environ: ["TERM", "LANG", "COLUMNS", "LINES", "COLORTERM"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            environ: Vec::new(),
            always_will: Vec::new(),
            always_do: Vec::new(),
            always_wont: Vec::new(),
            always_dont: Vec::new(),
            subnegotiation_limit: DEFAULT_SUBNEGOTIATION_LIMIT,
            compression: None,
            gmcp_modules: DEFAULT_GMCP_MODULES.map(str::to_owned).to_vec(),
        }
    }
}

impl ClientPolicy {
    setters! {
        /// Sets [`cols`](Self::cols).
        cols: u16,
        /// Sets [`rows`](Self::rows).
        rows: u16,
        /// Sets [`subnegotiation_limit`](Self::subnegotiation_limit).
        subnegotiation_limit: usize,
        /// Sets [`compression`](Self::compression).
        compression: Option<bool>,
    }

    text_setters! {
        /// Sets [`term`](Self::term).
        term: &str,
        /// Sets [`xdisploc`](Self::xdisploc).
        xdisploc: &str,
        /// Sets [`encoding`](Self::encoding).
        encoding: Option<&str>,
    }

    /// Sets [`tspeed`](Self::tspeed).
    #[must_use]
    pub fn tspeed(mut self, rx: u32, tx: u32) -> Self {
        self.tspeed = (rx, tx);
        self
    }

    /// Sets [`send_environ`](Self::send_environ).
    #[must_use]
    pub fn send_environ(mut self, names: &[&str]) -> Self {
        self.send_environ = names.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    /// Adds or replaces one value in [`environ`](Self::environ).
    #[must_use]
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.environ.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.environ.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets [`always_will`](Self::always_will).
    #[must_use]
    pub fn always_will(mut self, options: &[u8]) -> Self {
        self.always_will = options.to_vec();
        self
    }

    /// Sets [`always_do`](Self::always_do).
    #[must_use]
    pub fn always_do(mut self, options: &[u8]) -> Self {
        self.always_do = options.to_vec();
        self
    }

    /// Sets [`always_wont`](Self::always_wont).
    #[must_use]
    pub fn always_wont(mut self, options: &[u8]) -> Self {
        self.always_wont = options.to_vec();
        self
    }

    /// Sets [`gmcp_modules`](Self::gmcp_modules).
    #[must_use]
    pub fn gmcp_modules(mut self, modules: &[&str]) -> Self {
        self.gmcp_modules = modules.iter().map(|s| (*s).to_owned()).collect();
        self
    }

    /// Sets [`always_dont`](Self::always_dont).
    #[must_use]
    pub fn always_dont(mut self, options: &[u8]) -> Self {
        self.always_dont = options.to_vec();
        self
    }

    /// The value the client would send for environment variable `name`, if it sends it at all.
    #[must_use]
    pub fn environ_value(&self, name: &str) -> Option<String> {
        if !self
            .send_environ
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
        {
            return None;
        }
        match name.to_ascii_uppercase().as_str() {
            "TERM" => Some(self.term.clone()),
            "COLUMNS" => Some(self.cols.to_string()),
            "LINES" => Some(self.rows.to_string()),
            _ => self
                .environ
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone()),
        }
        .filter(|v| !v.is_empty())
    }

    pub(crate) fn accept_tables(&self) -> [[bool; 256]; 2] {
        let mut local = [false; 256];
        let mut remote = [false; 256];
        for o in [
            BINARY,
            SGA,
            TTYPE,
            NAWS,
            TSPEED,
            NEW_ENVIRON,
            LFLOW,
            STATUS,
            EOR,
        ] {
            local[o as usize] = true;
        }
        if !self.xdisploc.is_empty() {
            local[XDISPLOC as usize] = true;
        }
        for o in [BINARY, ECHO, SGA, STATUS, EOR, LOGOUT] {
            remote[o as usize] = true;
        }
        for o in CLIENT_MUD_OPTIONS {
            remote[o as usize] = true;
        }
        if self.encoding.is_some() {
            local[CHARSET as usize] = true;
            remote[CHARSET as usize] = true;
        }
        if self.compression != Some(false) {
            remote[MCCP2 as usize] = true;
            remote[MCCP3 as usize] = true;
        }
        for &o in &self.always_will {
            local[o as usize] = true;
        }
        for &o in &self.always_do {
            remote[o as usize] = true;
        }
        for &o in &self.always_wont {
            local[o as usize] = false;
        }
        for &o in &self.always_dont {
            remote[o as usize] = false;
        }
        [local, remote]
    }
}
