//! LINEMODE (RFC 1184): MODE with ACK, SLC (special line characters) and FORWARDMASK.

use super::frame;
use crate::protocol::DecodeError;
use crate::telopt::{DO, DONT, LINEMODE, WILL, WONT};

/// Subcommand MODE.
pub const MODE: u8 = 1;
/// Subcommand FORWARDMASK (preceded by DO, DONT, WILL or WONT).
pub const FORWARDMASK: u8 = 2;
/// Subcommand SLC.
pub const SLC: u8 = 3;

/// MODE bit: the client edits lines locally.
pub const MODE_EDIT: u8 = 0x01;
/// MODE bit: the client traps signals and sends IP, BRK, … as commands.
pub const MODE_TRAPSIG: u8 = 0x02;
/// MODE bit: acknowledges a MODE received.
pub const MODE_ACK: u8 = 0x04;
/// MODE bit: the client expands tabs.
pub const MODE_SOFT_TAB: u8 = 0x08;
/// MODE bit: the client echoes non-printables literally.
pub const MODE_LIT_ECHO: u8 = 0x10;
/// The bits that are the mode proper (without ACK).
pub const MODE_MASK: u8 = 0x1b;

/// SLC function: Synch.
pub const SLC_SYNCH: u8 = 1;
/// SLC function: Break.
pub const SLC_BRK: u8 = 2;
/// SLC function: Interrupt Process.
pub const SLC_IP: u8 = 3;
/// SLC function: Abort Output.
pub const SLC_AO: u8 = 4;
/// SLC function: Are You There.
pub const SLC_AYT: u8 = 5;
/// SLC function: End Of Record.
pub const SLC_EOR: u8 = 6;
/// SLC function: Abort.
pub const SLC_ABORT: u8 = 7;
/// SLC function: End Of File.
pub const SLC_EOF: u8 = 8;
/// SLC function: Suspend.
pub const SLC_SUSP: u8 = 9;
/// SLC function: Erase Character.
pub const SLC_EC: u8 = 10;
/// SLC function: Erase Line.
pub const SLC_EL: u8 = 11;
/// SLC function: Erase Word.
pub const SLC_EW: u8 = 12;
/// SLC function: Reprint line.
pub const SLC_RP: u8 = 13;
/// SLC function: Literal next.
pub const SLC_LNEXT: u8 = 14;
/// SLC function: XON.
pub const SLC_XON: u8 = 15;
/// SLC function: XOFF.
pub const SLC_XOFF: u8 = 16;
/// SLC function: Forwarding character 1.
pub const SLC_FORW1: u8 = 17;
/// SLC function: Forwarding character 2.
pub const SLC_FORW2: u8 = 18;
/// The highest SLC function code this library tracks (RFC 1184 defines 1 to 18; later drafts go
/// to 30).
pub const NSLC: u8 = 30;

/// SLC level: not supported.
pub const SLC_NOSUPPORT: u8 = 0;
/// SLC level: supported, value cannot change.
pub const SLC_CANTCHANGE: u8 = 1;
/// SLC level: supported, value can change.
pub const SLC_VARIABLE: u8 = 2;
/// SLC level: use the default.
pub const SLC_DEFAULT: u8 = 3;
/// Mask of the level bits in an SLC modifier byte.
pub const SLC_LEVELBITS: u8 = 0x03;
/// SLC modifier flag: this triplet acknowledges one received.
pub const SLC_ACK: u8 = 0x80;
/// SLC modifier flag: flush input on this function.
pub const SLC_FLUSHIN: u8 = 0x40;
/// SLC modifier flag: flush output on this function.
pub const SLC_FLUSHOUT: u8 = 0x20;
/// The value byte meaning "no character" (POSIX `_POSIX_VDISABLE`).
pub const SLC_NOCHAR: u8 = 0xff;

/// One SLC triplet: function, modifier (level and flags), value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SlcTriplet {
    /// The function code (SLC_IP, SLC_EC, …).
    pub func: u8,
    /// Level bits and ACK/FLUSHIN/FLUSHOUT flags.
    pub flags: u8,
    /// The character.
    pub value: u8,
}

impl SlcTriplet {
    /// A triplet from its three parts.
    #[must_use]
    pub const fn new(func: u8, flags: u8, value: u8) -> Self {
        Self { func, flags, value }
    }

