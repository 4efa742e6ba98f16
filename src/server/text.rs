//! miniboa's text helpers: caret colour codes and word wrapping.

/// miniboa's caret codes.
const CARET_CODES: &[(char, &str)] = &[
    ('k', "\x1b[22;30m"),
    ('K', "\x1b[1;30m"),
    ('r', "\x1b[22;31m"),
    ('R', "\x1b[1;31m"),
    ('g', "\x1b[22;32m"),
    ('G', "\x1b[1;32m"),
    ('y', "\x1b[22;33m"),
    ('Y', "\x1b[1;33m"),
    ('b', "\x1b[22;34m"),
    ('B', "\x1b[1;34m"),
    ('m', "\x1b[22;35m"),
    ('M', "\x1b[1;35m"),
    ('c', "\x1b[22;36m"),
    ('C', "\x1b[1;36m"),
    ('w', "\x1b[22;37m"),
    ('W', "\x1b[1;37m"),
    ('0', "\x1b[40m"),
    ('1', "\x1b[41m"),
    ('2', "\x1b[42m"),
    ('3', "\x1b[43m"),
    ('4', "\x1b[44m"),
    ('5', "\x1b[45m"),
    ('6', "\x1b[46m"),
    ('d', "\x1b[39;49m"),
    ('I', "\x1b[7m"),
    ('i', "\x1b[27m"),
    ('~', "\x1b[0m"),
    ('U', "\x1b[4m"),
    ('u', "\x1b[24m"),
    ('!', "\x1b[1m"),
    ('.', "\x1b[22m"),
    ('s', "\x1b[2J"),
    ('l', "\x1b[2K"),
];

/// Turns miniboa caret codes into ANSI sequences (`^^` is a caret).
#[must_use]
pub fn colorize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '^' {
            out.push(c);
            continue;
        }
        match chars.clone().next() {
            Some('^') => {
                chars.next();
                out.push('^');
            }
            Some(code) => match CARET_CODES.iter().find(|(k, _)| *k == code) {
                Some((_, ansi)) => {
                    chars.next();
                    out.push_str(ansi);
                }
                None => out.push('^'),
            },
            None => out.push('^'),
        }
    }
    out
}

/// miniboa's `word_wrap`: paragraphs (split at blank lines) wrapped to `columns - padding`,
/// the first line of each indented by `indent` spaces, later ones by `padding`.
#[must_use]
pub fn word_wrap(text: &str, columns: usize, indent: usize, padding: usize) -> Vec<String> {
    let columns = columns.saturating_sub(padding);
    let mut lines = Vec::new();
    let normalised = text.replace("\r\n", "\n");
    for para in normalised.split("\n\n") {
        if para.trim().is_empty() {
            continue;
        }
        let mut line = " ".repeat(indent);
        for word in para.split_whitespace() {
            if line.chars().count() + 1 + word.chars().count() > columns {
                lines.push(line);
                line = " ".repeat(padding) + word;
            } else {
                line.push(' ');
                line.push_str(word);
            }
        }
        if !line.trim().is_empty() {
            lines.push(line);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_codes() {
        assert_eq!(
            colorize("^rred^~ and ^^ caret"),
            "\x1b[22;31mred\x1b[0m and ^ caret"
        );
        assert_eq!(colorize("^Bbold blue^d"), "\x1b[1;34mbold blue\x1b[39;49m");
        assert_eq!(colorize("100%^ ^z end^"), "100%^ ^z end^");
    }

    #[test]
    fn miniboa_word_wrap() {
        let lines = word_wrap("one two three four five six seven", 20, 4, 2);
        assert_eq!(lines, ["     one two three", "  four five six", "  seven"]);
        assert!(word_wrap("   \n\n  ", 80, 4, 2).is_empty());
    }
}
