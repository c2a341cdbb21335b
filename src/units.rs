//! Units as the spec defines them. In VM specs and inventories `MB`, `GB`, `TB` are MiB,
//! GiB, TiB (as vSphere and RVTools use them); in Kubernetes quantities every suffix keeps
//! its Kubernetes meaning (`1G` = 10^9 bytes, `1Gi` = 2^30 bytes).

use crate::node::{Node, Value};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// A VM size (memory, disk) in GiB. A bare number is GiB.
pub fn vm_size_gib(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let (num, unit) = split_number(t).ok_or_else(|| format!("`{text}` is not a size"))?;
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "g" | "gb" | "gib" => 1.0,
        "k" | "kb" | "kib" => 1.0 / (1024.0 * 1024.0),
        "m" | "mb" | "mib" => 1.0 / 1024.0,
        "t" | "tb" | "tib" => 1024.0,
        "p" | "pb" | "pib" => 1024.0 * 1024.0,
        "b" | "bytes" => 1.0 / GIB,
        other => {
            return Err(format!(
                "`{text}`: unknown unit `{other}` (use MB, GB, TB or MiB, GiB, TiB)"
            ));
        }
    };
    let v = num * factor;
    if v < 0.0 {
        return Err(format!("`{text}` is negative"));
    }
    plausible(v, text)
}

/// No machine, disk or estate is larger than an exbibyte: a figure above it is a typo or
/// hostile input, and would drown every total it is added to.
const MAX_SIZE_GIB: f64 = 1024.0 * 1024.0 * 1024.0;

fn plausible(gib: f64, text: &str) -> Result<f64, String> {
    if gib > MAX_SIZE_GIB {
        return Err(format!(
            "`{text}` is larger than 1 EiB: not a machine's size"
        ));
    }
    Ok(gib)
}

/// A VM size from a YAML node: numbers are GiB, text is parsed with its unit.
pub fn vm_size_node_gib(node: &Node) -> Result<f64, String> {
    match &node.value {
        Value::Int(_) | Value::Float(_) => {
            let v = node.as_f64().ok_or("not a finite number")?;
            if v < 0.0 {
                Err(format!("`{}` is negative", node.display_text()))
            } else {
                plausible(v, &node.display_text())
            }
        }
        Value::Str(s) => vm_size_gib(s),
        _ => Err(format!("`{}` is not a size", node.display_text())),
    }
}

/// A percentage as a fraction: `45%` and `45` are both 0.45.
pub fn percent(node: &Node) -> Result<f64, String> {
    let v = match &node.value {
        Value::Int(_) | Value::Float(_) => node.as_f64().ok_or("not a finite number")?,
        Value::Str(s) => {
            let t = s.trim().trim_end_matches('%').trim();
            t.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .ok_or_else(|| format!("`{s}` is not a percentage"))?
        }
        _ => return Err(format!("`{}` is not a percentage", node.display_text())),
    };
    if v < 0.0 {
        return Err(format!("`{}` is not a percentage", node.display_text()));
    }
    check_percent(v, &node.display_text())?;
    Ok(v / 100.0)
}

// Values read from a file are checked against what a machine can be before they reach a
// total: a typo or a hostile file must not invent a finding or drown an estate's figures.

/// The most vCPUs one machine has (the largest VMs and partitions have well under this).
pub const MAX_VCPU: f64 = 4096.0;
/// The most memory one machine has, in GiB (64 TiB).
pub const MAX_MEMORY_GIB: f64 = 64.0 * 1024.0;
/// The highest monthly price of a catalog entry.
pub const MAX_PRICE_PER_MONTH: f64 = 1e9;

/// A percentage of a machine (utilisation) is between 0 and 100.
pub fn check_percent(v: f64, text: &str) -> Result<f64, String> {
    if (0.0..=100.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "`{text}` is not a percentage between 0 and 100 (allowed: 0-100%)"
        ))
    }
}

/// vCPUs of one machine: at most [`MAX_VCPU`].
pub fn check_vcpu(v: f64, text: &str) -> Result<f64, String> {
    if v <= MAX_VCPU {
        Ok(v)
    } else {
        Err(format!(
            "`{text}` vCPUs is more than a machine has (allowed: up to 4,096)"
        ))
    }
}

/// Memory of one machine, in GiB: more than 0 (`zero`: whether 0 is allowed, as for a
/// measured demand), at most 64 TiB.
pub fn check_memory_gib(gib: f64, text: &str, zero: bool) -> Result<f64, String> {
    if gib == 0.0 && !zero {
        Err(format!(
            "`{text}` is no memory: a machine has some (allowed: above 0 up to 64 TiB)"
        ))
    } else if gib > MAX_MEMORY_GIB {
        Err(format!(
            "`{text}` is more memory than a machine has (allowed: up to 64 TiB)"
        ))
    } else {
        Ok(gib)
    }
}

/// The largest size anything may have, in GiB (1 EiB): a disk, a storage figure.
pub fn check_size_gib(gib: f64, text: &str) -> Result<f64, String> {
    plausible(gib, text)
}