    /// The level bits of the modifier.
    #[must_use]
    pub const fn level(&self) -> u8 {
        self.flags & SLC_LEVELBITS
    }
}

/// A decoded LINEMODE subnegotiation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Linemode {
    /// `MODE mask` (the mask may carry [`MODE_ACK`]).
    Mode(u8),
    /// `SLC` triplets.
    Slc(Vec<SlcTriplet>),
    /// `DO|DONT|WILL|WONT FORWARDMASK [mask]`: `command` is the telnet verb byte; the mask
    /// (up to 32 bytes) comes only with DO.
    Forwardmask {
        /// DO, DONT, WILL or WONT.
        command: u8,
        /// The forward mask, empty unless `command` is DO.
        mask: Vec<u8>,
    },
}

/// The longest FORWARDMASK: one bit for each of the 256 byte values.
const MAX_FORWARDMASK: usize = 32;

/// SLC modifier: variable, flushes input and output (IP and ABORT in the BSD table).
const VARIABLE_FLUSH_BOTH: u8 = SLC_VARIABLE | SLC_FLUSHIN | SLC_FLUSHOUT;

/// Appends `IAC SB LINEMODE MODE <mask> IAC SE`.
pub fn encode_mode(mask: u8, out: &mut Vec<u8>) {
    frame(LINEMODE, &[MODE, mask], out);
}

/// Appends `IAC SB LINEMODE SLC <triplets> IAC SE` (a value 0xFF is doubled).
pub fn encode_slc(triplets: &[SlcTriplet], out: &mut Vec<u8>) {
    let mut payload = Vec::with_capacity(1 + 3 * triplets.len());
    payload.push(SLC);
    for triplet in triplets {
        payload.extend_from_slice(&[triplet.func, triplet.flags, triplet.value]);
    }
    frame(LINEMODE, &payload, out);
}

/// Appends `IAC SB LINEMODE <command> FORWARDMASK [mask] IAC SE`.
pub fn encode_forwardmask(command: u8, mask: &[u8], out: &mut Vec<u8>) {
    let mut payload = Vec::with_capacity(2 + mask.len());
    payload.extend_from_slice(&[command, FORWARDMASK]);
    payload.extend_from_slice(mask);
    frame(LINEMODE, &payload, out);
}

/// A LINEMODE decode error.
const fn error(reason: &'static str) -> DecodeError {
    DecodeError::new(LINEMODE, reason)
}

/// Decodes a LINEMODE payload.
///
/// Bytes after the MODE mask are ignored.
///
/// # Errors
/// An empty payload, an unknown subcommand, an SLC list whose length is not a multiple of three,
/// or a FORWARDMASK mask longer than 32 bytes.
/// Also a MODE without its mask, a DO/DONT/WILL/WONT not followed by FORWARDMASK, and a mask
/// after DONT, WILL or WONT.
pub fn decode(payload: &[u8]) -> Result<Linemode, DecodeError> {
    let (&subcommand, rest) = payload.split_first().ok_or(error("empty payload"))?;
    match subcommand {
        MODE => decode_mode(rest),
        SLC => decode_slc(rest),
        DO | DONT | WILL | WONT => decode_forwardmask(subcommand, rest),
        _ => Err(error("unknown subcommand")),
    }
}

/// `MODE <mask>`: the bytes after MODE.
fn decode_mode(rest: &[u8]) -> Result<Linemode, DecodeError> {
    rest.first()
        .map(|&mask| Linemode::Mode(mask))
        .ok_or(error("MODE without a mask"))
}

/// `SLC <triplets>`: the bytes after SLC.
fn decode_slc(rest: &[u8]) -> Result<Linemode, DecodeError> {
    if rest.len() % 3 != 0 {
        return Err(error("SLC length not a multiple of three"));
    }
    let triplets = rest
        .chunks_exact(3)
        .filter_map(|chunk| match *chunk {
            [func, flags, value] => Some(SlcTriplet::new(func, flags, value)),
            _ => None,
        })
        .collect();
    Ok(Linemode::Slc(triplets))
}

