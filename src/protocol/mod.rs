//! The sans-IO telnet protocol core.

mod error;
pub mod options;

pub use error::{DecodeError, ProtocolError, Warning};
