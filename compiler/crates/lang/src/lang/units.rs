//! Units: sizes, durations and CPU quantities as written in specs.
//!
//! Takes strings such as `"24GiB"`, `"7d"` or `"500m"`; produces integers
//! (bytes, seconds, millicores) or an error message naming what is wrong.
//! Never rounds silently: a size that is not a whole number of bytes is an error.

/// Binary and decimal size suffixes, longest first so `GiB` wins over `B`.
const SIZE_UNITS: &[(&str, u64)] = &[
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
    ("PiB", 1 << 50),
    ("kB", 1_000),
    ("KB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("TB", 1_000_000_000_000),
    ("PB", 1_000_000_000_000_000),
    ("B", 1),
];

/// Parses a size such as `"24GiB"`, `"500MB"`, `"1.5GiB"` or `"1024B"` into
/// bytes. A number without a unit is an error: `"64"` is never silently bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num = num.replace('_', "");
    if num.is_empty() {
        return Err(format!("`{s}` has no number"));
    }
    let unit = unit.trim();
    let mult = if unit.is_empty() {
        return Err(format!(
            "`{s}` has no unit: write \"{num}GiB\", \"{num}MB\" or, for bytes, \"{num}B\""
        ));
    } else {
        match SIZE_UNITS.iter().find(|(u, _)| *u == unit) {
            Some((_, m)) => *m,
            None => {
                return Err(format!(
                    "`{unit}` is not a size unit (use B, KiB, MiB, GiB, TiB, kB, MB, GB or TB)"
                ));
            }
        }
    };
    let (int_part, frac_part) = match num.split_once('.') {
        Some((i, f)) => (i, f),
        None => (num.as_str(), ""),
    };
    if frac_part.contains('.') || int_part.is_empty() && frac_part.is_empty() {
        return Err(format!("`{s}` is not a number"));
    }
    let int: u64 = if int_part.is_empty() {
        0
    } else {
        int_part
            .parse()
            .map_err(|_| format!("`{s}` is too large or not a number"))?
    };
    let whole = int
        .checked_mul(mult)
        .ok_or_else(|| format!("`{s}` is too large"))?;
    if frac_part.is_empty() {
        return Ok(whole);
    }
    // Fraction: exact integer arithmetic, must land on a whole byte.
    let digits = u32::try_from(frac_part.len()).map_err(|_| format!("`{s}` is too long"))?;
    let denom = 10u128
        .checked_pow(digits)
        .ok_or_else(|| format!("`{s}` has too many decimals"))?;
    let frac: u128 = frac_part
        .parse()
        .map_err(|_| format!("`{s}` is not a number"))?;
    let scaled = frac * u128::from(mult);
    if !scaled.is_multiple_of(denom) {
        return Err(format!("`{s}` is not a whole number of bytes"));
    }
    let extra = u64::try_from(scaled / denom).map_err(|_| format!("`{s}` is too large"))?;
    whole
        .checked_add(extra)
        .ok_or_else(|| format!("`{s}` is too large"))
}

/// Formats bytes with the largest binary unit that divides them exactly.
pub fn format_size(bytes: u64) -> String {
    for (unit, mult) in [
        ("TiB", 1u64 << 40),
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
    ] {
        if bytes >= mult && bytes.is_multiple_of(mult) {
            return format!("{}{unit}", bytes / mult);
        }
    }
    format!("{bytes}B")
}

/// Formats bytes for people, e.g. `23.5 GiB`.
pub fn human_size(bytes: u64) -> String {
    let gib = 1u64 << 30;
    if bytes >= gib {
        let tenths = (u128::from(bytes) * 10 + u128::from(gib) / 2) / u128::from(gib);
        if tenths % 10 == 0 {
            format!("{} GiB", tenths / 10)
        } else {
            format!("{}.{} GiB", tenths / 10, tenths % 10)
        }
    } else {
        format_size(bytes)
    }
}