/// `<command> FORWARDMASK [mask]`: the bytes after the command.
fn decode_forwardmask(command: u8, rest: &[u8]) -> Result<Linemode, DecodeError> {
    let (&subcommand, mask) = rest
        .split_first()
        .ok_or(error("DO/DONT/WILL/WONT without FORWARDMASK"))?;
    if subcommand != FORWARDMASK {
        return Err(error("DO/DONT/WILL/WONT not followed by FORWARDMASK"));
    }
    if command != DO && !mask.is_empty() {
        return Err(error("FORWARDMASK mask without DO"));
    }
    if mask.len() > MAX_FORWARDMASK {
        return Err(error("FORWARDMASK longer than 32 bytes"));
    }
    Ok(Linemode::Forwardmask {
        command,
        mask: mask.to_vec(),
    })
}

/// The BSD default entry of `func` (telnetlib3's `BSD_SLC_TAB`): codes it does not list, and
/// codes beyond [`NSLC`], are NOSUPPORT with no character.
const fn bsd_entry(func: u8) -> SlcTriplet {
    let (flags, value) = match func {
        SLC_SYNCH | SLC_BRK | SLC_EOR => (SLC_DEFAULT, 0),
        SLC_IP => (VARIABLE_FLUSH_BOTH, 0x03),
        SLC_AO => (SLC_VARIABLE | SLC_FLUSHOUT, 0x0f),
        SLC_AYT => (SLC_VARIABLE, 0x14),
        SLC_ABORT => (VARIABLE_FLUSH_BOTH, 0x1c),
        SLC_EOF => (SLC_VARIABLE, 0x04),
        SLC_SUSP => (SLC_VARIABLE | SLC_FLUSHIN, 0x1a),
        SLC_EC => (SLC_VARIABLE, 0x7f),
        SLC_EL => (SLC_VARIABLE, 0x15),
        SLC_EW => (SLC_VARIABLE, 0x17),
        SLC_RP => (SLC_VARIABLE, 0x12),
        SLC_LNEXT => (SLC_VARIABLE, 0x16),
        SLC_XON => (SLC_VARIABLE, 0x11),
        SLC_XOFF => (SLC_VARIABLE, 0x13),
        _ => (SLC_NOSUPPORT, SLC_NOCHAR),
    };
    SlcTriplet::new(func, flags, value)
}

/// Our answer for a function we do not support: `func NOSUPPORT 0`.
const fn not_supported(func: u8) -> SlcTriplet {
    SlcTriplet::new(func, SLC_NOSUPPORT, 0)
}

/// How a NOSUPPORT function is kept in the table: no character.
const fn disabled(func: u8) -> SlcTriplet {
    SlcTriplet::new(func, SLC_NOSUPPORT, SLC_NOCHAR)
}

/// Whether the peer's triplet says what our entry says: same level and value (any value when
/// both are NOSUPPORT).
const fn agrees(mine: SlcTriplet, theirs: SlcTriplet) -> bool {
    mine.level() == theirs.level()
        && (mine.value == theirs.value || theirs.level() == SLC_NOSUPPORT)
}

/// The SLC table of one side, and the RFC 1184 exchange that keeps both sides' tables in step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlcTable {
    entries: [SlcTriplet; NSLC as usize + 1],
}

impl SlcTable {
    /// The BSD default table telnetlib3 uses: EOF ^D, EC ^?, EL ^U, IP ^C, ABORT ^\, XON ^Q,
    /// XOFF ^S, EW ^W, RP ^R, LNEXT ^V, AO ^O, SUSP ^Z, AYT ^T, with telnetlib3's levels and
    /// flush flags; every other function NOSUPPORT.
    ///
    /// As in telnetlib3's `BSD_SLC_TAB`: all thirteen are SLC_VARIABLE; IP and ABORT also flush
    /// input and output, SUSP flushes input, AO flushes output; SYNCH, BRK and EOR are
    /// SLC_DEFAULT with value 0 (supported, no character of their own); the rest, FORW1 and
    /// FORW2 included, are SLC_NOSUPPORT with value [`SLC_NOCHAR`].
    #[must_use]
    pub fn bsd_default() -> Self {
        // Indexes run from 0 to NSLC (30), so the cast never truncates.
        Self {
            entries: std::array::from_fn(|func| bsd_entry(func as u8)),
        }
    }

