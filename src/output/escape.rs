//! Text from a registry or a file, made safe for a terminal: control characters (C0, DEL, C1) and the
//! Unicode controls that reorder text (bidirectional overrides, as in "Trojan Source") are written as
//! escapes, so a name or an error message can neither drive the terminal (`ESC ]0;...BEL` sets its
//! title, `ESC [2J` clears it) nor split one output line into two. JSON output is not escaped here:
//! serde_json already writes such characters as `\u` escapes, and the values stay exact.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a character must not reach a terminal as it is.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200E}' | '\u{200F}' | '\u{061C}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character escaped: `\n`, `\r`, `\t`, `\x1b` for the rest of ASCII,
/// `\u{202e}` beyond it. Borrowed when there is nothing to escape, which is nearly always.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:04x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(escape("app:1.0 → fine"), Cow::Borrowed(_)));
    }

    #[test]
    fn terminal_sequences_and_line_breaks_are_escaped() {
        assert_eq!(
            escape("a\u{1b}]0;pwned\u{7}\u{1b}[2Jb\nc\r\td\u{7f}"),
            r"a\x1b]0;pwned\x07\x1b[2Jb\nc\r\td\x7f"
        );
        assert_eq!(escape("x\u{9b}31m"), r"x\u{009b}31m");
        assert_eq!(escape("abc\u{202e}fed"), r"abc\u{202e}fed");
    }

    #[test]
    fn nothing_unsafe_survives() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        let escaped = escape(&all);
        assert!(!escaped.chars().any(is_unsafe));
        assert_eq!(escaped.lines().count(), 1);
    }
}
