//! [`DateTime`]: Acumatica's `DateTimeValue`, with or without a UTC offset.

use std::fmt;
use std::str::FromStr;

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

/// A date and time as Acumatica sends it.
///
/// Responses carry an explicit offset and 0–7 fractional digits
/// (`2014-10-25T00:31:17.56+00:00`, `2023-12-03T14:59:30.693+03:00`); requests may omit the
/// offset (`2024-02-01T00:00:00`), which the server reads in the user's time zone. Both forms
/// are kept as they are, so nothing is converted behind your back.
///
/// ```
/// use acumatica_sdk::types::DateTime;
/// let t: DateTime = "2023-12-03T14:59:30.693+03:00".parse().unwrap();
/// assert_eq!(t.offset().unwrap().local_minus_utc(), 3 * 3600);
/// assert_eq!(t.to_string(), "2023-12-03T14:59:30.693+03:00");
/// let local: DateTime = "2024-02-01T00:00:00".parse().unwrap();
/// assert!(local.offset().is_none());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    local: NaiveDateTime,
    offset: Option<FixedOffset>,
}

impl DateTime {
    /// A date and time in the server's (user's) time zone, sent without an offset.
    pub fn local(local: NaiveDateTime) -> Self {
        DateTime {
            local,
            offset: None,
        }
    }

    /// Midnight of a date, without an offset: how date-only fields are written.
    pub fn date(date: NaiveDate) -> Self {
        DateTime::local(date.and_time(NaiveTime::MIN))
    }

    /// The wall-clock date and time, as written.
    pub fn naive_local(&self) -> NaiveDateTime {
        self.local
    }

    /// The UTC offset, if the value carried one.
    pub fn offset(&self) -> Option<FixedOffset> {
        self.offset
    }

    /// The instant, when the value carried an offset.
    pub fn to_fixed_offset(&self) -> Option<chrono::DateTime<FixedOffset>> {
        let offset = self.offset?;
        offset.from_local_datetime(&self.local).single()
    }

    /// The instant in UTC, reading an offset-less value as being in `assume` (the tenant's zone).
    pub fn to_utc(&self, assume: FixedOffset) -> chrono::DateTime<chrono::Utc> {
        let offset = self.offset.unwrap_or(assume);
        offset
            .from_local_datetime(&self.local)
            .single()
            .map(|t| t.to_utc())
            .unwrap_or_else(|| self.local.and_utc())
    }
}

impl<Tz: TimeZone> From<chrono::DateTime<Tz>> for DateTime {
    fn from(t: chrono::DateTime<Tz>) -> Self {
        let fixed = t.fixed_offset();
        DateTime {
            local: fixed.naive_local(),
            offset: Some(*fixed.offset()),
        }
    }
}

impl From<NaiveDateTime> for DateTime {
    fn from(t: NaiveDateTime) -> Self {
        DateTime::local(t)
    }
}

impl From<NaiveDate> for DateTime {
    fn from(d: NaiveDate) -> Self {
        DateTime::date(d)
    }
}

/// Why a string is not an Acumatica date and time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an ISO 8601 date and time (expected e.g. 2024-07-15T10:31:28.402+03:00)")]
pub struct ParseDateTimeError(String);

impl FromStr for DateTime {
    type Err = ParseDateTimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
            return Ok(t.into());
        }
        // Offsets without a colon (+0300) and with a space before them occur in older clients.
        for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%:z"] {
            if let Ok(t) = chrono::DateTime::parse_from_str(s, format) {
                return Ok(t.into());
            }
        }
        for format in [
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M:%S%.f",
        ] {
            if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
                return Ok(DateTime::local(t));
            }
        }
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Ok(DateTime::date(d));
        }
        Err(ParseDateTimeError(s.chars().take(64).collect()))
    }
}

impl fmt::Display for DateTime {
    /// ISO 8601 with the fraction trimmed to what it needs, and the offset if there is one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.local.format("%Y-%m-%dT%H:%M:%S"))?;
        let nanos = self.local.and_utc().timestamp_subsec_nanos();
        if nanos > 0 {
            let digits = format!("{nanos:09}");
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        if let Some(offset) = self.offset {
            write!(f, "{offset}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl serde::Serialize for DateTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for DateTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for DateTime {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DateTime".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date-time" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_acumatica_sends() {
        for (text, offset_secs, nanos) in [
            ("2013-07-07T00:00:00+00:00", Some(0), 0),
            ("2014-10-25T00:31:17.56+00:00", Some(0), 560_000_000),
            ("2021-02-08T15:46:23.611591+00:00", Some(0), 611_591_000),
            ("2024-12-18T17:07:45.433+00:00", Some(0), 433_000_000),
            ("2023-12-03T14:59:30.693+03:00", Some(3 * 3600), 693_000_000),
            (
                "2023-12-03T14:59:30.1234567-05:30",
                Some(-(5 * 3600 + 1800)),
                123_456_700,
            ),
            ("2024-02-01T00:00:00Z", Some(0), 0),
            ("2024-02-01T00:00:00", None, 0),
            ("2024-02-01T10:11:12.1234567", None, 123_456_700),
        ] {
            let t: DateTime = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(
                t.offset().map(|o| o.local_minus_utc()),
                offset_secs,
                "{text}"
            );
            assert_eq!(
                t.naive_local().and_utc().timestamp_subsec_nanos(),
                nanos,
                "{text}"
            );
        }
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "2014-10-25T00:31:17.56+00:00",
            "2023-12-03T14:59:30.693+03:00",
            "2024-02-01T00:00:00",
            "2024-02-01T10:11:12.1234567-05:30",
        ] {
            let t: DateTime = text.parse().unwrap();
            assert_eq!(t.to_string(), text);
            assert_eq!(t.to_string().parse::<DateTime>().unwrap(), t);
        }
    }

    #[test]
    fn rejects_garbage_with_the_text() {
        let err = "31/12/2024".parse::<DateTime>().unwrap_err();
        assert!(err.to_string().contains("31/12/2024"), "{err}");
    }
}
