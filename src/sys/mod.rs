//! The crate's one module that calls libc directly: poll(2) and a wake pipe, child-exit
//! waits, signals, termios and the window size, and the PTY. Everything outside it is safe
//! code (`#![deny(unsafe_code)]` at the crate root); every `unsafe` block here carries a
//! `// SAFETY:` line.
#![allow(unsafe_code)]

mod child;
pub(crate) mod poll;
pub mod pty;
pub mod signal;
pub mod tty;
