//! The IAC tokenizer: telnet wire bytes in, tokens out.
//!
//! ```text
//!            byte != IAC                 WILL/WONT/DO/DONT        option
//!   ┌──────┐ ─────────▶ Data   ┌─────┐ ───────────────────▶ Verb ───────▶ Negotiation
//!   │ Data │ ───IAC───────────▶│ Iac │ ──IAC──▶ Data(0xFF)
//!   └──────┘ ◀─────────────────└─────┘ ──NOP..GA, EOR..EOF──▶ Command
//!                                 │ SB      option            IAC       SE
//!                                 └────▶ SbOption ──▶ Sb ──────▶ SbIac ────▶ Subnegotiation
//!                                                      ▲   IAC (0xFF)  │
//!                                                      └───────────────┘
//! ```
//!
//! The tokenizer is split-safe: feeding the same bytes in any chunking yields the same tokens,
//! except that runs of data may be cut into more pieces. Data tokens borrow the input; a
//! subnegotiation payload borrows the parser's own buffer, which is bounded by
//! [`Parser::set_subnegotiation_limit`] (1 MiB by default, counted in wire bytes, so an escaped
//! `IAC IAC` counts as two). A payload over the limit is discarded up to `IAC SE` and reported as
//! [`Warning::SubnegotiationOverflow`]; none of it ever reaches the data stream.
//!
//! Line endings (RFC 854): while [`Parser::set_strip_cr_nul`] is on (the peer is not sending
//! BINARY), `CR NUL` becomes a bare `CR`; `CR LF` and a lone `CR` pass through unchanged.
//!
//! ```
//! use telnetlib3::protocol::{Parser, Token};
//! let mut parser = Parser::new();
//! let input = b"hi\xff\xfd\x1f\xff\xff";
//! let mut pos = 0;
//! assert_eq!(parser.next_token(input, &mut pos), Some(Token::Data(b"hi")));
//! assert_eq!(parser.next_token(input, &mut pos), Some(Token::Negotiation { command: 253, option: 31 }));
//! assert_eq!(parser.next_token(input, &mut pos), Some(Token::Data(b"\xff")));
//! assert_eq!(parser.next_token(input, &mut pos), None);
//! ```

use crate::protocol::Warning;
use crate::telopt::{DO, DONT, IAC, SB, SE, WILL, WONT};

/// The default bound on one subnegotiation, in wire bytes: 1 MiB.
pub const DEFAULT_SUBNEGOTIATION_LIMIT: usize = 1 << 20;

/// What the tokenizer found in the byte stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token<'i, 'p> {
    /// In-band data (with `IAC IAC` already turned into one `0xFF`).
    Data(&'i [u8]),
    /// A two-byte command: `IAC NOP`, `IAC GA`, `IAC AYT`, `IAC EOR`, …
    Command(u8),
    /// `IAC WILL|WONT|DO|DONT option`.
    Negotiation {
        /// WILL, WONT, DO or DONT.
        command: u8,
        /// The option code.
        option: u8,
    },
    /// A complete subnegotiation `IAC SB option payload IAC SE`, payload unescaped.
    Subnegotiation {
        /// The option code.
        option: u8,
        /// The payload, without the option byte.
        payload: &'p [u8],
    },
    /// Something odd the tokenizer recovered from.
    Warning(Warning),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Data,
    Iac,
    Verb(u8),
    SbOption,
    Sb,
    SbIac,
    /// `IAC <command>` ended a subnegotiation: deliver it, then process the command.
    SbEnded,
}

/// The IAC tokenizer. See the [module docs](crate::protocol::parser).
#[derive(Clone, Debug)]
pub struct Parser {
    state: State,
    sb_option: u8,
    sb_buf: Vec<u8>,
    sb_wire_len: usize,
    sb_limit: usize,
    sb_overflow: bool,
    strip_cr_nul: bool,
    last_cr: bool,
    /// The command byte that ended a subnegotiation, processed once the subnegotiation is out.
    replay: Option<u8>,
    /// Options whose subnegotiations are buffered; the others are skipped unread.
    sb_wanted: [u64; 4],
}

impl Default for Parser {
    fn default() -> Self {
        Self::new()
    }
}

