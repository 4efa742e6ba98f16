//! `expect()`'s patterns and the match it returns, and Python's `repr()` of bytes for `msg`.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::ops::Range;

use regex::bytes::{Captures, Regex, RegexBuilder};

use crate::error::{Error, Result};

/// A pattern [`Telnet::expect`](super::Telnet::expect) accepts: a compiled
/// [`regex::bytes::Regex`] (used as it is, like Python's compiled `re.Pattern`), or the source of
/// one as text or bytes (compiled with [`compile_pattern`], like the uncompiled strings Python's
/// `expect` passes to `re.compile`).
pub trait ExpectPattern {
    /// The compiled regular expression.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the source is not a valid pattern.
    fn to_regex(&self) -> Result<Cow<'_, Regex>>;
}

impl ExpectPattern for Regex {
    fn to_regex(&self) -> Result<Cow<'_, Regex>> {
        Ok(Cow::Borrowed(self))
    }
}

impl ExpectPattern for str {
    fn to_regex(&self) -> Result<Cow<'_, Regex>> {
        compile_pattern(self.as_bytes()).map(Cow::Owned)
    }
}

impl ExpectPattern for String {
    fn to_regex(&self) -> Result<Cow<'_, Regex>> {
        compile_pattern(self.as_bytes()).map(Cow::Owned)
    }
}

impl ExpectPattern for [u8] {
    fn to_regex(&self) -> Result<Cow<'_, Regex>> {
        compile_pattern(self).map(Cow::Owned)
    }
}

impl<const N: usize> ExpectPattern for [u8; N] {
    fn to_regex(&self) -> Result<Cow<'_, Regex>> {
        compile_pattern(self).map(Cow::Owned)
    }
}

impl ExpectPattern for Vec<u8> {
    fn to_regex(&self) -> Result<Cow<'_, Regex>> {
        compile_pattern(self).map(Cow::Owned)
    }
}

impl<T: ExpectPattern + ?Sized> ExpectPattern for &T {
    fn to_regex(&self) -> Result<Cow<'_, Regex>> {
        (**self).to_regex()
    }
}

/// Compiles the source of a Python *bytes* pattern (`re.compile(b"...")`) into a
/// [`regex::bytes::Regex`] that matches the same way as far as the two syntaxes agree.
///
/// Unicode mode is off, as for Python bytes patterns: `.` matches any byte but `\n`, `\w`, `\d`
/// and `\s` are ASCII classes, and every byte of the source that is not ASCII stands for itself
/// (so `b"\xff"` written as raw bytes matches the byte `0xFF`, and a UTF-8 sequence matches its
/// bytes one by one, `+` repeating only the last, as in Python). A pattern can turn Unicode back
/// on with `(?u)`. What the `regex` crate does not have (backreferences, look-around, `\Z`
/// — use `\z`) is rejected; `$` matches only at the very end, not before a final `\n`.
///
/// # Errors
///
/// [`Error::Config`] naming the pattern and what is wrong with it.
pub fn compile_pattern(pattern: &[u8]) -> Result<Regex> {
    let mut source = String::with_capacity(pattern.len());
    // Whether the previous character is a backslash that escapes the next one.
    let mut escaping = false;
    for &byte in pattern {
        if byte.is_ascii() {
            source.push(char::from(byte));
            escaping = byte == b'\\' && !escaping;
        } else {
            // `\` + a non-ASCII byte is that byte, literally, in Python: fold it into `\xHH`.
            let _ = write!(source, "{}x{byte:02X}", if escaping { "" } else { "\\" });
            escaping = false;
        }
    }
    RegexBuilder::new(&source)
        .unicode(false)
        .build()
        .map_err(|err| {
            Error::config_with(
                format!("invalid expect pattern {}", python_bytes_repr(pattern)),
                err,
            )
        })
}

/// What one of [`Telnet::expect`](super::Telnet::expect)'s patterns matched: Python's
/// `re.Match`, with the groups copied out as owned bytes.
///
/// Offsets are into the text `expect` returned (which is what the match was searched in, up to
/// the end of the match), exactly like `m.start()` and `m.end()` in Python.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectMatch {
    text: Vec<u8>,
    spans: Vec<Option<Range<usize>>>,
    names: Vec<Option<String>>,
}

impl ExpectMatch {
    pub(crate) fn new(regex: &Regex, caps: &Captures<'_>, text: &[u8]) -> Self {
        let end = caps.get(0).map_or(0, |m| m.end());
        ExpectMatch {
            text: text[..end].to_vec(),
            spans: caps.iter().map(|g| g.map(|m| m.range())).collect(),
            names: regex
                .capture_names()
                .map(|name| name.map(str::to_owned))
                .collect(),
        }
    }

