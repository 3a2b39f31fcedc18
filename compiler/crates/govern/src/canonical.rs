//! Canonical JSON and digests, byte for byte as upstream Agent Machine computes them.
//!
//! Takes: a `serde_json::Value`.
//! Produces: the text Python writes with `json.dumps(v, sort_keys=True,
//! separators=(",", ":"))` (whose default `ensure_ascii=True` escapes every
//! character outside printable ASCII as `\uXXXX`, with surrogate pairs above
//! U+FFFF), and `sha256:<hex>` digests of it. This is upstream's
//! `stable_digest`; it is not RFC 8785 (JCS).
//! Never: depends on map insertion order (keys are sorted here, whatever
//! serde_json's map type), or formats floats differently from Python's
//! `repr` (shortest round-trip digits; exponent form below 1e-4 and from 1e16).
//! Known limit: integers outside i64/u64 arrive as f64 from serde_json, so
//! their text differs from Python's exact integers.

use std::fmt::Write as _;

use serde_json::Value;

/// The canonical text of a value.
pub fn to_string(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v);
    out
}

/// The indented form Python writes with `json.dumps(v, sort_keys=True,
/// indent=2)` (same escaping and number formatting as [`to_string`]), plus a
/// trailing newline: the format of every JSON document amc writes.
pub fn to_pretty(v: &Value) -> String {
    let mut out = String::new();
    write_pretty(&mut out, v, 0);
    out.push('\n');
    out
}

fn write_pretty(out: &mut String, v: &Value, depth: usize) {
    let pad = |out: &mut String, d: usize| {
        out.push('\n');
        for _ in 0..d {
            out.push_str("  ");
        }
    };
    match v {
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                pad(out, depth + 1);
                write_pretty(out, item, depth + 1);
            }
            pad(out, depth);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                pad(out, depth + 1);
                write_string(out, k);
                out.push_str(": ");
                if let Some(item) = map.get(*k) {
                    write_pretty(out, item, depth + 1);
                }
            }
            pad(out, depth);
            out.push('}');
        }
        other => write_value(out, other),
    }
}

/// `sha256:<64 hex>` of the canonical text of a value (upstream's `stable_digest`).
pub fn digest(v: &Value) -> String {
    amc_syntax::hash::sha256_prefixed(to_string(v).as_bytes())
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else if let Some(f) = n.as_f64() {
                out.push_str(&python_float(f));
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            // Python sorts str keys by code point; UTF-8 byte order is the same order.
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                if let Some(item) = map.get(*k) {
                    write_value(out, item);
                }
            }
            out.push('}');
        }
    }
}

/// Python's `ensure_ascii` string encoder.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Python's `repr(float)`: shortest round-trip digits, fixed notation when
/// the decimal exponent is in [-4, 16), else `d.ddde+XX`.
fn python_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `-1.2345e-7`.
    let sci = format!("{f:e}");
    let (neg, body) = match sci.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, sci.as_str()),
    };
    let (mantissa, exp) = body.split_once('e').unwrap_or((body, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = if digits.is_empty() {
        "0".to_string()
    } else {
        digits
    };
    // Value = 0.d1d2... × 10^decpt.
    let decpt = exp + 1;
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    if -4 < decpt && decpt <= 16 {
        let n = i32::try_from(digits.len()).unwrap_or(i32::MAX);
        if decpt <= 0 {
            s.push_str("0.");
            for _ in 0..(-decpt) {
                s.push('0');
            }
            s.push_str(&digits);
        } else if decpt >= n {
            s.push_str(&digits);
            for _ in 0..(decpt - n) {
                s.push('0');
            }
            s.push_str(".0");
        } else {
            let split = usize::try_from(decpt).unwrap_or(0);
            s.push_str(&digits[..split]);
            s.push('.');
            s.push_str(&digits[split..]);
        }
    } else {
        s.push_str(&digits[..1]);
        if digits.len() > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        let e = decpt - 1;
        let _ = write!(s, "e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values written by `testdata/gen_canonical.py` (Python 3).
    const VECTORS: &str = include_str!("testdata/canonical.json");

    #[test]
    fn reproduces_python_for_tricky_values() {
        let v: Value = serde_json::from_str(VECTORS).unwrap();
        let cases = v["tricky"].as_array().unwrap();
        assert!(cases.len() >= 15);
        for case in cases {
            let input: Value = serde_json::from_str(case["input"].as_str().unwrap()).unwrap();
            assert_eq!(
                to_string(&input),
                case["canonical"].as_str().unwrap(),
                "input {}",
                case["input"]
            );
            assert_eq!(digest(&input), case["digest"].as_str().unwrap());
        }
    }

    #[test]
    fn reproduces_upstream_digests_of_every_upstream_example() {
        let v: Value = serde_json::from_str(VECTORS).unwrap();
        let expected = v["upstream"].as_object().unwrap();
        assert_eq!(expected.len(), super::super::testdata::UPSTREAM.len());
        for (name, text) in super::super::testdata::UPSTREAM {
            let doc: Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                Some(digest(&doc).as_str()),
                expected[*name].as_str(),
                "{name}"
            );
        }
    }

    #[test]
    fn matches_the_pod_digest_upstream_notes_record() {
        // upstream-notes §3.1: the example pod digests to sha256:33fb3d…6414.
        let pod: Value = serde_json::from_str(super::super::testdata::get(
            "local-podman-llama-cpp.agent-pod.json",
        ))
        .unwrap();
        let d = digest(&pod);
        assert!(d.starts_with("sha256:33fb3d") && d.ends_with("6414"), "{d}");
    }

    #[test]
    fn pretty_matches_python_indent_2() {
        let v: Value = serde_json::from_str(r#"{"b":[1,{}],"a":{"é":[]}}"#).unwrap();
        // python3 -c 'import json;print(json.dumps({"b":[1,{}],"a":{"é":[]}},sort_keys=True,indent=2))'
        assert_eq!(
            to_pretty(&v),
            "{\n  \"a\": {\n    \"\\u00e9\": []\n  },\n  \"b\": [\n    1,\n    {}\n  ]\n}\n"
        );
    }

    #[test]
    fn python_float_repr() {
        for (f, want) in [
            (0.0, "0.0"),
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5e-7, "-2.5e-07"),
            (123.456, "123.456"),
        ] {
            assert_eq!(python_float(f), want, "{f}");
        }
    }
}
