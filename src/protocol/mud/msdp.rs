//! MSDP (option 69): variables whose values are text, tables or arrays, nested.
//!
//! `VAR name VAL value`, where a value is text, `TABLE_OPEN (VAR name VAL value)* TABLE_CLOSE`
//! or `ARRAY_OPEN (VAL value)* ARRAY_CLOSE`. The decoder follows telnetlib3's `MsdpParser`
//! step for step, so a payload it reads gives the same result here, with two differences: a
//! byte telnetlib3 would loop on forever (a `VAL` or `ARRAY_CLOSE` where a table expects `VAR`,
//! a `VAR` or `TABLE_CLOSE` where an array expects a value) is skipped, and nesting deeper
//! than [`MAX_DEPTH`] is an error rather than Python's `RecursionError`.

use indexmap::IndexMap;

use super::{decode_text, MudError};
use crate::encoding::Codec;

/// `MSDP_VAR`: a variable name follows.
pub const VAR: u8 = 1;
/// `MSDP_VAL`: a value follows.
pub const VAL: u8 = 2;
/// `MSDP_TABLE_OPEN`.
pub const TABLE_OPEN: u8 = 3;
/// `MSDP_TABLE_CLOSE`.
pub const TABLE_CLOSE: u8 = 4;
/// `MSDP_ARRAY_OPEN`.
pub const ARRAY_OPEN: u8 = 5;
/// `MSDP_ARRAY_CLOSE`.
pub const ARRAY_CLOSE: u8 = 6;

/// How many tables and arrays may nest inside each other.
pub const MAX_DEPTH: usize = 64;

/// Variables by name, in the order they first appeared; a repeated name keeps its place and
/// takes the later value (a Python `dict`).
pub type MsdpTable = IndexMap<String, MsdpValue>;

/// One MSDP value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MsdpValue {
    /// Text.
    Text(String),
    /// A table of named values.
    Table(MsdpTable),
    /// An array of values.
    Array(Vec<MsdpValue>),
}

impl From<&str> for MsdpValue {
    fn from(s: &str) -> Self {
        MsdpValue::Text(s.to_owned())
    }
}

impl From<String> for MsdpValue {
    fn from(s: String) -> Self {
        MsdpValue::Text(s)
    }
}