    /// The entry for `func` (a NOSUPPORT triplet for codes beyond [`NSLC`]).
    #[must_use]
    pub fn get(&self, func: u8) -> SlcTriplet {
        self.entries
            .get(usize::from(func))
            .copied()
            .unwrap_or(disabled(func))
    }

    /// Every supported entry (level not NOSUPPORT), in function order: what a side sends to
    /// announce its table.
    #[must_use]
    pub fn supported(&self) -> Vec<SlcTriplet> {
        self.entries
            .iter()
            .skip(1)
            .filter(|entry| entry.level() != SLC_NOSUPPORT)
            .copied()
            .collect()
    }

    /// Processes triplets received from the peer per RFC 1184 section 5 and returns the triplets
    /// to send back (possibly none). Triplets with the ACK bit that match our entry are taken
    /// silently; a triplet with function 0 and level DEFAULT (or VARIABLE) asks for our whole
    /// table; changes we accept are acknowledged with ACK; values we cannot take are answered with
    /// our own entry.
    ///
    /// Each triplet is handled on its own, first matching rule wins:
    /// 1. Function 0: level DEFAULT resets the table to [`SlcTable::bsd_default`] and answers with
    ///    all of its [`supported`](SlcTable::supported) entries; level VARIABLE answers with the
    ///    current ones; any other level is ignored.
    /// 2. A function beyond [`NSLC`]: answered `func NOSUPPORT 0`, unless it said NOSUPPORT.
    /// 3. Same level and value as our entry (any value when both are NOSUPPORT): nothing, with or
    ///    without ACK.
    /// 4. ACK bit set but different from our entry: ignored (an ACK is never answered, which
    ///    keeps the exchange from looping).
    /// 5. A function the BSD table does not support: answered `func NOSUPPORT 0`, unless it said
    ///    NOSUPPORT.
    /// 6. Level NOSUPPORT (the peer cannot do it): we mark it NOSUPPORT and echo the triplet
    ///    with ACK.
    /// 7. Level DEFAULT: our entry goes back to its default, which is the answer; a function
    ///    whose default has no value (SYNCH, BRK, EOR) becomes NOSUPPORT instead, answered
    ///    `func NOSUPPORT 0`, so that two DEFAULTs do not bounce back and forth.
    /// 8. Our entry is CANTCHANGE: both CANTCHANGE with different values degenerates to
    ///    NOSUPPORT (answered `func NOSUPPORT 0`); otherwise the change is refused by answering
    ///    with our entry.
    /// 9. Otherwise the new value and level (and the peer's flush flags) are taken and the
    ///    triplet is echoed with ACK.
    pub fn receive(&mut self, triplets: &[SlcTriplet]) -> Vec<SlcTriplet> {
        let mut reply = Vec::new();
        for &triplet in triplets {
            self.receive_one(triplet, &mut reply);
        }
        reply
    }

    /// One triplet of [`SlcTable::receive`].
    fn receive_one(&mut self, theirs: SlcTriplet, reply: &mut Vec<SlcTriplet>) {
        if theirs.func == 0 {
            self.table_request(theirs.level(), reply);
            return;
        }
        let Some(mine) = self.entries.get(usize::from(theirs.func)).copied() else {
            reply.extend(Self::refuse_unsupported(theirs));
            return;
        };
        if agrees(mine, theirs) || theirs.flags & SLC_ACK != 0 {
            return;
        }
        if bsd_entry(theirs.func).level() == SLC_NOSUPPORT {
            reply.extend(Self::refuse_unsupported(theirs));
            return;
        }
        let answer = match theirs.level() {
            SLC_NOSUPPORT => self.accept(theirs),
            SLC_DEFAULT => self.reset_to_default(theirs.func),
            _ if mine.level() == SLC_CANTCHANGE => self.keep(mine, theirs),
            _ => self.accept(theirs),
        };
        reply.push(answer);
    }

    /// Rule 1: the peer asks for our whole table, `level` DEFAULT resetting it first.
    fn table_request(&mut self, level: u8, reply: &mut Vec<SlcTriplet>) {
        match level {
            SLC_DEFAULT => {
                *self = Self::bsd_default();
                reply.extend(self.supported());
            }
            SLC_VARIABLE => reply.extend(self.supported()),
            _ => {}
        }
    }

