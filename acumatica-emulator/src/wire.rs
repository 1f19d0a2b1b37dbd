//! Wire formats: JSON output that keeps decimal scale, date-times, and the HttpError body.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Timelike};
use rust_decimal::Decimal;
use serde_json::Value;

/// Marks a string that the writer emits as a bare JSON number. serde_json without
/// `arbitrary_precision` cannot hold `5000.0000`; tenants send decimals with the column's scale.
const RAW_NUMBER: char = '\u{E000}';

/// A decimal value as the tenant sends it: a JSON number with `scale` fraction digits.
pub(crate) fn decimal(v: &Value, scale: u32) -> Value {
    let d = match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Some(Decimal::from(i))
            } else {
                n.as_f64().and_then(|f| Decimal::try_from(f).ok())
            }
        }
        Value::String(s) => s.trim().parse::<Decimal>().ok(),
        _ => None,
    };
    match d {
        Some(mut d) => {
            d = d.round_dp(scale);
            d.rescale(scale);
            Value::String(format!("{RAW_NUMBER}{d}"))
        }
        None => v.clone(),
    }
}

fn is_number_text(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '.'))
        && s.chars().any(|c| c.is_ascii_digit())
}

/// Serializes a value, writing marked decimals as bare numbers.
pub(crate) fn to_bytes(v: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write(&mut out, v);
    out
}

fn write(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::String(s) => match s.strip_prefix(RAW_NUMBER) {
            Some(num) if is_number_text(num) => out.extend_from_slice(num.as_bytes()),
            _ => push_json(out, v),
        },
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                push_json(out, &Value::String(k.clone()));
                out.push(b':');
                write(out, item);
            }
            out.push(b'}');
        }
        other => push_json(out, other),
    }
}

fn push_json(out: &mut Vec<u8>, v: &Value) {
    // Serializing a Value into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, v);
}

/// A JSON response.
pub(crate) fn json(status: StatusCode, v: &Value) -> Response {
    let mut resp = (status, to_bytes(v)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}

/// The ASP.NET Web API error body a tenant sends with 500 (and 400/412):
/// `{"message": "An error has occurred.", "exceptionMessage", "exceptionType", "stackTrace"}`.
pub(crate) fn http_error(
    status: StatusCode,
    exception_message: &str,
    exception_type: &str,
) -> Response {
    let body = serde_json::json!({
        "message": "An error has occurred.",
        "exceptionMessage": exception_message,
        "exceptionType": exception_type,
        "stackTrace": format!("   at {exception_type}..ctor()\r\n   at PX.Api.ContractBased.WebApi.Controllers.EntityController.Execute()"),
    });
    json(status, &body)
}

/// An HttpError with only a `message` (401, 404, 412).
pub(crate) fn message(status: StatusCode, message: &str) -> Response {
    json(status, &serde_json::json!({ "message": message }))
}

/// 500 `NoEntitySatisfiesTheConditionException`: what a tenant answers for a missing record.
pub(crate) fn not_found_500() -> Response {
    http_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "No entity satisfies the condition.",
        "PX.Api.ContractBased.NoEntitySatisfiesTheConditionException",
    )
}

/// 401 for a request without a valid session. The exact text is UNKNOWN; swagger says
/// "The user is not logged in to the system."
pub(crate) fn not_logged_in() -> Response {
    message(StatusCode::UNAUTHORIZED, "You are not logged in.")
}

/// 400 for a body that is not valid JSON (ASP.NET model binding).
pub(crate) fn bad_json(detail: &str) -> Response {
    json(
        StatusCode::BAD_REQUEST,
        &serde_json::json!({
            "message": "The request is invalid.",
            "modelState": { "entity": [detail] },
        }),
    )
}

/// Formats a date-time the way a tenant does: explicit offset, fraction trimmed of zeros.
pub(crate) fn format_datetime(dt: &DateTime<FixedOffset>) -> String {
    use std::fmt::Write as _;
    let offset = dt.offset().local_minus_utc();
    // The common case by hand (the seeder prints millions): what the strftime path prints.
    if (0..=9999).contains(&dt.year()) && offset % 60 == 0 && dt.nanosecond() < 1_000_000_000 {
        let mut s = String::with_capacity(33);
        let _ = write!(
            s,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        );
        let ticks = dt.nanosecond() / 100;
        if ticks > 0 {
            let frac = format!("{ticks:07}");
            s.push('.');
            s.push_str(frac.trim_end_matches('0'));
        }
        let minutes = offset.unsigned_abs() / 60;
        let sign = if offset < 0 { '-' } else { '+' };
        let _ = write!(s, "{sign}{:02}:{:02}", minutes / 60, minutes % 60);
        return s;
    }
    format_datetime_strftime(dt)
}

fn format_datetime_strftime(dt: &DateTime<FixedOffset>) -> String {
    let base = dt.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = dt.nanosecond() % 1_000_000_000;
    // Tenants send at most 7 fraction digits (.NET ticks).
    let frac = format!("{:07}", nanos / 100);
    let frac = frac.trim_end_matches('0');
    let offset = dt.format("%:z");
    if frac.is_empty() {
        format!("{base}{offset}")
    } else {
        format!("{base}.{frac}{offset}")
    }
}

/// Reads a date-time as a tenant accepts it: RFC 3339 with an offset, without one (site time),
/// or a bare date.
pub(crate) fn parse_datetime(s: &str, site: FixedOffset) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt);
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return n.and_local_timezone(site).single();
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|n| n.and_local_timezone(site).single())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_their_scale() {
        let v = serde_json::json!({"a": decimal(&serde_json::json!(5000), 4), "b": decimal(&serde_json::json!(1.5), 6)});
        assert_eq!(
            String::from_utf8(to_bytes(&v)).unwrap(),
            r#"{"a":5000.0000,"b":1.500000}"#
        );
        // A user string that looks like a marker stays a string.
        let v = Value::String(format!("{RAW_NUMBER}1,\"x\""));
        assert!(serde_json::from_slice::<Value>(&to_bytes(&v)).is_ok());
    }

    #[test]
    fn datetimes_trim_fractions() {
        let site = FixedOffset::east_opt(0).unwrap();
        let dt = parse_datetime("2014-10-25T00:31:17.560", site).unwrap();
        assert_eq!(format_datetime(&dt), "2014-10-25T00:31:17.56+00:00");
        let dt = parse_datetime("2023-12-03T14:59:30.693+03:00", site).unwrap();
        assert_eq!(format_datetime(&dt), "2023-12-03T14:59:30.693+03:00");
        assert_eq!(
            format_datetime(&parse_datetime("2024-02-01", site).unwrap()),
            "2024-02-01T00:00:00+00:00"
        );
    }
}

#[cfg(test)]
mod format_tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    /// The hand-written path prints what the strftime one does.
    #[test]
    fn format_datetime_matches_strftime() {
        let mut t = chrono::Utc
            .with_ymd_and_hms(1999, 12, 31, 23, 59, 58)
            .single()
            .expect("date");
        for i in 0..20_000i64 {
            for minutes in [0, 180, -300, 330, -570, 840] {
                let dt = t.with_timezone(&FixedOffset::east_opt(minutes * 60).expect("offset"));
                assert_eq!(
                    format_datetime(&dt),
                    format_datetime_strftime(&dt),
                    "{dt:?}"
                );
            }
            t += Duration::milliseconds(i * 7_777_777 + 123) + Duration::nanoseconds(i * 4_100);
        }
    }
}
