//! Values as written to values as meant: strings (escapes, raw strings,
//! multi-line dedent), numbers and keywords, by the rules of KDL 2.0.
//!
//! Takes one value token's kind and text; gives its [`ValueKind`] or why it
//! is not a valid KDL value (message, label, help). Never sees the tree.

use super::ValueKind;
use super::kind::SyntaxKind;
use super::lexer::{is_newline_char, is_space, newline_len};

/// Why a token is not a valid value: message, label, help.
pub type Invalid = (String, &'static str, &'static str);

fn invalid(message: impl Into<String>, label: &'static str, help: &'static str) -> Invalid {
    (message.into(), label, help)
}

/// The value of a value token.
pub fn value(kind: SyntaxKind, text: &str) -> Result<ValueKind, Invalid> {
    match kind {
        SyntaxKind::NUMBER => number(text),
        SyntaxKind::KEYWORD => keyword(text),
        _ => string(kind, text).map(ValueKind::Str),
    }
}

/// The string a string token (identifier, quoted or raw) stands for.
pub fn string(kind: SyntaxKind, text: &str) -> Result<String, Invalid> {
    match kind {
        SyntaxKind::IDENT => identifier(text),
        SyntaxKind::STRING => {
            // An unterminated string (a half-typed buffer: the lexer has
            // reported it) reads as far as it goes.
            let body = text.strip_prefix('"').unwrap_or(text);
            unescape(body.strip_suffix('"').unwrap_or(body))
        }
        SyntaxKind::MULTILINE_STRING => {
            let body = text
                .strip_prefix("\"\"\"")
                .and_then(|t| t.strip_suffix("\"\"\""))
                .unwrap_or("");
            multi_line(body, true)
        }
        SyntaxKind::RAW_STRING | SyntaxKind::RAW_MULTILINE_STRING => {
            let hashes = text.chars().take_while(|c| *c == '#').count();
            let inner = text
                .get(hashes..text.len().saturating_sub(hashes))
                .unwrap_or("");
            if kind == SyntaxKind::RAW_MULTILINE_STRING {
                let body = inner
                    .strip_prefix("\"\"\"")
                    .and_then(|t| t.strip_suffix("\"\"\""))
                    .unwrap_or("");
                multi_line(body, false)
            } else {
                let body = inner
                    .strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .unwrap_or("");
                if body == "\"" {
                    return Err(invalid(
                        "Single-line raw strings cannot look like multi-line ones",
                        "triple quotes",
                        "Consider using a regular escaped string if all you want is a single quote: \"\\\"\"",
                    ));
                }
                Ok(body.to_string())
            }
        }
        _ => Err(invalid("expected a string", "not a string", "quote it")),
    }
}

/// The text of a value token as an editor shows it: the decoded string,
/// or for a string that does not decode (half-typed) its text without the
/// quotes; numbers and keywords as written.
pub fn lenient(kind: SyntaxKind, text: &str) -> String {
    if !kind.is_string() || kind == SyntaxKind::IDENT {
        return text.to_string();
    }
    string(kind, text).unwrap_or_else(|_| {
        text.trim_start_matches('#')
            .trim_start_matches('"')
            .trim_end_matches('#')
            .trim_end_matches('"')
            .to_string()
    })
}

fn identifier(text: &str) -> Result<String, Invalid> {
    if matches!(text, "true" | "false" | "null" | "inf" | "-inf" | "nan") {
        return Err(invalid(
            format!("`{text}` is a keyword, not an identifier: write `#{text}`, or quote it"),
            "reserved word",
            "KDL 2.0 spells its keywords with a `#`: #true, #false, #null, #inf, #-inf, #nan",
        ));
    }
    let rest = text.strip_prefix(['+', '-']).unwrap_or(text);
    if rest
        .strip_prefix('.')
        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    {
        return Err(invalid(
            format!("`{text}` looks like a number but is not one"),
            "invalid number",
            "write a digit before the point (`0.5`), or quote it if it is a string",
        ));
    }
    Ok(text.to_string())
}

