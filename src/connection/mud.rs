//! The MUD protocols on a connection: sending GMCP, MSDP, MSSP, ZMP, ATCP and EOR, and the last
//! GMCP and MSDP values received. Received messages also arrive as typed events on
//! [`Connection::events`] ([`Event::Gmcp`](crate::protocol::Event::Gmcp), `Msdp`, `Mssp`,
//! `Zmp`, `Atcp`, `Aardwolf`).

use serde_json::Value;

use super::Connection;
use crate::protocol::mud::{MsdpTable, MsdpValue, MsspTable};
#[allow(unused_imports)] // Named in the docs.
use crate::Error;
use crate::Result;

/// Sending fails with [`Error::Protocol`]
/// ([`ProtocolError::OptionNotEnabled`](crate::protocol::ProtocolError::OptionNotEnabled))
/// while the option is enabled on neither side. telnetlib3 drops such a message silently
/// instead; here the caller learns that it was not sent.
impl Connection {
    /// Sends a GMCP message: `package`, and `data` as compact JSON when given.
    ///
    /// ```no_run
    /// # let conn: telnetlib3::TelnetConnection = unimplemented!();
    /// conn.send_gmcp("Char.Vitals", Some(&serde_json::json!({"hp": 10})))?;
    /// # Ok::<(), telnetlib3::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Protocol`] unless GMCP is enabled; otherwise as [`write`](Self::write).
    pub fn send_gmcp(&self, package: &str, data: Option<&Value>) -> Result<()> {
        Ok(self.with_negotiator(|neg| neg.send_gmcp(package, data))??)
    }

    /// Sends MSDP variables.
    ///
    /// # Errors
    /// [`Error::Protocol`] unless MSDP is enabled; otherwise as [`write`](Self::write).
    pub fn send_msdp(&self, variables: &MsdpTable) -> Result<()> {
        Ok(self.with_negotiator(|neg| neg.send_msdp(variables))??)
    }

    /// Sends MSSP variables.
    ///
    /// # Errors
    /// [`Error::Protocol`] unless MSSP is enabled; otherwise as [`write`](Self::write).
    pub fn send_mssp(&self, variables: &MsspTable) -> Result<()> {
        Ok(self.with_negotiator(|neg| neg.send_mssp(variables))??)
    }

    /// Sends a ZMP command with its arguments.
    ///
    /// # Errors
    /// [`Error::Protocol`] unless ZMP is enabled; otherwise as [`write`](Self::write).
    pub fn send_zmp<S: AsRef<str>>(&self, command: &str, args: &[S]) -> Result<()> {
        Ok(self.with_negotiator(|neg| neg.send_zmp(command, args))??)
    }

    /// Sends an ATCP message.
    ///
    /// # Errors
    /// [`Error::Protocol`] unless ATCP is enabled; otherwise as [`write`](Self::write).
    pub fn send_atcp(&self, package: &str, value: &str) -> Result<()> {
        Ok(self.with_negotiator(|neg| neg.send_atcp(package, value))??)
    }

    /// Sends `IAC EOR`, marking the end of a record (a prompt).
    ///
    /// # Errors
    /// [`Error::Protocol`] unless the peer asked for EOR (`DO EOR`); otherwise as
    /// [`write`](Self::write).
    pub fn send_eor(&self) -> Result<()> {
        Ok(self.with_negotiator(|neg| neg.send_eor())??)
    }

    /// The data last received for a GMCP package (JSON `null` for a message without data; an
    /// object received after an object updates its keys, as telnetlib3's client keeps them).
    #[must_use]
    pub fn gmcp(&self, package: &str) -> Option<Value> {
        self.with_negotiator(|neg| neg.gmcp(package).cloned())
            .ok()
            .flatten()
    }

    /// The value last received for an MSDP variable.
    #[must_use]
    pub fn msdp(&self, variable: &str) -> Option<MsdpValue> {
        self.with_negotiator(|neg| neg.msdp(variable).cloned())
            .ok()
            .flatten()
    }
}
