//! [`LogCapture`]: every `tracing` event and span of the current thread, at TRACE level, written
//! into a buffer the test can search.

use std::io;
use std::sync::{Arc, Mutex};

use tracing::level_filters::LevelFilter;
use tracing::subscriber::DefaultGuard;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt;

/// Captured log text. Installed for the current thread (a `#[tokio::test]` runs its tasks on
/// it); the capture ends when the guard it came with is dropped.
#[derive(Debug, Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    /// Starts capturing everything but the emulator's own logs, at TRACE level, with span
    /// openings and closings and their fields.
    pub fn install() -> (LogCapture, DefaultGuard) {
        let capture = LogCapture::default();
        let fmt = tracing_subscriber::fmt::layer()
            .with_writer(capture.clone())
            .with_ansi(false)
            .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE);
        let filter = Targets::new()
            .with_default(LevelFilter::TRACE)
            .with_target("acumatica_emulator", LevelFilter::OFF);
        let subscriber = tracing_subscriber::registry().with(fmt).with(filter);
        let guard = tracing::subscriber::set_default(subscriber);
        (capture, guard)
    }

    /// Everything captured so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
}

/// Appends to the shared buffer.
#[derive(Debug)]
pub struct CaptureWriter(Arc<Mutex<Vec<u8>>>);

impl io::Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogCapture {
    type Writer = CaptureWriter;
    fn make_writer(&'a self) -> CaptureWriter {
        CaptureWriter(self.0.clone())
    }
}
