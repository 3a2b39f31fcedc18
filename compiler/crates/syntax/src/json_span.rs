//! Maps JSON pointers to byte ranges in JSON text.
//!
//! Takes the text of a JSON document and a pointer (`/a/0/b`); produces the
//! byte range of the value (or of a key) so schema violations point into the
//! file. Uses `jsonc-parser`'s AST, which keeps ranges. Never validates.

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};

fn unescape(seg: &str) -> String {
    seg.replace("~1", "/").replace("~0", "~")
}

fn prop_name<'a>(n: &'a ObjectPropName<'a>) -> &'a str {
    match n {
        ObjectPropName::String(s) => s.value.as_ref(),
        ObjectPropName::Word(w) => w.value,
    }
}

/// Byte range of the value at `pointer`, or of the key `key` inside it when given.
/// Falls back to the deepest value that exists.
pub fn locate(text: &str, pointer: &str, key: Option<&str>) -> Option<(usize, usize)> {
    let parsed = parse_to_ast(text, &CollectOptions::default(), &ParseOptions::default()).ok()?;
    let mut cur = parsed.value?;
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .filter(|s| !pointer.is_empty() || !s.is_empty())
        .map(unescape)
        .collect();
    for seg in segments {
        let next = match cur {
            Value::Object(ref o) => o
                .properties
                .iter()
                .find(|p| prop_name(&p.name) == seg)
                .map(|p| p.value.clone()),
            Value::Array(ref a) => seg
                .parse::<usize>()
                .ok()
                .and_then(|i| a.elements.get(i).cloned()),
            _ => None,
        };
        match next {
            Some(v) => cur = v,
            None => break,
        }
    }
    if let (Some(k), Value::Object(o)) = (key, &cur)
        && let Some(p) = o.properties.iter().find(|p| prop_name(&p.name) == k)
    {
        let r = p.name.range();
        return Some((r.start, r.end));
    }
    let r = cur.range();
    // Point at the first line of large values (objects, arrays).
    let end = match cur {
        Value::Object(_) | Value::Array(_) => (r.start + 1).min(r.end),
        _ => r.end,
    };
    Some((r.start, end))
}

/// Byte offset of a 1-based line and column (as serde_json reports them).
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut off = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col_bytes: usize = l
                .chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf8)
                .sum();
            return (off + col_bytes).min(text.len());
        }
        off += l.len();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values_and_keys() {
        let t = "{\n  \"a\": {\"b\": [1, \"x\"]},\n  \"c\": true\n}";
        let (s, e) = locate(t, "/a/b/1", None).unwrap();
        assert_eq!(&t[s..e], "\"x\"");
        let (s, e) = locate(t, "", Some("c")).unwrap();
        assert_eq!(&t[s..e], "\"c\"");
        let (s, e) = locate(t, "/a/missing", None).unwrap();
        assert_eq!(&t[s..e], "{");
    }
}
