//! Strict ISO 8601 date/time text, shared by typed literals and by record values.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, Timelike, Utc};

/// The largest UTC offset .NET's `DateTimeOffset` allows, in seconds.
const MAX_OFFSET_SECONDS: i32 = 14 * 3600;

/// A parse failure: the char index into the text, and what went wrong.
pub(super) type IsoError = (usize, String);

/// A parsed `yyyy-MM-dd[THH:mm[:ss[.fffffffff]][Z|±HH:MM]]`.
#[derive(Debug, Clone, Copy)]
pub(super) struct IsoDateTime {
    pub(super) date: NaiveDate,
    /// The time and the index of its `T`, when the text has one.
    pub(super) time: Option<(NaiveTime, usize)>,
    /// The offset and the index where it starts, when the text has one.
    pub(super) offset: Option<(FixedOffset, usize)>,
}

impl IsoDateTime {
    /// The local date and time; a bare date means midnight.
    pub(super) fn naive(&self) -> NaiveDateTime {
        let time = self.time.map_or(NaiveTime::MIN, |(time, _)| time);
        self.date.and_time(time)
    }

    /// The offset, UTC when the text has none.
    pub(super) fn offset_or_utc(&self) -> FixedOffset {
        self.offset.map_or_else(|| Utc.fix(), |(offset, _)| offset)
    }

    /// The date/time with its offset (UTC when the text has none).
    pub(super) fn with_offset(&self) -> Option<DateTime<FixedOffset>> {
        self.naive()
            .and_local_timezone(self.offset_or_utc())
            .single()
    }

    /// The instant; a missing offset means UTC.
    pub(super) fn to_utc(self) -> Option<DateTime<Utc>> {
        self.with_offset().map(|dt| dt.with_timezone(&Utc))
    }
}

/// Parses the strict form; `text` is the value only (no quotes), and error indexes are into it.
pub(super) fn parse_iso(text: &[char]) -> Result<IsoDateTime, IsoError> {
    let mut cur = Cursor { text, pos: 0 };
    let year_at = cur.pos;
    let year = cur.digits(4, "year")?;
    if year == 0 {
        return Err((year_at, "year 0000 does not exist".into()));
    }
    cur.expect('-', "'-' after the year")?;
    let month_at = cur.pos;
    let month = cur.digits(2, "month")?;
    if !(1..=12).contains(&month) {
        return Err((month_at, format!("month {month:02} does not exist")));
    }
    cur.expect('-', "'-' after the month")?;
    let day_at = cur.pos;
    let day = cur.digits(2, "day")?;
    let year = i32::try_from(year).map_err(|_| (year_at, "year out of range".to_string()))?;
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        (
            day_at,
            format!("day {day:02} does not exist in {year:04}-{month:02}"),
        )
    })?;
    let mut parsed = IsoDateTime {
        date,
        time: None,
        offset: None,
    };
    match cur.peek() {
        None => return Ok(parsed),
        Some('T') => {}
        Some(_) => {
            return Err((
                cur.pos,
                format!(
                    "expected 'T' or the end after the date, found {}",
                    cur.found()
                ),
            ));
        }
    }
    let t_at = cur.pos;
    cur.pos += 1;
    parsed.time = Some((cur.time()?, t_at));
    let offset_at = cur.pos;
    match cur.peek() {
        None => return Ok(parsed),
        Some('Z') => {
            cur.pos += 1;
            parsed.offset = Some((Utc.fix(), offset_at));
        }
        Some(sign @ ('+' | '-')) => {
            cur.pos += 1;
            let hours = cur.digits(2, "offset hours")?;
            cur.expect(':', "':' in the offset")?;
            let minutes = cur.digits(2, "offset minutes")?;
            let seconds = i32::try_from(hours * 3600 + minutes * 60).unwrap_or(i32::MAX);
            if minutes >= 60 || seconds > MAX_OFFSET_SECONDS {
                return Err((offset_at, "offset out of range (at most ±14:00)".into()));
            }
            let seconds = if sign == '-' { -seconds } else { seconds };
            let offset = FixedOffset::east_opt(seconds)
                .ok_or_else(|| (offset_at, "offset out of range".to_string()))?;
            parsed.offset = Some((offset, offset_at));
        }
        Some(_) => {
            return Err((
                cur.pos,
                format!(
                    "expected 'Z', '+', '-' or the end after the time, found {}",
                    cur.found()
                ),
            ));
        }
    }
    if cur.peek().is_some() {
        return Err((
            cur.pos,
            format!("unexpected {} after the offset", cur.found()),
        ));
    }
    Ok(parsed)
}