impl Parser {
    /// A tokenizer in the data state, stripping `CR NUL`, with the default subnegotiation limit.
    #[must_use]
    pub fn new() -> Self {
        Self {
            state: State::Data,
            sb_option: 0,
            sb_buf: Vec::new(),
            sb_wire_len: 0,
            sb_limit: DEFAULT_SUBNEGOTIATION_LIMIT,
            sb_overflow: false,
            strip_cr_nul: true,
            last_cr: false,
            replay: None,
            sb_wanted: [u64::MAX; 4],
        }
    }

    /// Bounds one subnegotiation to `limit` wire bytes (payload after the option byte, escapes
    /// counted twice).
    pub fn set_subnegotiation_limit(&mut self, limit: usize) {
        self.sb_limit = limit;
    }

    /// The subnegotiation bound in force.
    #[must_use]
    pub fn subnegotiation_limit(&self) -> usize {
        self.sb_limit
    }

    /// Sets which options' subnegotiations are wanted (bit `o` of the mask for option `o`; all by
    /// default). A subnegotiation for any other option is skipped up to `IAC SE` without being
    /// buffered, and reported as [`Warning::UnexpectedSubnegotiation`].
    pub fn set_subnegotiation_filter(&mut self, wanted: [u64; 4]) {
        self.sb_wanted = wanted;
    }

    fn wanted(&self, option: u8) -> bool {
        self.sb_wanted[option as usize / 64] & (1 << (option % 64)) != 0
    }

    /// Turns `CR NUL` → `CR` on or off (on while the peer does not send BINARY).
    pub fn set_strip_cr_nul(&mut self, strip: bool) {
        self.strip_cr_nul = strip;
    }

    /// True between `IAC` and the end of the command or subnegotiation it starts.
    #[must_use]
    pub fn in_command(&self) -> bool {
        self.state != State::Data
    }

    /// Bytes currently held for an unfinished subnegotiation.
    #[must_use]
    pub fn buffered(&self) -> usize {
        self.sb_buf.len()
    }

    /// The next token from `input[*pos..]`, advancing `*pos` past the bytes it used. `None` once
    /// the input is used up (an unfinished command is kept for the next call).
    #[inline]
    pub fn next_token<'i, 'p>(
        &'p mut self,
        input: &'i [u8],
        pos: &mut usize,
    ) -> Option<Token<'i, 'p>> {
        // Hot path: in data, with a whole data run, command or subnegotiation at the front.
        if self.state == State::Data && self.replay.is_none() {
            let rest = input.get(*pos..).filter(|r| !r.is_empty())?;
            if rest[0] != IAC {
                if let Some(data) = self.data(rest, pos) {
                    return Some(Token::Data(data));
                }
            } else if let Some(token) = self.whole_command(rest, pos) {
                return Some(token);
            } else if let Some(option) = self.whole_subnegotiation(rest, pos) {
                return Some(Token::Subnegotiation {
                    option,
                    payload: &self.sb_buf,
                });
            }
        }
        self.next_token_slow(input, pos)
    }

    /// The general state machine, for commands split across reads and everything unusual.
    #[inline(never)]
    fn next_token_slow<'i, 'p>(
        &'p mut self,
        input: &'i [u8],
        pos: &mut usize,
    ) -> Option<Token<'i, 'p>> {
        loop {
            if self.state == State::SbEnded {
                self.state = if self.replay.is_some() {
                    State::Iac
                } else {
                    State::Data
                };
                return Some(Token::Subnegotiation {
                    option: self.sb_option,
                    payload: &self.sb_buf,
                });
            }
            if let Some(command) = self.replay.take() {
                if let Some(token) = self.command_byte(command, &[]) {
                    return Some(token);
                }
                continue;
            }
            let rest = input.get(*pos..).filter(|r| !r.is_empty())?;
            match self.state {
                State::Data => {
                    if let Some(data) = self.data(rest, pos) {
                        return Some(Token::Data(data));
                    }
                }
                State::Sb => {
                    if let Some(token) = self.sb_bulk(rest, pos) {
                        return Some(token);
                    }
                }
                _ => {
                    *pos += 1;
                    if let Some(token) = self.command_byte(rest[0], &rest[..1]) {
                        return Some(token);
                    }
                }
            }
        }
    }

