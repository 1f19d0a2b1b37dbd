//! [`RecordingProxy`]: a TCP proxy in front of the emulator that keeps every byte each way, so
//! tests can check what went over the wire (headers, bodies, cookies, tokens).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

type Buffer = Arc<Mutex<Vec<u8>>>;

/// Forwards connections to an upstream address and records both directions.
#[derive(Debug)]
pub struct RecordingProxy {
    url: String,
    sent: Buffer,
    received: Buffer,
    accept: JoinHandle<()>,
}

impl RecordingProxy {
    /// Listens on a free port of 127.0.0.1 and forwards to `upstream`.
    pub async fn start(upstream: SocketAddr) -> RecordingProxy {
        RecordingProxy::with_delay(upstream, Duration::ZERO).await
    }

    /// Like [`start`](RecordingProxy::start), holding every chunk of the server's answers for
    /// `delay` before passing it on (an answer the server sent that the client has not seen yet).
    pub async fn with_delay(upstream: SocketAddr, delay: Duration) -> RecordingProxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("binding the proxy: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("the proxy's address: {e}"));
        let (sent, received) = (Buffer::default(), Buffer::default());
        let (s, r) = (sent.clone(), received.clone());
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    continue;
                };
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(pipe(client_read, server_write, s.clone(), Duration::ZERO));
                tokio::spawn(pipe(server_read, client_write, r.clone(), delay));
            }
        });
        RecordingProxy {
            url: format!("http://{addr}"),
            sent,
            received,
            accept,
        }
    }

    /// `http://127.0.0.1:PORT`: the instance URL to give the client.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Everything the client sent, as text.
    pub fn requests(&self) -> String {
        text(&self.sent)
    }

    /// Everything the server answered, as text.
    pub fn responses(&self) -> String {
        text(&self.received)
    }

    /// Forgets what was recorded so far.
    pub fn clear(&self) {
        for b in [&self.sent, &self.received] {
            b.lock().unwrap_or_else(|p| p.into_inner()).clear();
        }
    }
}

impl Drop for RecordingProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

fn text(buffer: &Buffer) -> String {
    String::from_utf8_lossy(&buffer.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
}

/// Copies `from` to `to`, appending every chunk to `record` and waiting `delay` before passing
/// it on, until either side closes.
async fn pipe(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    record: Buffer,
    delay: Duration,
) {
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        record
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(&chunk[..n]);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        if to.write_all(&chunk[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}
