//! MSSP (option 70): `VAR name VAL value` pairs; a name with several `VAL`s has a list.

use indexmap::IndexMap;

use super::decode_text;
use crate::encoding::Codec;

/// `MSSP_VAR`: a variable name follows.
pub const VAR: u8 = 1;
/// `MSSP_VAL`: a value follows.
pub const VAL: u8 = 2;

/// Variables by name, in the order they first appeared.
pub type MsspTable = IndexMap<String, MsspValue>;

/// The value of one MSSP variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MsspValue {
    /// One value.
    One(String),
    /// Several values (a name followed by several `VAL`s, or repeated). A list of one
    /// encodes as, and so decodes to, [`MsspValue::One`]; an empty list encodes the name alone,
    /// which decodes to nothing.
    Many(Vec<String>),
}

impl From<&str> for MsspValue {
    fn from(s: &str) -> Self {
        MsspValue::One(s.to_owned())
    }
}

/// Appends the MSSP payload for `variables` to `out`.
pub fn encode(variables: &MsspTable, out: &mut Vec<u8>) {
    for (name, value) in variables {
        out.push(VAR);
        out.extend_from_slice(name.as_bytes());
        let values = match value {
            MsspValue::One(v) => std::slice::from_ref(v),
            MsspValue::Many(vs) => vs.as_slice(),
        };
        for v in values {
            out.push(VAL);
            out.extend_from_slice(v.as_bytes());
        }
    }
}

/// Decodes an MSSP payload. A `VAL` before any `VAR` is ignored, and so is a name without a
/// value; values for a name seen before are added to its list.
#[must_use]
pub fn decode(buf: &[u8], codec: Codec) -> MsspTable {
    let mut result = MsspTable::new();
    let mut current: Option<String> = None;
    let mut idx = 0;
    while idx < buf.len() {
        let marker = buf[idx];
        idx += 1;
        if marker != VAR && marker != VAL {
            continue;
        }
        let start = idx;
        while idx < buf.len() && buf[idx] != VAR && buf[idx] != VAL {
            idx += 1;
        }
        let text = decode_text(&buf[start..idx], codec);
        if marker == VAR {
            current = Some(text);
        } else if let Some(name) = &current {
            if let Some(entry) = result.get_mut(name) {
                let previous = std::mem::replace(entry, MsspValue::Many(Vec::new()));
                *entry = match previous {
                    MsspValue::One(first) => MsspValue::Many(vec![first, text]),
                    MsspValue::Many(mut list) => {
                        list.push(text);
                        MsspValue::Many(list)
                    }
                };
            } else {
                result.insert(name.clone(), MsspValue::One(text));
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_pairs() {
        let vars: MsspTable = [
            ("NAME", MsspValue::from("Mini MUD")),
            ("PLAYERS", MsspValue::from("3")),
            ("PORT", MsspValue::Many(vec!["6023".into(), "6024".into()])),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let wire = b"\x01NAME\x02Mini MUD\x01PLAYERS\x023\x01PORT\x026023\x026024";
        let mut out = Vec::new();
        encode(&vars, &mut out);
        assert_eq!(out, wire);
        assert_eq!(decode(wire, Codec::utf8()), vars);
    }

    #[test]
    fn odd_input() {
        let u = Codec::utf8();
        let got = decode(b"x\x02lost\x01A\x01B\x02b\x01B\x02c\x02d\x01A", u);
        let want: MsspTable = [(
            "B".to_owned(),
            MsspValue::Many(vec!["b".into(), "c".into(), "d".into()]),
        )]
        .into_iter()
        .collect();
        assert_eq!(got, want);
        assert_eq!(decode(b"", u), MsspTable::new());
        assert_eq!(decode(b"\x01N\x02\xe9", u)["N"], MsspValue::from("\u{e9}"));
    }
}
