//! Aardwolf's option 102: a channel byte and its data.

/// One Aardwolf message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aardwolf {
    /// The channel's name: telnetlib3's name for 100–108, `0xNN` for other bytes, `unknown`
    /// for an empty payload.
    pub channel: String,
    /// The channel byte (0 for an empty payload).
    pub channel_byte: u8,
    /// The bytes after the channel byte.
    pub data: Vec<u8>,
}

/// The name telnetlib3 gives a channel byte, for 100–108.
#[must_use]
pub fn channel_name(byte: u8) -> Option<&'static str> {
    Some(match byte {
        100 => "status",
        101 => "tick",
        102 => "affect",
        103 => "group",
        104 => "skill",
        105 => "quest",
        106 => "spell",
        107 => "stat",
        108 => "message",
        _ => return None,
    })
}

/// Appends the payload for `channel_byte` and `data` to `out`.
pub fn encode(channel_byte: u8, data: &[u8], out: &mut Vec<u8>) {
    out.push(channel_byte);
    out.extend_from_slice(data);
}

/// Decodes an Aardwolf payload.
#[must_use]
pub fn decode(buf: &[u8]) -> Aardwolf {
    let Some((&channel_byte, data)) = buf.split_first() else {
        return Aardwolf {
            channel: "unknown".to_owned(),
            channel_byte: 0,
            data: Vec::new(),
        };
    };
    let channel =
        channel_name(channel_byte).map_or_else(|| format!("0x{channel_byte:02x}"), str::to_owned);
    Aardwolf {
        channel,
        channel_byte,
        data: data.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors() {
        let m = decode(b"\x65\x01");
        assert_eq!(
            (m.channel.as_str(), m.channel_byte, m.data),
            ("tick", 101, vec![1])
        );
        assert_eq!(decode(b"\x6c").channel, "message");
        assert_eq!(decode(b"\x0a\x01\x02").channel, "0x0a");
        assert_eq!(decode(b"").channel, "unknown");
        let mut out = Vec::new();
        encode(100, b"\x03", &mut out);
        assert_eq!(out, b"\x64\x03");
    }
}