    /// Rules 2 and 5: the answer for a function we do not support, none if the peer agrees.
    fn refuse_unsupported(theirs: SlcTriplet) -> Option<SlcTriplet> {
        (theirs.level() != SLC_NOSUPPORT).then(|| not_supported(theirs.func))
    }

    /// Rules 6 and 9: takes the peer's triplet and returns it with ACK.
    fn accept(&mut self, theirs: SlcTriplet) -> SlcTriplet {
        let entry = if theirs.level() == SLC_NOSUPPORT {
            disabled(theirs.func)
        } else {
            SlcTriplet::new(theirs.func, theirs.flags & !SLC_ACK, theirs.value)
        };
        self.set(entry);
        SlcTriplet::new(theirs.func, theirs.flags | SLC_ACK, theirs.value)
    }

    /// Rule 7: back to the default entry, which is the answer.
    fn reset_to_default(&mut self, func: u8) -> SlcTriplet {
        let default = bsd_entry(func);
        if default.level() == SLC_DEFAULT {
            self.set(disabled(func));
            return not_supported(func);
        }
        self.set(default);
        default
    }

    /// Rule 8: our entry cannot change.
    fn keep(&mut self, mine: SlcTriplet, theirs: SlcTriplet) -> SlcTriplet {
        if theirs.level() == SLC_CANTCHANGE {
            self.set(disabled(mine.func));
            return not_supported(mine.func);
        }
        mine
    }

