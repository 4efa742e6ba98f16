//! What the client shows and what it sends, through `telnetlib3::retro`.
//!
//! The client reads the server's bytes (not text) and decodes them itself with a
//! [`Display`], so that a SyncTERM font selection changes the encoding from the very next
//! byte, and PETSCII or ATASCII control codes become ANSI. The encoding the session's
//! negotiation chose (US-ASCII until BINARY, or what CHARSET agreed) is asked of the
//! connection after each read and applies to all of that read; a font selection, unless
//! `--encoding` was given, overrides it. (Text that came in the same read as a BINARY or
//! CHARSET switch, but before it, is decoded in the new encoding; before BINARY that text is
//! US-ASCII, which every ASCII-compatible encoding decodes alike.)
//!
//! Typed keys go through [`Keys`] when the encoding is PETSCII or ATASCII (then sent as bytes),
//! else as text in the session's encoding, as before.

use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::Duration;

use telnetlib3::encoding::{Codec, Errors};
use telnetlib3::retro::{Display, Keys, ESC_DELAY};
use telnetlib3::{Error, TelnetConnection};

use super::Args;

/// The codec the connection reads text in now.
fn session_codec(conn: &TelnetConnection) -> Option<Codec> {
    conn.get_extra_info("encoding")
        .as_deref()
        .and_then(Codec::lookup)
}

/// `--encoding-errors` as the library's type.
pub fn errors(args: &Args) -> Errors {
    args.encoding_errors.parse().unwrap_or_default()
}

/// The server's output as the terminal should show it.
pub struct Screen {
    display: Display,
}

impl Screen {
    /// A screen for `args` on `conn`: PETSCII or ATASCII translation for those encodings,
    /// SyncTERM fonts followed unless `--encoding` was given.
    pub fn new(conn: &TelnetConnection, args: &Args) -> Screen {
        let codec = session_codec(conn)
            .or_else(|| Codec::lookup(args.encoding()))
            .unwrap_or_else(Codec::utf8);
        let display = Display::new(codec, errors(args))
            .retro(args.retro())
            .ascii_eol(args.ascii_eol)
            .follow_fonts(args.encoding.is_none());
        Screen { display }
    }

    /// Waits for what the server sends next and returns it for the terminal (possibly empty,
    /// when all of it is held back for now).
    ///
    /// # Errors
    /// As `read_some_bytes`; [`Error::Eof`] once the stream ended and whatever was held back
    /// was returned; [`Error::Encoding`] with `--encoding-errors strict`.
    pub fn read(&mut self, conn: &TelnetConnection) -> Result<String, Error> {
        let mut text = String::new();
        match conn.read_some_bytes(None) {
            Ok(bytes) => {
                if let Some(codec) = session_codec(conn) {
                    self.display.set_codec(codec, &mut text)?;
                }
                self.display.feed(&bytes, &mut text)?;
                Ok(text)
            }
            Err(Error::Eof) => {
                self.display.finish(&mut text)?;
                if text.is_empty() {
                    Err(Error::Eof)
                } else {
                    Ok(text)
                }
            }
            Err(err) => Err(err),
        }
    }
}

/// Key translation for PETSCII and ATASCII (`--ansi-keys`, `--ascii-eol`), `None` for other
/// encodings.
pub fn keys(args: &Args) -> Option<Keys> {
    let retro = args.retro()?;
    let keys = Keys::new(retro, retro.codec()?, errors(args))?;
    Some(keys.ansi_keys(args.ansi_keys).ascii_eol(args.ascii_eol))
}

/// How long a lone ESC waits for the rest of a key's sequence: `ESCDELAY` milliseconds (as
/// curses reads it), else 350 ms.
pub fn esc_delay() -> Duration {
    std::env::var("ESCDELAY")
        .ok()
        .and_then(|ms| ms.trim().parse::<u64>().ok())
        .map_or(ESC_DELAY, |ms| Duration::from_millis(ms.min(10_000)))
}

/// Reads stdin on a thread of its own, so the keyboard loop can wait for it with a timeout (a
/// lone ESC). Each read is handed over once the loop takes it; nothing is read ahead.
pub struct Stdin {
    chunks: Receiver<Vec<u8>>,
    /// Bytes of a chunk the menu did not need.
    unread: Vec<u8>,
}

impl Stdin {
    /// Starts the reading thread.
    pub fn spawn() -> Stdin {
        let (tx, chunks) = mpsc::sync_channel(0);
        thread::spawn(move || {
            let mut stdin = io::stdin().lock();
            let mut buf = [0u8; 1024];
            loop {
                match stdin.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        if tx.send(buf[..n].to_vec()).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Stdin {
            chunks,
            unread: Vec::new(),
        }
    }

    /// The next bytes typed, waiting at most `timeout` (`None`: as long as it takes).
    /// `Disconnected` once stdin ended.
    pub fn recv(&mut self, timeout: Option<Duration>) -> Result<Vec<u8>, RecvTimeoutError> {
        if !self.unread.is_empty() {
            return Ok(std::mem::take(&mut self.unread));
        }
        match timeout {
            Some(timeout) => self.chunks.recv_timeout(timeout),
            None => self
                .chunks
                .recv()
                .map_err(|_| RecvTimeoutError::Disconnected),
        }
    }

    /// One byte typed (the menu's choice); `None` once stdin ended.
    pub fn byte(&mut self) -> Option<u8> {
        let mut chunk = self.recv(None).ok()?;
        if chunk.is_empty() {
            return None;
        }
        self.unread = chunk.split_off(1);
        Some(chunk[0])
    }
}