    /// The whole match, `m.group(0)`.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.group(0).unwrap_or_default()
    }

    /// Where the match starts, `m.start()`.
    #[must_use]
    pub fn start(&self) -> usize {
        self.range().start
    }

    /// Where the match ends, `m.end()`: the length of the text `expect` returned.
    #[must_use]
    pub fn end(&self) -> usize {
        self.range().end
    }

    /// `m.span()` as a range.
    #[must_use]
    pub fn range(&self) -> Range<usize> {
        self.group_range(0).unwrap_or(0..0)
    }

    /// Group `index` (0 is the whole match), `m.group(index)`: `None` when the group did not
    /// take part in the match or does not exist.
    #[must_use]
    pub fn group(&self, index: usize) -> Option<&[u8]> {
        self.group_range(index).map(|r| &self.text[r])
    }

    /// Where group `index` matched, `m.span(index)`.
    #[must_use]
    pub fn group_range(&self, index: usize) -> Option<Range<usize>> {
        self.spans.get(index).cloned().flatten()
    }

    /// The named group `name`, `m.group("name")`.
    #[must_use]
    pub fn name(&self, name: &str) -> Option<&[u8]> {
        let index = self.names.iter().position(|n| n.as_deref() == Some(name))?;
        self.group(index)
    }

    /// Groups 1 and up, `m.groups()`.
    #[must_use]
    pub fn groups(&self) -> Vec<Option<&[u8]>> {
        (1..self.spans.len()).map(|i| self.group(i)).collect()
    }

    /// The number of groups including group 0 (`m.re.groups + 1`).
    #[must_use]
    pub fn captures_len(&self) -> usize {
        self.spans.len()
    }
}

/// Python's `repr()` of a bytes object (`b'recv\r\n'`), which telnetlib's debug messages print.
pub(crate) fn python_bytes_repr(bytes: &[u8]) -> String {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::with_capacity(bytes.len() + 3);
    out.push('b');
    out.push(char::from(quote));
    for &byte in bytes {
        match byte {
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\\' => out.push_str("\\\\"),
            _ if byte == quote => {
                out.push('\\');
                out.push(char::from(byte));
            }
            0x20..=0x7e => out.push(char::from(byte)),
            _ => {
                let _ = write!(out, "\\x{byte:02x}");
            }
        }
    }
    out.push(char::from(quote));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_matches_python() {
        assert_eq!(python_bytes_repr(b""), "b''");
        assert_eq!(python_bytes_repr(b"xxx"), "b'xxx'");
        assert_eq!(python_bytes_repr(b"a\r\n\t\\"), r"b'a\r\n\t\\'");
        assert_eq!(python_bytes_repr(b"it's"), r#"b"it's""#);
        assert_eq!(python_bytes_repr(b"'\""), r#"b'\'"'"#);
        assert_eq!(python_bytes_repr(b"\xff\x00\x7f"), r"b'\xff\x00\x7f'");
    }

    #[test]
    fn patterns_are_bytes_patterns() {
        // `.` matches any byte (but \n), like a Python bytes pattern.
        let re = compile_pattern(b"a.c").unwrap();
        assert!(re.is_match(b"a\xffc"));
        assert!(!re.is_match(b"a\nc"));
        // Raw non-ASCII bytes stand for themselves, escaped or not.
        let re = compile_pattern(b"x\xff+").unwrap();
        assert_eq!(re.find(b"--x\xff\xff--").unwrap().range(), 2..5);
        let re = compile_pattern(b"\\\xff").unwrap();
        assert!(re.is_match(b"\xff"));
        let re = compile_pattern(b"\\\\\xff").unwrap();
        assert!(re.is_match(b"\\\xff"));
        // Classes are ASCII.
        assert!(!compile_pattern(b"^\\w$").unwrap().is_match("é".as_bytes()));
        // UTF-8 text is matched byte for byte.
        assert!(compile_pattern("né".as_bytes())
            .unwrap()
            .is_match("dîné".as_bytes()));
        assert!(matches!(
            compile_pattern(b"(unclosed"),
            Err(Error::Config(_))
        ));
    }

    #[test]
    fn match_groups() {
        let re = Regex::new(r"(?P<user>\w+)@(\w+)?(x)?").unwrap();
        let text = b"mail: joe@host ...";
        let caps = re.captures(text).unwrap();
        let m = ExpectMatch::new(&re, &caps, text);
        assert_eq!(m.as_bytes(), b"joe@host");
        assert_eq!(m.range(), 6..14);
        assert_eq!((m.start(), m.end()), (6, 14));
        assert_eq!(m.name("user"), Some(&b"joe"[..]));
        assert_eq!(m.name("nope"), None);
        assert_eq!(
            m.groups(),
            vec![Some(&b"joe"[..]), Some(&b"host"[..]), None]
        );
        assert_eq!(m.captures_len(), 4);
        assert_eq!(m.group(9), None);
    }
}
