//! LINEMODE (RFC 1184): MODE with ACK, SLC (special line characters) and FORWARDMASK.

use crate::protocol::DecodeError;

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
pub const MODE_MASK: u8 = 0x1f;

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

/// Appends `IAC SB LINEMODE MODE <mask> IAC SE`.
pub fn encode_mode(mask: u8, out: &mut Vec<u8>) {
    todo!("{mask}{out:?}")
}

/// Appends `IAC SB LINEMODE SLC <triplets> IAC SE` (a value 0xFF is doubled).
pub fn encode_slc(triplets: &[SlcTriplet], out: &mut Vec<u8>) {
    todo!("{triplets:?}{out:?}")
}

/// Appends `IAC SB LINEMODE <command> FORWARDMASK [mask] IAC SE`.
pub fn encode_forwardmask(command: u8, mask: &[u8], out: &mut Vec<u8>) {
    todo!("{command}{mask:?}{out:?}")
}

/// Decodes a LINEMODE payload.
///
/// # Errors
/// An empty payload, an unknown subcommand, an SLC list whose length is not a multiple of three,
/// or a FORWARDMASK mask longer than 32 bytes.
pub fn decode(payload: &[u8]) -> Result<Linemode, DecodeError> {
    todo!("{payload:?}")
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
    #[must_use]
    pub fn bsd_default() -> Self {
        todo!()
    }

    /// The entry for `func` (a NOSUPPORT triplet for codes beyond [`NSLC`]).
    #[must_use]
    pub fn get(&self, func: u8) -> SlcTriplet {
        todo!("{func}{:?}", self.entries)
    }

    /// Every supported entry (level not NOSUPPORT), in function order: what a side sends to
    /// announce its table.
    #[must_use]
    pub fn supported(&self) -> Vec<SlcTriplet> {
        todo!()
    }

    /// Processes triplets received from the peer per RFC 1184 section 5 and returns the triplets
    /// to send back (possibly none). Triplets with the ACK bit that match our entry are taken
    /// silently; a triplet with function 0 and level DEFAULT (or VARIABLE) asks for our whole
    /// table; changes we accept are acknowledged with ACK; values we cannot take are answered with
    /// our own entry.
    pub fn receive(&mut self, triplets: &[SlcTriplet]) -> Vec<SlcTriplet> {
        todo!("{triplets:?}")
    }
}