/// Decodes the escapes of a single-line quoted string body.
fn unescape(body: &str) -> Result<String, Invalid> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('s') => out.push(' '),
            Some('u') => {
                if chars.next() != Some('{') {
                    return Err(bad_unicode());
                }
                let mut hex = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(h) if h.is_ascii_hexdigit() && hex.len() < 6 => hex.push(h),
                        _ => return Err(bad_unicode()),
                    }
                }
                let ch = u32::from_str_radix(&hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(bad_unicode)?;
                out.push(ch);
            }
            Some(w) if is_space(w) || is_newline_char(w) => {
                while chars
                    .peek()
                    .is_some_and(|c| is_space(*c) || is_newline_char(*c))
                {
                    chars.next();
                }
            }
            _ => {
                return Err(invalid(
                    "invalid escape in a string",
                    "unknown escape",
                    "KDL escapes are \\\" \\\\ \\b \\f \\n \\r \\t \\s and \\u{hex}; a `\\` before whitespace removes it",
                ));
            }
        }
    }
    Ok(out)
}

fn bad_unicode() -> Invalid {
    invalid(
        "invalid unicode escape",
        "not a code point",
        "write it \\u{…} with 1 to 6 hex digits naming a Unicode scalar value",
    )
}

/// Removes ws escapes (`\` and the whitespace after it) from a line of a
/// multi-line quoted string, so only the whitespace that counts is left.
fn strip_ws_escapes(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && chars
                .peek()
                .is_some_and(|c| is_space(*c) || is_newline_char(*c))
        {
            while chars
                .peek()
                .is_some_and(|c| is_space(*c) || is_newline_char(*c))
            {
                chars.next();
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// A multi-line string body (between the triple quotes): the opening
/// newline, the dedent by the closing line's whitespace, newlines
/// normalised to `\n`, and (quoted strings) escapes.
fn multi_line(body: &str, escapes: bool) -> Result<String, Invalid> {
    let Some(nl) = newline_len(body) else {
        return Err(invalid(
            "Multi-line string opening quotes must be immediately followed by a newline",
            "multi-line string newline",
            "start the text on the line after the opening quotes",
        ));
    };
    let body = &body[nl..];
    // Split into lines at the newlines that count: in a quoted string a
    // ws escape (`\` and the whitespace after it, newlines included)
    // swallows the newlines it spans.
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if escapes && c == '\\' {
            cur.push(c);
            if chars
                .peek()
                .is_some_and(|c| is_space(*c) || is_newline_char(*c))
            {
                while let Some(w) = chars.next_if(|c| is_space(*c) || is_newline_char(*c)) {
                    cur.push(w);
                }
            } else if let Some(n) = chars.next() {
                cur.push(n);
            }
        } else if is_newline_char(c) {
            if c == '\r' {
                chars.next_if_eq(&'\n');
            }
            lines.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    let last = cur;
    let clean = |s: &str| {
        if escapes {
            strip_ws_escapes(s)
        } else {
            s.to_string()
        }
    };
    let prefix = clean(&last);
    if !prefix.chars().all(is_space) {
        return Err(invalid(
            "missing multiline string closing quotes",
            "closing quotes not on their own line",
            "Multiline strings must be closed by '\"\"\"' on a standalone line, only prefixed by whitespace.",
        ));
    }
    let mut out = Vec::with_capacity(lines.len());
    for line in &lines {
        if clean(line).chars().all(is_space) {
            out.push(String::new());
            continue;
        }
        let Some(content) = line.strip_prefix(prefix.as_str()) else {
            return Err(invalid(
                "matching multiline string prefix",
                "bad prefix",
                "Multi-line string bodies must be prefixed by the exact same whitespace as the leading whitespace before the closing '\"\"\"'",
            ));
        };
        out.push(if escapes {
            unescape(content)?
        } else {
            content.to_string()
        });
    }
    Ok(out.join("\n"))
}

fn keyword(text: &str) -> Result<ValueKind, Invalid> {
    Ok(match text {
        "#true" => ValueKind::Bool(true),
        "#false" => ValueKind::Bool(false),
        "#null" => ValueKind::Null,
        "#inf" => ValueKind::Float(f64::INFINITY),
        "#-inf" => ValueKind::Float(f64::NEG_INFINITY),
        "#nan" => ValueKind::Float(f64::NAN),
        _ => {
            return Err(invalid(
                format!("`{text}` is not a KDL keyword"),
                "unknown keyword",
                "the keywords are #true, #false, #null, #inf, #-inf and #nan; quote it if it is a string",
            ));
        }
    })
}

fn digits(s: &str, ok: impl Fn(char) -> bool) -> bool {
    s.starts_with(&ok) && s.chars().all(|c| c == '_' || ok(c))
}

fn number(text: &str) -> Result<ValueKind, Invalid> {
    let bad = || {
        invalid(
            format!("`{text}` is not a valid number"),
            "invalid number",
            "numbers are decimal (1, -2.5, 1e3), hex (0x1f), octal (0o17) or binary (0b101); quote it if it is a string",
        )
    };
    let (neg, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(d) = unsigned.strip_prefix(prefix) {
            if !digits(d, |c| c.is_digit(radix)) {
                return Err(bad());
            }
            let clean: String = d.chars().filter(|c| *c != '_').collect();
            let v = i128::from_str_radix(&clean, radix).map_err(|_| too_big(text))?;
            return Ok(ValueKind::Int(if neg { -v } else { v }));
        }
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (mantissa, None),
    };
    let dec = |c: char| c.is_ascii_digit();
    if !digits(int, dec) || frac.is_some_and(|f| !digits(f, dec)) {
        return Err(bad());
    }
    if let Some(e) = exponent {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        if !digits(e, dec) {
            return Err(bad());
        }
    }
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    if frac.is_none() && exponent.is_none() {
        return clean
            .parse::<i128>()
            .map(ValueKind::Int)
            .map_err(|_| too_big(text));
    }
    clean
        .parse::<f64>()
        .map(ValueKind::Float)
        .map_err(|_| bad())
}

fn too_big(text: &str) -> Invalid {
    invalid(
        format!("`{text}` does not fit in 128 bits"),
        "too large",
        "no amc value needs a number this large",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use SyntaxKind::*;

    fn s(kind: SyntaxKind, text: &str) -> String {
        string(kind, text).unwrap()
    }

    #[test]
    fn strings_decode_by_the_kdl_rules() {
        assert_eq!(s(STRING, r#""a\tb\"\u{1F600}""#), "a\tb\"😀");
        assert_eq!(s(STRING, "\"a \\\n   b\""), "a b");
        assert_eq!(s(RAW_STRING, r##"#"C:\x"#"##), "C:\\x");
        assert_eq!(
            s(MULTILINE_STRING, "\"\"\"\n    a\n\n      b\n    \"\"\""),
            "a\n\n  b"
        );
        assert_eq!(
            s(RAW_MULTILINE_STRING, "#\"\"\"\n  x\\n\n  \"\"\"#"),
            "x\\n"
        );
        assert!(string(MULTILINE_STRING, "\"\"\"\n  a\n b\"\"\"").is_err());
        assert!(string(STRING, r#""\q""#).is_err());
        assert!(string(IDENT, "true").is_err());
        assert!(string(IDENT, ".5").is_err());
    }

    #[test]
    fn numbers_decode_by_the_kdl_rules() {
        assert_eq!(number("1_000").unwrap(), ValueKind::Int(1000));
        assert_eq!(number("-0x1f").unwrap(), ValueKind::Int(-31));
        assert_eq!(number("0b1010").unwrap(), ValueKind::Int(10));
        assert_eq!(number("1.5e3").unwrap(), ValueKind::Float(1500.0));
        assert_eq!(number("1e-2").unwrap(), ValueKind::Float(0.01));
        for bad in ["1abc", "0x", "1.", "1e", "0x_1", "1__.5x"] {
            assert!(number(bad).is_err(), "{bad}");
        }
        assert!(number("1000000000000000000000000000000000000000000").is_err());
    }
}