/// Prints `yyyy-MM-ddTHH:mm:ss` plus a fraction without trailing zeros when there is one.
pub(super) fn format_naive(dt: &NaiveDateTime) -> String {
    let mut out = dt.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = dt.nanosecond();
    if nanos != 0 {
        let fraction = format!("{nanos:09}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    out
}

/// Prints `+HH:MM` / `-HH:MM`.
pub(super) fn format_offset(offset: &FixedOffset) -> String {
    let seconds = offset.local_minus_utc();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

struct Cursor<'a> {
    text: &'a [char],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.text.get(self.pos).copied()
    }

    fn found(&self) -> String {
        self.peek()
            .map_or_else(|| "the end".to_string(), |c| format!("{c:?}"))
    }

    /// Exactly `width` ASCII digits.
    fn digits(&mut self, width: usize, what: &str) -> Result<u32, IsoError> {
        let mut value = 0u32;
        for _ in 0..width {
            match self
                .peek()
                .and_then(|c| c.to_digit(10).filter(|_| c.is_ascii_digit()))
            {
                Some(digit) => {
                    value = value * 10 + digit;
                    self.pos += 1;
                }
                None => {
                    return Err((
                        self.pos,
                        format!(
                            "expected {width} digits for the {what}, found {}",
                            self.found()
                        ),
                    ));
                }
            }
        }
        Ok(value)
    }

    fn expect(&mut self, wanted: char, what: &str) -> Result<(), IsoError> {
        if self.peek() == Some(wanted) {
            self.pos += 1;
            Ok(())
        } else {
            Err((self.pos, format!("expected {what}, found {}", self.found())))
        }
    }

    /// `HH:mm[:ss[.f{1,9}]]`.
    fn time(&mut self) -> Result<NaiveTime, IsoError> {
        let hour_at = self.pos;
        let hour = self.digits(2, "hour")?;
        if hour >= 24 {
            return Err((hour_at, format!("hour {hour:02} does not exist")));
        }
        self.expect(':', "':' after the hour")?;
        let minute_at = self.pos;
        let minute = self.digits(2, "minute")?;
        if minute >= 60 {
            return Err((minute_at, format!("minute {minute:02} does not exist")));
        }
        let (mut second, mut nano) = (0, 0);
        if self.peek() == Some(':') {
            self.pos += 1;
            let second_at = self.pos;
            second = self.digits(2, "second")?;
            if second >= 60 {
                return Err((second_at, format!("second {second:02} does not exist")));
            }
            if self.peek() == Some('.') {
                self.pos += 1;
                nano = self.fraction()?;
            }
        }
        NaiveTime::from_hms_nano_opt(hour, minute, second, nano)
            .ok_or_else(|| (hour_at, "invalid time".to_string()))
    }

    /// 1 to 9 fractional digits, as nanoseconds.
    fn fraction(&mut self) -> Result<u32, IsoError> {
        let start = self.pos;
        let mut nanos = 0u32;
        let mut count = 0u32;
        while let Some(digit) = self
            .peek()
            .filter(char::is_ascii_digit)
            .and_then(|c| c.to_digit(10))
        {
            if count == 9 {
                return Err((self.pos, "at most 9 fractional digits are allowed".into()));
            }
            nanos = nanos * 10 + digit;
            count += 1;
            self.pos += 1;
        }
        if count == 0 {
            return Err((
                start,
                format!("expected a digit after '.', found {}", self.found()),
            ));
        }
        Ok(nanos * 10u32.pow(9 - count))
    }
}