/// A Kubernetes quantity in base units (cores for CPU, bytes for memory).
pub fn k8s_quantity(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let (num, unit) = split_number(t).ok_or_else(|| format!("`{text}` is not a quantity"))?;
    let factor = match unit {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => GIB,
        "Ti" => GIB * 1024.0,
        "Pi" => GIB * 1024.0 * 1024.0,
        "Ei" => GIB * 1024.0 * 1024.0 * 1024.0,
        other => return Err(format!("`{text}`: unknown quantity suffix `{other}`")),
    };
    Ok(num * factor)
}

/// A Kubernetes memory or storage quantity in GiB.
pub fn k8s_quantity_gib(text: &str) -> Result<f64, String> {
    k8s_quantity(text).map(|b| b / GIB)
}

/// Splits `12.5GB` into (12.5, "GB"); accepts exponents (`1e3`) and a space before the unit.
fn split_number(t: &str) -> Option<(f64, &str)> {
    let bytes = t.as_bytes();
    let mut end = 0;
    let mut seen_digit = false;
    while end < bytes.len() {
        let c = bytes[end];
        let ok = c.is_ascii_digit()
            || c == b'.'
            || ((c == b'-' || c == b'+') && (end == 0 || matches!(bytes[end - 1], b'e' | b'E')))
            || ((c == b'e' || c == b'E')
                && seen_digit
                && bytes
                    .get(end + 1)
                    .is_some_and(|n| n.is_ascii_digit() || *n == b'-' || *n == b'+'));
        if !ok {
            break;
        }
        seen_digit |= c.is_ascii_digit();
        end += 1;
    }
    if !seen_digit {
        return None;
    }
    let num: f64 = t[..end].parse().ok()?;
    if !num.is_finite() {
        return None;
    }
    Some((num, t[end..].trim_start()))
}

/// The percentile of utilisation samples taken as demand unless `--percentile` says
/// otherwise (Azure Migrate's default).
pub const DEFAULT_PERCENTILE: f64 = 95.0;

/// The value at percentile `p` (1..=100) of `samples`, by the nearest-rank method; None for
/// no finite samples.
pub fn percentile(samples: &[f64], p: f64) -> Option<f64> {
    let mut v: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let rank = ((p.clamp(0.0, 100.0) / 100.0) * v.len() as f64).ceil() as usize;
    Some(v[rank.clamp(1, v.len()) - 1])
}

/// (year, month, day) -> days since 1970-01-01, proleptic Gregorian (Howard Hinnant's
/// algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds since 1970-01-01 UTC, now; `SOURCE_DATE_EPOCH` (the reproducible-builds
/// convention) pins it, so that a report written again over the same inputs is the same.
pub fn now_seconds() -> i64 {
    let pinned = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok());
    pinned.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    })
}

/// Days since 1970-01-01 -> (year, month, day), the inverse of [`days_from_civil`].
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_sizes_use_binary_units() {
        assert_eq!(vm_size_gib("128GB"), Ok(128.0));
        assert_eq!(vm_size_gib("300 GB"), Ok(300.0));
        assert_eq!(vm_size_gib("1TB"), Ok(1024.0));
        assert_eq!(vm_size_gib("1 TiB"), Ok(1024.0));
        assert_eq!(vm_size_gib("512MB"), Ok(0.5));
        assert_eq!(vm_size_gib("2048 MiB"), Ok(2.0));
        assert_eq!(vm_size_gib("64"), Ok(64.0));
        assert_eq!(vm_size_gib("1.5tb"), Ok(1536.0));
        assert!(vm_size_gib("-4GB").is_err());
        assert!(vm_size_gib("lots").is_err());
        assert!(vm_size_gib("4 parsecs").is_err());
        assert!(vm_size_gib("").is_err());
    }

    #[test]
    fn percentages_accept_sign_or_not() {
        assert_eq!(percent(&Node::str("45%", 0)), Ok(0.45));
        assert_eq!(percent(&Node::int(45, 0)), Ok(0.45));
        assert_eq!(percent(&Node::str(" 12.5 % ", 0)), Ok(0.125));
        assert!(percent(&Node::str("-3%", 0)).is_err());
        assert!(percent(&Node::str("NaN%", 0)).is_err());
    }

    #[test]
    fn kubernetes_quantities_keep_their_meaning() {
        assert_eq!(k8s_quantity("500m"), Ok(0.5));
        assert_eq!(k8s_quantity("2"), Ok(2.0));
        assert_eq!(k8s_quantity("1G"), Ok(1e9));
        assert_eq!(k8s_quantity("1Gi"), Ok(GIB));
        assert_eq!(k8s_quantity("128Mi"), Ok(128.0 * 1024.0 * 1024.0));
        assert_eq!(k8s_quantity("1e3"), Ok(1000.0));
        assert_eq!(k8s_quantity("100k"), Ok(100_000.0));
        assert_eq!(k8s_quantity_gib("512Mi"), Ok(0.5));
        assert!(k8s_quantity("12parsecs").is_err());
        assert!(k8s_quantity("Gi").is_err());
    }
}