impl MsdpValue {
    /// The text, for a [`MsdpValue::Text`].
    #[must_use]
    pub fn as_text(&self) -> Option<&str> {
        match self {
            MsdpValue::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// Appends the MSDP payload for `variables` to `out`.
pub fn encode(variables: &MsdpTable, out: &mut Vec<u8>) {
    for (name, value) in variables {
        out.push(VAR);
        out.extend_from_slice(name.as_bytes());
        out.push(VAL);
        encode_value(value, out);
    }
}

fn encode_value(value: &MsdpValue, out: &mut Vec<u8>) {
    match value {
        MsdpValue::Text(s) => out.extend_from_slice(s.as_bytes()),
        MsdpValue::Table(table) => {
            out.push(TABLE_OPEN);
            encode(table, out);
            out.push(TABLE_CLOSE);
        }
        MsdpValue::Array(items) => {
            out.push(ARRAY_OPEN);
            for item in items {
                out.push(VAL);
                encode_value(item, out);
            }
            out.push(ARRAY_CLOSE);
        }
    }
}

/// Decodes an MSDP payload into its variables.
///
/// # Errors
/// [`MudError::TooDeep`] when tables and arrays nest deeper than [`MAX_DEPTH`].
pub fn decode(buf: &[u8], codec: Codec) -> Result<MsdpTable, MudError> {
    let mut p = Parser { buf, idx: 0, codec };
    let mut result = MsdpTable::new();
    while p.idx < buf.len() {
        if buf[p.idx] == VAR {
            p.idx += 1;
            let key = p.read_key();
            if p.peek() == Some(VAL) {
                p.idx += 1;
                let value = p.value(0)?;
                result.insert(key, value);
            }
        } else {
            p.idx += 1;
        }
    }
    Ok(result)
}

struct Parser<'a> {
    buf: &'a [u8],
    idx: usize,
    codec: Codec,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.buf.get(self.idx).copied()
    }

    fn read_until(&mut self, stop: &[u8]) -> String {
        let start = self.idx;
        while self.peek().is_some_and(|b| !stop.contains(&b)) {
            self.idx += 1;
        }
        decode_text(&self.buf[start..self.idx], self.codec)
    }

    fn read_key(&mut self) -> String {
        self.read_until(&[VAL, VAR])
    }

    fn value(&mut self, depth: usize) -> Result<MsdpValue, MudError> {
        let opener = self.peek();
        if matches!(opener, Some(TABLE_OPEN | ARRAY_OPEN)) {
            if depth >= MAX_DEPTH {
                return Err(MudError::TooDeep { limit: MAX_DEPTH });
            }
            self.idx += 1;
        }
        Ok(match opener {
            Some(TABLE_OPEN) => MsdpValue::Table(self.table(depth + 1)?),
            Some(ARRAY_OPEN) => MsdpValue::Array(self.array(depth + 1)?),
            _ => MsdpValue::Text(self.read_until(&[VAR, VAL, TABLE_CLOSE, ARRAY_CLOSE])),
        })
    }

    fn table(&mut self, depth: usize) -> Result<MsdpTable, MudError> {
        let mut table = MsdpTable::new();
        while let Some(b) = self.peek().filter(|&b| b != TABLE_CLOSE) {
            self.idx += 1;
            if b == VAR {
                let key = self.read_key();
                if self.peek() == Some(VAL) {
                    self.idx += 1;
                }
                let value = self.value(depth)?;
                table.insert(key, value);
            }
        }
        if self.idx < self.buf.len() {
            self.idx += 1;
        }
        Ok(table)
    }

    fn array(&mut self, depth: usize) -> Result<Vec<MsdpValue>, MudError> {
        let mut array = Vec::new();
        while let Some(b) = self.peek().filter(|&b| b != ARRAY_CLOSE) {
            match b {
                VAL => self.idx += 1,
                VAR | TABLE_CLOSE => {
                    self.idx += 1;
                    continue;
                }
                _ => {}
            }
            array.push(self.value(depth)?);
        }
        if self.idx < self.buf.len() {
            self.idx += 1;
        }
        Ok(array)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> MsdpValue {
        MsdpValue::from(s)
    }

    fn table(entries: Vec<(&str, MsdpValue)>) -> MsdpTable {
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    }

    fn enc(vars: &MsdpTable) -> Vec<u8> {
        let mut out = Vec::new();
        encode(vars, &mut out);
        out
    }

    #[test]
    fn nested_tables_and_arrays() {
        let vars = table(vec![
            ("HEALTH", t("100")),
            (
                "ROOM",
                MsdpValue::Table(table(vec![
                    ("VNUM", t("6008")),
                    ("EXITS", MsdpValue::Table(table(vec![("n", t("6011"))]))),
                    (
                        "TAGS",
                        MsdpValue::Array(vec![t("a"), MsdpValue::Array(vec![])]),
                    ),
                ])),
            ),
            ("LIST", MsdpValue::Array(vec![t("x"), t("")])),
        ]);
        let wire = b"\x01HEALTH\x02100\x01ROOM\x02\x03\x01VNUM\x026008\x01EXITS\x02\x03\x01n\x026011\x04\x01TAGS\x02\x05\x02a\x02\x05\x06\x06\x04\x01LIST\x02\x05\x02x\x02\x06";
        assert_eq!(enc(&vars), wire);
        assert_eq!(decode(wire, Codec::utf8()), Ok(vars));
    }

    #[test]
    fn odd_input_as_telnetlib3_reads_it() {
        let u = Codec::utf8();
        // A name without a value is dropped; bytes outside VAR are skipped; a repeat replaces.
        assert_eq!(
            decode(b"xx\x01A\x01B\x02b\x01B\x02c", u),
            Ok(table(vec![("B", t("c"))]))
        );
        // A value at the end of the buffer is empty; unclosed tables close at the end.
        assert_eq!(decode(b"\x01A\x02", u), Ok(table(vec![("A", t(""))])));
        assert_eq!(
            decode(b"\x01A\x02\x03\x01k", u),
            Ok(table(vec![(
                "A",
                MsdpValue::Table(table(vec![("k", t(""))]))
            )]))
        );
        // An array value without VAL; opening bytes inside text.
        assert_eq!(
            decode(b"\x01A\x02\x05x\x06\x01B\x02y\x03z", u),
            Ok(table(vec![
                ("A", MsdpValue::Array(vec![t("x")])),
                ("B", t("y\x03z"))
            ]))
        );
        // Bytes telnetlib3 would loop on are skipped.
        assert_eq!(
            decode(b"\x01A\x02\x03\x02\x01k\x02v\x04", u),
            Ok(table(vec![(
                "A",
                MsdpValue::Table(table(vec![("k", t("v"))]))
            )]))
        );
        assert_eq!(
            decode(b"\x01A\x02\x05\x01\x04\x02v\x06", u),
            Ok(table(vec![("A", MsdpValue::Array(vec![t("v")]))]))
        );
    }

    #[test]
    fn depth_is_bounded() {
        let mut deep = b"\x01A\x02".to_vec();
        deep.extend(std::iter::repeat(ARRAY_OPEN).take(MAX_DEPTH));
        assert!(decode(&deep, Codec::utf8()).is_ok());
        deep.push(ARRAY_OPEN);
        assert_eq!(
            decode(&deep, Codec::utf8()),
            Err(MudError::TooDeep { limit: MAX_DEPTH })
        );
        let mut wire = b"\x01A\x02".to_vec();
        for _ in 0..100_000 {
            wire.extend_from_slice(b"\x03\x01k\x02\x05");
        }
        assert!(decode(&wire, Codec::utf8()).is_err());
    }
}
