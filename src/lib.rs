//! telnetlib3: telnet for Rust.
#![deny(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]

pub mod protocol;
pub mod telopt;