/// Parses a duration such as `"7d"`, `"12h"`, `"30m"`, `"45s"` or `"1h30m"` into seconds.
pub fn parse_duration(s: &str) -> Result<u64, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty duration".to_string());
    }
    let mut total: u64 = 0;
    let mut num = String::new();
    let mut saw_unit = false;
    for c in t.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let mult = match c {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => {
                return Err(format!(
                    "`{c}` is not a duration unit (use s, m, h, d or w, e.g. \"7d\" or \"1h30m\")"
                ));
            }
        };
        if num.is_empty() {
            return Err(format!("`{s}`: unit `{c}` has no number before it"));
        }
        let n: u64 = num.parse().map_err(|_| format!("`{s}` is too large"))?;
        total = n
            .checked_mul(mult)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("`{s}` is too large"))?;
        num.clear();
        saw_unit = true;
    }
    if !num.is_empty() {
        return Err(format!(
            "`{s}` ends in a number without a unit (write e.g. \"{num}s\")"
        ));
    }
    if !saw_unit {
        return Err(format!("`{s}` is not a duration"));
    }
    Ok(total)
}

/// Formats seconds compactly, e.g. `604800` → `7d`.
pub fn format_duration(secs: u64) -> String {
    for (unit, mult) in [("w", 604_800u64), ("d", 86_400), ("h", 3_600), ("m", 60)] {
        if secs >= mult && secs.is_multiple_of(mult) {
            return format!("{}{unit}", secs / mult);
        }
    }
    format!("{secs}s")
}

/// Parses a CPU quantity (`"2"`, `"1.5"`, `"500m"`) into millicores.
pub fn parse_cpu(s: &str) -> Result<u64, String> {
    let t = s.trim();
    if let Some(m) = t.strip_suffix('m') {
        return m
            .parse::<u64>()
            .map_err(|_| format!("`{s}` is not a CPU quantity (e.g. \"2\", \"1.5\" or \"500m\")"));
    }
    let (i, f) = t.split_once('.').unwrap_or((t, ""));
    if f.len() > 3 || (i.is_empty() && f.is_empty()) {
        return Err(format!(
            "`{s}` is not a CPU quantity (at most three decimals, e.g. \"1.5\" or \"500m\")"
        ));
    }
    let whole: u64 = if i.is_empty() {
        0
    } else {
        i.parse()
            .map_err(|_| format!("`{s}` is not a CPU quantity (e.g. \"2\", \"1.5\" or \"500m\")"))?
    };
    let mut frac = 0u64;
    if !f.is_empty() {
        let padded = format!("{f:0<3}");
        frac = padded
            .parse()
            .map_err(|_| format!("`{s}` is not a CPU quantity"))?;
    }
    whole
        .checked_mul(1000)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(|| format!("`{s}` is too large"))
}

/// Formats millicores the way Kubernetes does: whole cores as `"2"`, else `"1500m"`.
pub fn format_cpu(milli: u64) -> String {
    if milli.is_multiple_of(1000) {
        format!("{}", milli / 1000)
    } else {
        format!("{milli}m")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("24GiB"), Ok(24 << 30));
        assert_eq!(parse_size("500MB"), Ok(500_000_000));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("1024B"), Ok(1024));
        assert!(parse_size("1024").is_err());
        assert!(parse_size("24 gigs").is_err());
        assert!(parse_size("GiB").is_err());
        assert!(parse_size("1.1B").is_err());
        assert!(parse_size("99999999999PiB").is_err());
        assert_eq!(format_size(24 << 30), "24GiB");
        assert_eq!(format_size(1000), "1000B");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("7d"), Ok(604_800));
        assert_eq!(parse_duration("1h30m"), Ok(5_400));
        assert!(parse_duration("7").is_err());
        assert!(parse_duration("7y").is_err());
        assert_eq!(format_duration(604_800), "1w");
        assert_eq!(format_duration(90), "90s");
    }

    #[test]
    fn cpus() {
        assert_eq!(parse_cpu("2"), Ok(2000));
        assert_eq!(parse_cpu("1.5"), Ok(1500));
        assert_eq!(parse_cpu("500m"), Ok(500));
        assert!(parse_cpu("1.2345").is_err());
        assert!(parse_cpu("two").is_err());
        assert_eq!(format_cpu(1500), "1500m");
        assert_eq!(format_cpu(2000), "2");
    }
}
