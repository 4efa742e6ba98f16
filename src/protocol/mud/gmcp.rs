//! GMCP (option 201): `Package.Name`, then optionally a space and JSON.
//!
//! The encoder writes JSON as Python's `json.dumps(data, separators=(",", ":"))` does: no
//! spaces, object keys in insertion order, every character above U+007E escaped as `\uXXXX`
//! (surrogate pairs above U+FFFF), and floats in Python's `repr` form (`1e+16`, `1.5e-07`,
//! `2.0`). Differences from telnetlib3's `json.loads`: `NaN` and `Infinity` are rejected, and
//! integers beyond 64 bits become floats.

use std::io;

use serde_json::ser::Formatter;
use serde_json::Value;

use super::{decode_text, MudError};
use crate::encoding::Codec;

/// Appends the GMCP payload for `package` and, when given, `data` to `out`.
///
/// `None` writes the package alone, as telnetlib3 does for `data=None`; `Some(Value::Null)`
/// writes `Package null`, which telnetlib3 cannot send (both decode the same there).
pub fn encode(package: &str, data: Option<&Value>, out: &mut Vec<u8>) {
    out.extend_from_slice(package.as_bytes());
    if let Some(data) = data {
        out.push(b' ');
        write_json(data, out);
    }
}

/// Appends `value` as compact JSON, escaped and formatted as Python's `json.dumps` does.
pub fn write_json(value: &Value, out: &mut Vec<u8>) {
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, PythonFormatter);
    // Writing a `Value` into a `Vec` fails on nothing: map keys are strings already.
    let _ = serde::Serialize::serialize(value, &mut ser);
}

/// Decodes a GMCP payload into its package name and its data (`None` when there is none).
///
/// The package is everything before the first space; the rest, decoded and with surrounding
/// whitespace removed, is JSON unless empty.
///
/// # Errors
/// [`MudError::Json`] when the data is not valid JSON.
pub fn decode(buf: &[u8], codec: Codec) -> Result<(String, Option<Value>), MudError> {
    let Some(space) = buf.iter().position(|&b| b == b' ') else {
        return Ok((decode_text(buf, codec), None));
    };
    let package = decode_text(&buf[..space], codec);
    let text = decode_text(&buf[space + 1..], codec);
    let text = text.trim_matches(is_python_space);
    if text.is_empty() {
        return Ok((package, None));
    }
    serde_json::from_str(text)
        .map(|data| (package, Some(data)))
        .map_err(|e| MudError::Json(e.to_string()))
}

/// Python's `str.isspace`, which `str.strip()` trims.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// serde_json's compact output with Python's `ensure_ascii` escapes and float `repr`.
struct PythonFormatter;

impl Formatter for PythonFormatter {
    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        writer.write_all(python_float(value).as_bytes())
    }

    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        self.write_f64(writer, f64::from(value))
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if c < '\x7f' {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// A finite float as Python's `repr` writes it: the shortest digits that read back exactly,
/// positional from 1e-4 up to 1e16, otherwise `d.ddde+XX`.
fn python_float(value: f64) -> String {
    if !value.is_finite() {
        return "null".to_owned();
    }
    let sci = format!("{value:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1;
        let body = if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else {
            let point = point as usize;
            if digits.len() <= point {
                format!("{digits}{}.0", "0".repeat(point - digits.len()))
            } else {
                format!("{}.{}", &digits[..point], &digits[point..])
            }
        };
        format!("{sign}{body}")
    } else {
        let frac = &digits[1..];
        let dot = if frac.is_empty() { "" } else { "." };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{}{dot}{frac}e{esign}{:02}", &digits[..1], exp.abs())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn enc(package: &str, data: Option<Value>) -> Vec<u8> {
        let mut out = Vec::new();
        encode(package, data.as_ref(), &mut out);
        out
    }

    #[test]
    fn encodes_as_python_json_dumps() {
        assert_eq!(enc("Core.Ping", None), b"Core.Ping");
        assert_eq!(
            enc(
                "Core.Hello",
                Some(json!({"client": "telnetlib3", "version": "5.0.1"}))
            ),
            b"Core.Hello {\"client\":\"telnetlib3\",\"version\":\"5.0.1\"}"
        );
        assert_eq!(
            enc("Core.Supports.Set", Some(json!(["Char 1", "Room 1"]))),
            b"Core.Supports.Set [\"Char 1\",\"Room 1\"]"
        );
        // Insertion order, not sorted.
        assert_eq!(
            enc("A", Some(json!({"b": 1, "a": null}))),
            b"A {\"b\":1,\"a\":null}"
        );
        assert_eq!(
            enc("A", Some(json!("caf\u{e9} \u{1f600}\u{7f}\n\u{1}"))),
            b"A \"caf\\u00e9 \\ud83d\\ude00\\u007f\\n\\u0001\""
        );
        assert_eq!(
            enc("A", Some(json!([true, false, -3, 1.0]))),
            b"A [true,false,-3,1.0]"
        );
    }

    #[test]
    fn floats_as_python_repr() {
        for (v, s) in [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (123456.789, "123456.789"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.25e100, "1.25e+100"),
            (-2.5e-300, "-2.5e-300"),
        ] {
            assert_eq!(python_float(v), s, "{v}");
        }
    }

    #[test]
    fn decodes() {
        let u = Codec::utf8();
        assert_eq!(decode(b"Core.Ping", u), Ok(("Core.Ping".into(), None)));
        assert_eq!(decode(b"Core.Ping ", u), Ok(("Core.Ping".into(), None)));
        assert_eq!(decode(b"Core.Ping  \t ", u), Ok(("Core.Ping".into(), None)));
        assert_eq!(
            decode(b"Char.Vitals {\"hp\":10,\"mp\":[1,2]}", u),
            Ok(("Char.Vitals".into(), Some(json!({"hp": 10, "mp": [1, 2]}))))
        );
        assert_eq!(decode(b"A  \"x\" ", u), Ok(("A".into(), Some(json!("x")))));
        assert_eq!(decode(b"", u), Ok((String::new(), None)));
        // Malformed UTF-8 falls back to Latin-1.
        assert_eq!(
            decode(b"Caf\xe9 \"\xe9\"", u),
            Ok(("Caf\u{e9}".into(), Some(json!("\u{e9}"))))
        );
        assert!(matches!(decode(b"A {", u), Err(MudError::Json(_))));
        assert!(matches!(decode(b"A NaN", u), Err(MudError::Json(_))));
    }
}