    /// `IAC SB option payload IAC SE` lying whole at the front of `rest`, with no `IAC` inside
    /// the payload and within the limit: copied to the buffer in one go. Returns the option.
    #[inline]
    fn whole_subnegotiation(&mut self, rest: &[u8], pos: &mut usize) -> Option<u8> {
        let [_, SB, option, ref body @ ..] = *rest else {
            return None;
        };
        if option == IAC || !self.wanted(option) {
            return None;
        }
        let end = memchr::memchr(IAC, body)?;
        if body.get(end + 1) != Some(&SE) || end > self.sb_limit {
            return None;
        }
        self.sb_option = option;
        self.sb_buf.clear();
        if self.sb_buf.capacity() > 64 * 1024 {
            self.sb_buf.shrink_to(4096);
        }
        self.sb_buf.extend_from_slice(&body[..end]);
        self.last_cr = false;
        *pos += 3 + end + 2;
        Some(option)
    }

    /// A negotiation or a two-byte command that lies whole at the front of `rest` (which
    /// starts with `IAC`), taken without going through the state machine.
    #[inline]
    fn whole_command<'i>(&mut self, rest: &[u8], pos: &mut usize) -> Option<Token<'i, 'static>> {
        match *rest {
            [_, command @ (WILL | WONT | DO | DONT), option, ..] => {
                *pos += 3;
                self.last_cr = false;
                Some(Token::Negotiation { command, option })
            }
            [_, command @ (236..=239 | 241..=249), ..] => {
                *pos += 2;
                self.last_cr = false;
                Some(Token::Command(command))
            }
            _ => None,
        }
    }

    /// Takes a run of data from the front of `rest`, up to the next `IAC` or the next `NUL`
    /// that follows a `CR` (dropped while [`set_strip_cr_nul`](Self::set_strip_cr_nul) is on).
    /// Returns `None` when the run is empty.
    #[inline]
    fn data<'i>(&mut self, rest: &'i [u8], pos: &mut usize) -> Option<&'i [u8]> {
        let mut from = 0;
        loop {
            let found = if self.strip_cr_nul {
                memchr::memchr2(IAC, 0, &rest[from..])
            } else {
                memchr::memchr(IAC, &rest[from..])
            };
            let Some(k) = found else {
                *pos += rest.len();
                self.last_cr = rest.last() == Some(&b'\r');
                return Some(rest);
            };
            let i = from + k;
            if rest[i] == IAC {
                self.last_cr = false;
                if i == 0 {
                    // A command the fast paths could not take whole: byte by byte from here.
                    *pos += 1;
                    self.state = State::Iac;
                    return None;
                }
                // Leave the IAC for the next call, where the fast paths can take it whole.
                *pos += i;
                return Some(&rest[..i]);
            }
            let after_cr = if i == 0 {
                self.last_cr
            } else {
                rest[i - 1] == b'\r'
            };
            if after_cr {
                // CR NUL: the NUL is dropped.
                *pos += i + 1;
                self.last_cr = false;
                return (i > 0).then(|| &rest[..i]);
            }
            from = i + 1;
        }
    }

    /// Copies subnegotiation payload up to the next `IAC` in one go.
    #[inline]
    fn sb_bulk(&mut self, rest: &[u8], pos: &mut usize) -> Option<Token<'static, 'static>> {
        let n = memchr::memchr(IAC, rest).unwrap_or(rest.len());
        *pos += n;
        if n < rest.len() {
            *pos += 1;
            self.state = State::SbIac;
        }
        self.sb_push(&rest[..n], n)
    }

    /// Adds payload bytes that took `wire` bytes on the wire; reports the overflow once.
    fn sb_push(&mut self, bytes: &[u8], wire: usize) -> Option<Token<'static, 'static>> {
        if self.sb_overflow {
            return None;
        }
        self.sb_wire_len = self.sb_wire_len.saturating_add(wire);
        if self.sb_wire_len > self.sb_limit {
            self.sb_overflow = true;
            self.sb_buf = Vec::new();
            return Some(Token::Warning(Warning::SubnegotiationOverflow {
                option: self.sb_option,
                limit: self.sb_limit,
            }));
        }
        self.sb_buf.extend_from_slice(bytes);
        None
    }

    /// One byte of a command; `this` is that byte as a slice of the input (for `IAC IAC`).
    fn command_byte<'i>(&mut self, byte: u8, this: &'i [u8]) -> Option<Token<'i, 'static>> {
        match self.state {
            State::Iac => {
                self.state = State::Data;
                self.last_cr = false;
                match byte {
                    IAC => return Some(Token::Data(this)),
                    WILL | WONT | DO | DONT => self.state = State::Verb(byte),
                    SB => self.state = State::SbOption,
                    SE => return Some(Token::Warning(Warning::StraySe)),
                    236..=249 => return Some(Token::Command(byte)),
                    _ => return Some(Token::Warning(Warning::InvalidCommand(byte))),
                }
                None
            }
            State::Verb(command) => {
                self.state = State::Data;
                Some(Token::Negotiation {
                    command,
                    option: byte,
                })
            }
            State::SbOption => {
                if byte == IAC {
                    // `IAC SB IAC`: no option byte; the IAC starts a new command.
                    self.state = State::Iac;
                    return Some(Token::Warning(Warning::UnterminatedSubnegotiation {
                        option: 0,
                        command: SB,
                    }));
                }
                self.sb_option = byte;
                self.sb_buf.clear();
                if self.sb_buf.capacity() > 64 * 1024 {
                    self.sb_buf.shrink_to(4096);
                }
                self.sb_wire_len = 0;
                self.state = State::Sb;
                // An unwanted subnegotiation is skipped like an overlong one.
                self.sb_overflow = !self.wanted(byte);
                if self.sb_overflow {
                    return Some(Token::Warning(Warning::UnexpectedSubnegotiation {
                        option: byte,
                    }));
                }
                None
            }
            State::SbIac => match byte {
                IAC => {
                    self.state = State::Sb;
                    self.sb_push(&[IAC], 2)
                }
                SE => {
                    self.state = if self.sb_overflow {
                        State::Data
                    } else {
                        State::SbEnded
                    };
                    None
                }
                _ => {
                    // IAC <command> inside SB: the SB ends there, then the command is processed.
                    self.state = if self.sb_overflow {
                        State::Iac
                    } else {
                        State::SbEnded
                    };
                    self.replay = Some(byte);
                    Some(Token::Warning(Warning::UnterminatedSubnegotiation {
                        option: self.sb_option,
                        command: byte,
                    }))
                }
            },
            State::Data | State::Sb | State::SbEnded => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telopt::{AYT, GA, NOP};

    fn tokens(parser: &mut Parser, input: &[u8]) -> Vec<String> {
        let mut pos = 0;
        let mut out = Vec::new();
        while let Some(token) = parser.next_token(input, &mut pos) {
            out.push(format!("{token:?}"));
        }
        out
    }

    #[test]
    fn stray_se_is_a_warning_on_every_path() {
        // Whole in one read (fast path) and split after IAC (state machine).
        assert_eq!(tokens(&mut Parser::new(), &[IAC, SE]), ["Warning(StraySe)"]);
        let mut parser = Parser::new();
        assert!(tokens(&mut parser, &[IAC]).is_empty());
        assert_eq!(tokens(&mut parser, &[SE]), ["Warning(StraySe)"]);
    }

    #[test]
    fn commands_and_invalid_bytes() {
        let out = tokens(
            &mut Parser::new(),
            &[IAC, NOP, IAC, AYT, IAC, GA, IAC, 0x41],
        );
        assert_eq!(
            out,
            [
                "Command(241)",
                "Command(246)",
                "Command(249)",
                "Warning(InvalidCommand(65))"
            ]
        );
    }

    #[test]
    fn unwanted_subnegotiation_is_skipped_unbuffered() {
        let mut parser = Parser::new();
        parser.set_subnegotiation_filter([0; 4]);
        let mut input = vec![IAC, SB, 201];
        input.extend(std::iter::repeat_n(b'x', 10_000));
        input.extend([IAC, SE, b'!']);
        assert_eq!(
            tokens(&mut parser, &input),
            [
                "Warning(UnexpectedSubnegotiation { option: 201 })",
                "Data([33])"
            ]
        );
        assert_eq!(parser.buffered(), 0);
    }

    #[test]
    fn split_command_is_kept_for_the_next_read() {
        let mut parser = Parser::new();
        assert!(tokens(&mut parser, &[IAC, DO]).is_empty());
        assert!(parser.in_command());
        assert_eq!(
            tokens(&mut parser, &[31]),
            ["Negotiation { command: 253, option: 31 }"]
        );
        assert!(!parser.in_command());
    }
}