    /// Stores `entry` under its function code (codes beyond [`NSLC`] are not stored).
    fn set(&mut self, entry: SlcTriplet) {
        if let Some(slot) = self.entries.get_mut(usize::from(entry.func)) {
            *slot = entry;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telopt::{IAC, SB, SE};

    /// inetutils telnet's SLC payload, from `captures/inetutils-telnet_vs_inetutils-telnetd`.
    const INETUTILS_SLC: &str = "0301000003620304020f05000007621c08020409421a0a027f0b02150c0217\
                                 0d02120e02160f0211100213110000120000";

    fn hex(text: &str) -> Vec<u8> {
        let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
        digits
            .chunks(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
            .collect()
    }

    fn t(func: u8, flags: u8, value: u8) -> SlcTriplet {
        SlcTriplet::new(func, flags, value)
    }

    fn err(reason: &'static str) -> Result<Linemode, DecodeError> {
        Err(DecodeError::new(LINEMODE, reason))
    }

    #[test]
    fn mode_wire_bytes() {
        let mut out = Vec::new();
        encode_mode(MODE_EDIT | MODE_TRAPSIG, &mut out);
        assert_eq!(out, [IAC, SB, LINEMODE, MODE, 0x03, IAC, SE]);
        assert_eq!(decode(&out[3..out.len() - 2]), Ok(Linemode::Mode(0x03)));
        assert_eq!(
            decode(&[MODE, 0x07]),
            Ok(Linemode::Mode(MODE_EDIT | MODE_TRAPSIG | MODE_ACK))
        );
        assert_eq!(decode(&[MODE, 0x01, 0x99]), Ok(Linemode::Mode(MODE_EDIT)));
    }

    #[test]
    fn slc_round_trip_doubles_0xff() {
        let triplets = vec![
            t(SLC_EC, SLC_VARIABLE, 0x7f),
            t(SLC_EOF, SLC_VARIABLE | SLC_ACK, 0xff),
        ];
        let mut out = Vec::new();
        encode_slc(&triplets, &mut out);
        assert_eq!(
            out,
            [IAC, SB, LINEMODE, SLC, 10, 2, 0x7f, 8, 0x82, 0xff, 0xff, IAC, SE]
        );
        let payload = [SLC, 10, 2, 0x7f, 8, 0x82, 0xff];
        assert_eq!(decode(&payload), Ok(Linemode::Slc(triplets)));
        assert_eq!(decode(&[SLC]), Ok(Linemode::Slc(vec![])));
    }

    #[test]
    fn captured_slc_decodes() {
        let Ok(Linemode::Slc(triplets)) = decode(&hex(INETUTILS_SLC)) else {
            panic!("not an SLC list");
        };
        assert_eq!(triplets.len(), 16);
        assert_eq!(triplets[0], t(SLC_SYNCH, SLC_NOSUPPORT, 0));
        assert_eq!(triplets[1], t(SLC_IP, VARIABLE_FLUSH_BOTH, 0x03));
        assert_eq!(triplets[15], t(SLC_FORW2, SLC_NOSUPPORT, 0));
    }

    #[test]
    fn forwardmask_do_with_mask_and_wont_without() {
        let mut out = Vec::new();
        encode_forwardmask(DO, &[0x80, 0xff, 0x00], &mut out);
        assert_eq!(
            out,
            [
                IAC,
                SB,
                LINEMODE,
                DO,
                FORWARDMASK,
                0x80,
                0xff,
                0xff,
                0x00,
                IAC,
                SE
            ]
        );
        assert_eq!(
            decode(&[DO, FORWARDMASK, 0x80, 0xff, 0x00]),
            Ok(Linemode::Forwardmask {
                command: DO,
                mask: vec![0x80, 0xff, 0x00]
            })
        );
        out.clear();
        encode_forwardmask(WONT, &[], &mut out);
        assert_eq!(out, [IAC, SB, LINEMODE, WONT, FORWARDMASK, IAC, SE]);
        assert_eq!(
            decode(&[WONT, FORWARDMASK]),
            Ok(Linemode::Forwardmask {
                command: WONT,
                mask: vec![]
            })
        );
        let full = [[DO, FORWARDMASK].as_slice(), &[0xaa; 32]].concat();
        assert_eq!(
            decode(&full),
            Ok(Linemode::Forwardmask {
                command: DO,
                mask: vec![0xaa; 32]
            })
        );
    }

    #[test]
    fn decode_errors() {
        assert_eq!(decode(&[]), err("empty payload"));
        assert_eq!(decode(&[9, 1]), err("unknown subcommand"));
        assert_eq!(decode(&[MODE]), err("MODE without a mask"));
        assert_eq!(
            decode(&[SLC, 1, 2]),
            err("SLC length not a multiple of three")
        );
        assert_eq!(
            decode(&[SLC, 1, 2, 3, 4]),
            err("SLC length not a multiple of three")
        );
        assert_eq!(decode(&[DO]), err("DO/DONT/WILL/WONT without FORWARDMASK"));
        assert_eq!(
            decode(&[WILL, SLC]),
            err("DO/DONT/WILL/WONT not followed by FORWARDMASK")
        );
        assert_eq!(
            decode(&[DONT, FORWARDMASK, 1]),
            err("FORWARDMASK mask without DO")
        );
        let long = [[DO, FORWARDMASK].as_slice(), &[0; 33]].concat();
        assert_eq!(decode(&long), err("FORWARDMASK longer than 32 bytes"));
    }

    #[test]
    fn bsd_default_supported_list() {
        let fio = VARIABLE_FLUSH_BOTH;
        assert_eq!(
            SlcTable::bsd_default().supported(),
            vec![
                t(SLC_SYNCH, SLC_DEFAULT, 0),
                t(SLC_BRK, SLC_DEFAULT, 0),
                t(SLC_IP, fio, 0x03),
                t(SLC_AO, SLC_VARIABLE | SLC_FLUSHOUT, 0x0f),
                t(SLC_AYT, SLC_VARIABLE, 0x14),
                t(SLC_EOR, SLC_DEFAULT, 0),
                t(SLC_ABORT, fio, 0x1c),
                t(SLC_EOF, SLC_VARIABLE, 0x04),
                t(SLC_SUSP, SLC_VARIABLE | SLC_FLUSHIN, 0x1a),
                t(SLC_EC, SLC_VARIABLE, 0x7f),
                t(SLC_EL, SLC_VARIABLE, 0x15),
                t(SLC_EW, SLC_VARIABLE, 0x17),
                t(SLC_RP, SLC_VARIABLE, 0x12),
                t(SLC_LNEXT, SLC_VARIABLE, 0x16),
                t(SLC_XON, SLC_VARIABLE, 0x11),
                t(SLC_XOFF, SLC_VARIABLE, 0x13),
            ]
        );
    }

    #[test]
    fn get_covers_every_code() {
        let table = SlcTable::bsd_default();
        assert_eq!(table.get(SLC_EC), t(SLC_EC, SLC_VARIABLE, 0x7f));
        assert_eq!(
            table.get(SLC_FORW1),
            t(SLC_FORW1, SLC_NOSUPPORT, SLC_NOCHAR)
        );
        assert_eq!(table.get(NSLC), t(NSLC, SLC_NOSUPPORT, SLC_NOCHAR));
        assert_eq!(table.get(200), t(200, SLC_NOSUPPORT, SLC_NOCHAR));
    }

    #[test]
    fn rule_a_function_zero_asks_for_the_table() {
        let mut table = SlcTable::bsd_default();
        table.receive(&[t(SLC_EC, SLC_VARIABLE, 0x08)]);
        let current = table.supported();
        assert_eq!(table.receive(&[t(0, SLC_VARIABLE, 0)]), current);
        assert_eq!(table.get(SLC_EC).value, 0x08);

        let reply = table.receive(&[t(0, SLC_DEFAULT, 0)]);
        assert_eq!(table, SlcTable::bsd_default());
        assert_eq!(reply, SlcTable::bsd_default().supported());

        assert_eq!(table.receive(&[t(0, SLC_CANTCHANGE, 0)]), vec![]);
    }

    #[test]
    fn rule_b_agreement_and_acks_are_silent() {
        let mut table = SlcTable::bsd_default();
        assert_eq!(table.receive(&[t(SLC_EC, SLC_VARIABLE, 0x7f)]), vec![]);
        assert_eq!(
            table.receive(&[t(SLC_EC, SLC_VARIABLE | SLC_ACK, 0x7f)]),
            vec![]
        );
        // An ACK that does not match is ignored too, and changes nothing.
        assert_eq!(
            table.receive(&[t(SLC_EC, SLC_VARIABLE | SLC_ACK, 0x08)]),
            vec![]
        );
        assert_eq!(table, SlcTable::bsd_default());
        // NOSUPPORT agrees with NOSUPPORT whatever the value.
        assert_eq!(table.receive(&[t(SLC_FORW1, SLC_NOSUPPORT, 0)]), vec![]);
    }

    #[test]
    fn rule_c_unsupported_functions() {
        let mut table = SlcTable::bsd_default();
        assert_eq!(
            table.receive(&[t(SLC_FORW1, SLC_VARIABLE, 0x0a)]),
            vec![t(SLC_FORW1, SLC_NOSUPPORT, 0)]
        );
        assert_eq!(
            table.receive(&[t(40, SLC_VARIABLE, 0x0a)]),
            vec![t(40, SLC_NOSUPPORT, 0)]
        );
        assert_eq!(table.receive(&[t(40, SLC_NOSUPPORT, 0)]), vec![]);
        assert_eq!(table, SlcTable::bsd_default());
    }

    #[test]
    fn rule_d_changes_taken_or_refused() {
        let mut table = SlcTable::bsd_default();
        // A new value for a VARIABLE function is taken and acknowledged.
        assert_eq!(
            table.receive(&[t(SLC_EC, SLC_VARIABLE, 0x08)]),
            vec![t(SLC_EC, SLC_VARIABLE | SLC_ACK, 0x08)]
        );
        assert_eq!(table.get(SLC_EC), t(SLC_EC, SLC_VARIABLE, 0x08));
        // A peer that cannot change its value: taken, our entry is CANTCHANGE from now on.
        assert_eq!(
            table.receive(&[t(SLC_IP, SLC_CANTCHANGE, 0x7f)]),
            vec![t(SLC_IP, SLC_CANTCHANGE | SLC_ACK, 0x7f)]
        );
        // Our entry CANTCHANGE: a change is answered with our entry.
        assert_eq!(
            table.receive(&[t(SLC_IP, SLC_VARIABLE, 0x03)]),
            vec![t(SLC_IP, SLC_CANTCHANGE, 0x7f)]
        );
        assert_eq!(table.get(SLC_IP), t(SLC_IP, SLC_CANTCHANGE, 0x7f));
        // Both CANTCHANGE with different values degenerates to NOSUPPORT.
        assert_eq!(
            table.receive(&[t(SLC_IP, SLC_CANTCHANGE, 0x03)]),
            vec![t(SLC_IP, SLC_NOSUPPORT, 0)]
        );
        assert_eq!(table.get(SLC_IP).level(), SLC_NOSUPPORT);
        // A function with no default value (BRK) takes a value.
        assert_eq!(
            table.receive(&[t(SLC_BRK, SLC_VARIABLE, 0x1b)]),
            vec![t(SLC_BRK, SLC_VARIABLE | SLC_ACK, 0x1b)]
        );
    }

    #[test]
    fn rule_d_peer_nosupport_is_taken() {
        let mut table = SlcTable::bsd_default();
        assert_eq!(
            table.receive(&[t(SLC_AYT, SLC_NOSUPPORT, 0)]),
            vec![t(SLC_AYT, SLC_NOSUPPORT | SLC_ACK, 0)]
        );
        assert_eq!(table.get(SLC_AYT), t(SLC_AYT, SLC_NOSUPPORT, SLC_NOCHAR));
        assert!(!table.supported().iter().any(|entry| entry.func == SLC_AYT));
        // Later the peer offers it after all: we support it by default, so we take it.
        assert_eq!(
            table.receive(&[t(SLC_AYT, SLC_VARIABLE, 0x14)]),
            vec![t(SLC_AYT, SLC_VARIABLE | SLC_ACK, 0x14)]
        );
    }

    #[test]
    fn rule_e_default_level_restores_our_default() {
        let mut table = SlcTable::bsd_default();
        table.receive(&[t(SLC_EC, SLC_VARIABLE, 0x08)]);
        assert_eq!(
            table.receive(&[t(SLC_EC, SLC_DEFAULT, 0)]),
            vec![t(SLC_EC, SLC_VARIABLE, 0x7f)]
        );
        assert_eq!(table.get(SLC_EC), t(SLC_EC, SLC_VARIABLE, 0x7f));
        // Both at DEFAULT without a value: nothing to say.
        assert_eq!(table.receive(&[t(SLC_SYNCH, SLC_DEFAULT, 0)]), vec![]);
        // Our default has no value: NOSUPPORT rather than DEFAULT back.
        table.receive(&[t(SLC_SYNCH, SLC_VARIABLE, 0x01)]);
        assert_eq!(table.get(SLC_SYNCH), t(SLC_SYNCH, SLC_VARIABLE, 0x01));
        assert_eq!(
            table.receive(&[t(SLC_SYNCH, SLC_DEFAULT, 0)]),
            vec![t(SLC_SYNCH, SLC_NOSUPPORT, 0)]
        );
        assert_eq!(table.get(SLC_SYNCH).level(), SLC_NOSUPPORT);
    }

    #[test]
    fn inetutils_table_needs_two_acks() {
        let Ok(Linemode::Slc(triplets)) = decode(&hex(INETUTILS_SLC)) else {
            panic!("not an SLC list");
        };
        let mut table = SlcTable::bsd_default();
        assert_eq!(
            table.receive(&triplets),
            vec![
                t(SLC_SYNCH, SLC_NOSUPPORT | SLC_ACK, 0),
                t(SLC_AYT, SLC_NOSUPPORT | SLC_ACK, 0)
            ]
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn any_triplet() -> impl Strategy<Value = SlcTriplet> {
            (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(f, fl, v)| t(f, fl, v))
        }

        proptest! {
            #[test]
            fn decode_never_panics(payload in proptest::collection::vec(any::<u8>(), 0..64)) {
                let _ = decode(&payload);
            }

            #[test]
            fn slc_round_trips(triplets in proptest::collection::vec(any_triplet(), 0..16)) {
                let mut out = Vec::new();
                encode_slc(&triplets, &mut out);
                let mut payload = Vec::new();
                let mut body = out[3..out.len() - 2].iter().copied();
                while let Some(byte) = body.next() {
                    payload.push(byte);
                    if byte == IAC {
                        prop_assert_eq!(body.next(), Some(IAC));
                    }
                }
                prop_assert_eq!(decode(&payload), Ok(Linemode::Slc(triplets)));
            }

            #[test]
            fn exchange_settles(triplets in proptest::collection::vec(any_triplet(), 0..16)) {
                // Whatever the peer starts with, two tables answering each other fall silent.
                let mut sides = [SlcTable::bsd_default(), SlcTable::bsd_default()];
                let mut message = triplets;
                let mut rounds = 0;
                while !message.is_empty() {
                    prop_assert!(rounds < 6, "still talking: {:?}", message);
                    message = sides[rounds % 2].receive(&message);
                    rounds += 1;
                }
            }
        }
    }
}
