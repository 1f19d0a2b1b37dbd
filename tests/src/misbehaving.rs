//! [`MisbehavingServer`]: a tiny hand-written HTTP/1.1 server on 127.0.0.1 that plays an
//! Acumatica instance gone bad, so tests can prove that nothing is sent to, or taken from,
//! another host, and that the client bounds what it reads.
//!
//! It listens on two loopback ports (never any other address):
//!
//! - the **instance** ([`MisbehavingServer::url`]): give this URL to the client. Each route
//!   answers as its [`Answer`] in the [`Behaviour`] chosen at start.
//! - the **other origin** ([`MisbehavingServer::other_url`]), another port and so another
//!   origin, where redirects point. It answers everything with plausible success (a 204 sign-in
//!   with its own cookies, a valid token, a Customer whose ID is [`OTHER_CUSTOMER_ID`]), so a
//!   client that followed a redirect there would appear to work, and it records everything that
//!   reaches it.
//!
//! Both record every request (method, path and query, headers, body: [`RecordedRequest`]) and
//! count connections, so a test can assert that the password, a cookie or a token never
//! arrived at the other origin (or that nothing connected to it at all), and what exactly the
//! client sent to the instance. The secret values this server hands out are in
//! [`MisbehavingServer::secrets`], so a test can assert they appear nowhere in errors or logs.
//!
//! # Routes of the instance
//!
//! | request | [`Behaviour`] field | [`Answer::Normal`] |
//! |---|---|---|
//! | `* /entity/auth/login` | `login` | 204 with `Set-Cookie: .ASPXAUTH=…; path=/; HttpOnly` and `ASP.NET_SessionId=…; path=/; HttpOnly` |
//! | `* /entity/auth/logout` | `logout` | 204 |
//! | `* /identity/connect/token` | `token` | 200, a valid token response (`access_token`, `refresh_token`, `id_token`, `expires_in: 3600`) |
//! | any other `/entity/...` (data calls) | `data` | `GET …/Customer` → `[customer]`; `GET …/Customer/{key}` → a Customer with that `CustomerID`; `PUT`/`PATCH` → 200 echoing the JSON body; other methods → 204 |
//! | `/moved/<path>` | — | always the normal answer for `<path>` (the target of [`Target::SameOrigin`]) |
//! | anything else | — | 404 with an HttpError body |
//!
//! No route checks credentials: what the client sent is for the test to assert on.
//!
//! # Bounds
//!
//! Request heads are limited to 64 KiB and bodies to 16 MiB (larger ones get 431 / 413 and the
//! connection is closed); a connection idle for 30 s is closed; an endless body stops when the
//! client goes away or after its time limit (at most 60 s); every connection ends after 5
//! minutes whatever happens; dropping the [`MisbehavingServer`] stops both listeners and every
//! connection at once.
//!
//! # Example
//!
//! ```no_run
//! use acumatica_tests::misbehaving::{Behaviour, MisbehavingServer, Target};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // Sign-in answered `307 Location: http://127.0.0.1:<other port>/entity/auth/login`.
//! let server = MisbehavingServer::start(Behaviour::login_redirect(307, Target::OtherOrigin)).await?;
//! // ... point a client at server.url() and sign in; then:
//! let login = &server.requests()[0];
//! assert_eq!((login.method.as_str(), login.target.as_str()), ("POST", "/entity/auth/login"));
//! for r in server.other_requests() {
//!     assert!(!r.text().contains("my password"), "the password reached the other origin");
//! }
//! assert_eq!(server.other_connections(), 0, "nothing connected to the other origin");
//! # Ok(()) }
//! ```

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The `CustomerID` of the Customer the other origin serves: a client that returns a record with
/// this ID took it from another host.
pub const OTHER_CUSTOMER_ID: &str = "OTHER-ORIGIN";

/// The most an [`Answer::Endless`] body streams, whatever its `max`.
pub const ENDLESS_LIMIT: Duration = Duration::from_secs(60);

const MAX_HEAD: usize = 64 * 1024;
const MAX_HEADERS: usize = 200;
const MAX_BODY: usize = 16 * 1024 * 1024;
const IDLE: Duration = Duration::from_secs(30);
const CONNECTION_LIFETIME: Duration = Duration::from_secs(300);
/// Bytes per write of a huge or endless body.
const BLOCK: usize = 64 * 1024;

/// Why the server did not start.
#[derive(Debug, thiserror::Error)]
pub enum MisbehavingError {
    /// Binding 127.0.0.1:0 failed.
    #[error("binding a port of 127.0.0.1: {0}")]
    Bind(#[source] std::io::Error),
    /// The bound address could not be read.
    #[error("reading the bound address: {0}")]
    Address(#[source] std::io::Error),
}

/// Where a redirect points (the `Location` header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `http://127.0.0.1:<other port><same path and query>`: another origin (another port).
    OtherOrigin,
    /// `//127.0.0.1:<other port><same path and query>`: a scheme-relative reference to the
    /// other origin.
    OtherOriginSchemeRelative,
    /// `https://127.0.0.1:<other port><same path and query>`: another origin and another
    /// scheme (nothing speaks TLS there; a client that connects at all shows in
    /// [`MisbehavingServer::other_connections`]).
    OtherOriginHttps,
    /// `http://user:pass@127.0.0.1:<other port><same path and query>`: another origin with
    /// credentials in the URL ([`REDIRECT_USER`], [`REDIRECT_PASSWORD`]).
    OtherOriginWithUserInfo,
    /// `https://127.0.0.1:<this port><same path and query>`: the same host and port, another
    /// scheme.
    SameHostHttps,
    /// `http://localhost:<this port><same path and query>`: the same listener under another
    /// host name, which is another origin by the rules of URLs.
    SameListenerOtherHostName,
    /// `http://user:pass@127.0.0.1:<this port>/moved<same path and query>`: the same origin,
    /// with credentials in the URL (a client following it might send `Authorization: Basic`).
    SameOriginWithUserInfo,
    /// `/moved<same path and query>`: a relative redirect on the same origin, which this server
    /// answers normally (for contrast: a client may follow it, or refuse it clearly).
    SameOrigin,
    /// `<same path and query>`: the request's own URL again, a redirect loop.
    Itself,
    /// This exact `Location` value (e.g. `ftp://127.0.0.1/x`, `file:///etc/passwd`,
    /// `http://127.0.0.1:0/`). Point it at loopback only.
    Raw(String),
}

/// The user name in [`Target::OtherOriginWithUserInfo`] and [`Target::SameOriginWithUserInfo`].
pub const REDIRECT_USER: &str = "intruder";
/// The password in [`Target::OtherOriginWithUserInfo`] and [`Target::SameOriginWithUserInfo`].
pub const REDIRECT_PASSWORD: &str = "redirect-secret-3141";

/// How a huge body is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// With `Content-Length`.
    ContentLength,
    /// `Transfer-Encoding: chunked`, no length announced.
    Chunked,
}

/// An undecodable 200 token answer; each still contains `"access_token":"<secret>"` and
/// `"refresh_token":"<secret>"` (and an `id_token`), the values in [`Secrets`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenGarbage {
    /// Complete JSON where `expires_in` is an object: `"expires_in":{"seconds":3600}`.
    ExpiresInObject,
    /// JSON cut off after the tokens: `{"access_token":"…","refresh_token":"…","id_token":"…","expires_in":36`.
    Truncated,
    /// Valid JSON with `"token_type":42` and `"access_token"` as expected, but the whole
    /// wrapped in an array: `[{"access_token":"…",…}]`.
    WrappedInArray,
}

/// How one route answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// What a healthy instance answers (see the module docs).
    Normal,
    /// `status` (e.g. 301, 302, 303, 307, 308) with `Location` given by `to` and an empty body.
    Redirect {
        /// The status code.
        status: u16,
        /// Where `Location` points.
        to: Target,
    },
    /// 200 with a JSON array of exactly `bytes` bytes (at least 64), framed as `framing`.
    Huge {
        /// The body's size in bytes.
        bytes: u64,
        /// With `Content-Length` or chunked.
        framing: Framing,
    },
    /// 200, chunked, a JSON array streamed forever: stops when the client goes away or after
    /// `max` (capped at [`ENDLESS_LIMIT`]), then closes the connection without ending the body.
    Endless {
        /// How long it streams at most.
        max: Duration,
    },
    /// 200 `application/json` with a token answer that does not decode.
    UndecodableToken(TokenGarbage),
}

/// How each route of the instance answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Behaviour {
    /// `/entity/auth/login`.
    pub login: Answer,
    /// `/entity/auth/logout`.
    pub logout: Answer,
    /// `/identity/connect/token`.
    pub token: Answer,
    /// Every other `/entity/...` path.
    pub data: Answer,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour::normal()
    }
}

impl Behaviour {
    /// Every route answers normally.
    pub fn normal() -> Behaviour {
        Behaviour {
            login: Answer::Normal,
            logout: Answer::Normal,
            token: Answer::Normal,
            data: Answer::Normal,
        }
    }

    /// Sign-in answered `status` to `to`; the rest normal.
    pub fn login_redirect(status: u16, to: Target) -> Behaviour {
        Behaviour {
            login: Answer::Redirect { status, to },
            ..Behaviour::normal()
        }
    }

    /// Sign-out answered `status` to `to`; the rest normal.
    pub fn logout_redirect(status: u16, to: Target) -> Behaviour {
        Behaviour {
            logout: Answer::Redirect { status, to },
            ..Behaviour::normal()
        }
    }

    /// Token requests answered `status` to `to`; the rest normal.
    pub fn token_redirect(status: u16, to: Target) -> Behaviour {
        Behaviour {
            token: Answer::Redirect { status, to },
            ..Behaviour::normal()
        }
    }

    /// Data calls answered `status` to `to`; sign-in and sign-out normal.
    pub fn data_redirect(status: u16, to: Target) -> Behaviour {
        Behaviour {
            data: Answer::Redirect { status, to },
            ..Behaviour::normal()
        }
    }

    /// Data calls answered with a huge JSON array; sign-in and sign-out normal.
    pub fn huge_body(bytes: u64, framing: Framing) -> Behaviour {
        Behaviour {
            data: Answer::Huge { bytes, framing },
            ..Behaviour::normal()
        }
    }

    /// Data calls answered with an endless JSON array; sign-in and sign-out normal.
    pub fn endless_body(max: Duration) -> Behaviour {
        Behaviour {
            data: Answer::Endless { max },
            ..Behaviour::normal()
        }
    }

    /// Token requests answered with an undecodable 200; the rest normal.
    pub fn undecodable_token(garbage: TokenGarbage) -> Behaviour {
        Behaviour {
            token: Answer::UndecodableToken(garbage),
            ..Behaviour::normal()
        }
    }
}

/// One request as received.
#[derive(Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET`, `POST`...
    pub method: String,
    /// The request target as sent: path and query, e.g. `/entity/Default/24.200.001/Customer/C001?$select=CustomerID`.
    pub target: String,
    /// Every header, in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body (chunked bodies decoded).
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The whole request as text (request line, headers, body), for "contains" checks.
    pub fn text(&self) -> String {
        let mut out = format!("{} {} HTTP/1.1\r\n", self.method, self.target);
        for (n, v) in &self.headers {
            out.push_str(&format!("{n}: {v}\r\n"));
        }
        out.push_str("\r\n");
        out.push_str(&self.body_text());
        out
    }
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("target", &self.target)
            .field("headers", &self.headers)
            .field("body", &self.body_text())
            .finish()
    }
}

/// The secret values the instance hands out (all random per server), and those of the other
/// origin, so a test can check that none of them shows up where it must not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secrets {
    /// The `access_token` of token answers (normal and undecodable).
    pub access_token: String,
    /// The `refresh_token` of token answers.
    pub refresh_token: String,
    /// The `id_token` of token answers.
    pub id_token: String,
    /// The `.ASPXAUTH` cookie value of a normal sign-in.
    pub aspxauth: String,
    /// The `ASP.NET_SessionId` cookie value of a normal sign-in.
    pub session_id: String,
    /// The `.ASPXAUTH` cookie value the other origin sets.
    pub other_aspxauth: String,
    /// The `access_token` the other origin hands out.
    pub other_access_token: String,
}

impl Secrets {
    fn generate() -> Secrets {
        Secrets {
            access_token: jwt_like(),
            refresh_token: random_hex(64).to_ascii_uppercase(),
            id_token: jwt_like(),
            aspxauth: random_hex(360).to_ascii_uppercase(),
            session_id: random_hex(24),
            other_aspxauth: random_hex(360).to_ascii_uppercase(),
            other_access_token: jwt_like(),
        }
    }

    /// Every value, for "appears nowhere" loops.
    pub fn all(&self) -> [&str; 7] {
        [
            &self.access_token,
            &self.refresh_token,
            &self.id_token,
            &self.aspxauth,
            &self.session_id,
            &self.other_aspxauth,
            &self.other_access_token,
        ]
    }
}

/// What one listener saw.
#[derive(Debug, Default)]
struct Record {
    requests: Mutex<Vec<RecordedRequest>>,
    connections: AtomicU64,
}

/// Counters of the streamed (huge and endless) bodies.
#[derive(Debug, Default)]
struct Streams {
    open: AtomicUsize,
    bytes: AtomicU64,
    ended_by_client: AtomicU64,
}

#[derive(Debug)]
struct Shared {
    behaviour: Behaviour,
    secrets: Secrets,
    addr: SocketAddr,
    other_addr: SocketAddr,
    instance: Record,
    other: Record,
    streams: Streams,
}

/// The two listeners; see the [module docs](self). Dropping it stops them.
#[derive(Debug)]
pub struct MisbehavingServer {
    shared: Arc<Shared>,
    url: String,
    other_url: String,
    /// Dropped with the server: every task sees its receiver close and ends.
    _shutdown: watch::Sender<()>,
}

impl MisbehavingServer {
    /// Binds two free ports of 127.0.0.1 and serves `behaviour` in the background of the
    /// current tokio runtime.
    pub async fn start(behaviour: Behaviour) -> Result<MisbehavingServer, MisbehavingError> {
        let instance = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(MisbehavingError::Bind)?;
        let other = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(MisbehavingError::Bind)?;
        let addr = instance.local_addr().map_err(MisbehavingError::Address)?;
        let other_addr = other.local_addr().map_err(MisbehavingError::Address)?;
        let shared = Arc::new(Shared {
            behaviour,
            secrets: Secrets::generate(),
            addr,
            other_addr,
            instance: Record::default(),
            other: Record::default(),
            streams: Streams::default(),
        });
        let (shutdown, rx) = watch::channel(());
        tokio::spawn(accept(instance, shared.clone(), Side::Instance, rx.clone()));
        tokio::spawn(accept(other, shared.clone(), Side::Other, rx));
        Ok(MisbehavingServer {
            shared,
            url: format!("http://{addr}"),
            other_url: format!("http://{other_addr}"),
            _shutdown: shutdown,
        })
    }

    /// `http://127.0.0.1:PORT`: the instance URL to give the client.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `http://127.0.0.1:OTHER_PORT`: the other origin redirects point at.
    pub fn other_url(&self) -> &str {
        &self.other_url
    }

    /// The behaviour it was started with.
    pub fn behaviour(&self) -> &Behaviour {
        &self.shared.behaviour
    }

    /// The secret values handed out (see [`Secrets`]).
    pub fn secrets(&self) -> &Secrets {
        &self.shared.secrets
    }

    /// Every request the instance received, in order of arrival.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.instance.requests).clone()
    }

    /// Every request the other origin received.
    pub fn other_requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.other.requests).clone()
    }

    /// TCP connections the instance accepted.
    pub fn connections(&self) -> u64 {
        self.shared.instance.connections.load(Ordering::SeqCst)
    }

    /// TCP connections the other origin accepted, whether or not a request could be read from
    /// them (a TLS handshake counts too).
    pub fn other_connections(&self) -> u64 {
        self.shared.other.connections.load(Ordering::SeqCst)
    }

    /// Huge and endless bodies still being written.
    pub fn streams_open(&self) -> usize {
        self.shared.streams.open.load(Ordering::SeqCst)
    }

    /// Body bytes written by huge and endless answers so far (accepted by the socket, not
    /// necessarily read by the client).
    pub fn streamed_bytes(&self) -> u64 {
        self.shared.streams.bytes.load(Ordering::SeqCst)
    }

    /// Endless or huge bodies that stopped because the client went away.
    pub fn streams_ended_by_client(&self) -> u64 {
        self.shared.streams.ended_by_client.load(Ordering::SeqCst)
    }

    /// The `Location` this server sends when it redirects a request for `target` (path and
    /// query) to `to`, for tests that check an error names it.
    pub fn location(&self, to: &Target, target: &str) -> String {
        location(&self.shared, to, target)
    }

    /// Forgets the requests and connections recorded so far (both listeners).
    pub fn clear(&self) {
        for record in [&self.shared.instance, &self.shared.other] {
            lock(&record.requests).clear();
            record.connections.store(0, Ordering::SeqCst);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Instance,
    Other,
}

async fn accept(
    listener: TcpListener,
    shared: Arc<Shared>,
    side: Side,
    mut shutdown: watch::Receiver<()>,
) {
    loop {
        let stream = tokio::select! {
            _ = shutdown.changed() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of file descriptors and the like: do not spin.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let record = match side {
            Side::Instance => &shared.instance,
            Side::Other => &shared.other,
        };
        record.connections.fetch_add(1, Ordering::SeqCst);
        let shared = shared.clone();
        let mut stop = shutdown.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = stop.changed() => {}
                _ = tokio::time::timeout(CONNECTION_LIFETIME, connection(stream, &shared, side)) => {}
            }
        });
    }
}

/// A request head or body that could not be read.
enum ReadError {
    /// The connection closed, timed out or sent something that is not HTTP/1.1.
    Gone,
    /// Answer this status and close.
    Refuse(u16),
}

/// Serves requests on one connection until it closes or asks to.
async fn connection(mut stream: TcpStream, shared: &Shared, side: Side) {
    let _ = stream.set_nodelay(true);
    let mut buffer = Vec::new();
    loop {
        let request = match read_request(&mut stream, &mut buffer).await {
            Ok(r) => r,
            Err(ReadError::Gone) => return,
            Err(ReadError::Refuse(status)) => {
                let _ = write_simple(&mut stream, status, &[], b"", true).await;
                return;
            }
        };
        let close = request
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let record = match side {
            Side::Instance => &shared.instance,
            Side::Other => &shared.other,
        };
        lock(&record.requests).push(request.clone());
        let keep = match side {
            Side::Instance => answer_instance(&mut stream, shared, &request, close).await,
            Side::Other => answer_other(&mut stream, shared, &request, close).await,
        };
        if !keep || close {
            let _ = stream.shutdown().await;
            return;
        }
    }
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<(), ReadError> {
    let mut chunk = [0u8; 16 * 1024];
    match tokio::time::timeout(IDLE, stream.read(&mut chunk)).await {
        Ok(Ok(0)) | Ok(Err(_)) | Err(_) => Err(ReadError::Gone),
        Ok(Ok(n)) => {
            buffer.extend_from_slice(&chunk[..n]);
            Ok(())
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads one request; `buffer` keeps what was read past it (pipelined requests).
async fn read_request(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
) -> Result<RecordedRequest, ReadError> {
    let head_end = loop {
        if let Some(i) = find(buffer, b"\r\n\r\n") {
            break i;
        }
        if buffer.len() > MAX_HEAD {
            return Err(ReadError::Refuse(431));
        }
        read_more(stream, buffer).await?;
    };
    if head_end > MAX_HEAD {
        return Err(ReadError::Refuse(431));
    }
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    buffer.drain(..head_end + 4);
    let mut lines = head.split("\r\n");
    let mut parts = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Gone);
    };
    if !version.starts_with("HTTP/1.") || method.is_empty() || !method.is_ascii() {
        return Err(ReadError::Gone);
    }
    let mut headers = Vec::new();
    for line in lines {
        if headers.len() >= MAX_HEADERS {
            return Err(ReadError::Refuse(431));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(ReadError::Refuse(400));
        };
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let mut request = RecordedRequest {
        method: method.to_owned(),
        target: target.to_owned(),
        headers,
        body: Vec::new(),
    };
    let chunked = request
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        request.body = read_chunked(stream, buffer).await?;
    } else if let Some(length) = request.header("content-length") {
        let length: usize = length.parse().map_err(|_| ReadError::Refuse(400))?;
        if length > MAX_BODY {
            return Err(ReadError::Refuse(413));
        }
        while buffer.len() < length {
            read_more(stream, buffer).await?;
        }
        request.body = buffer.drain(..length).collect();
    }
    Ok(request)
}

async fn read_chunked(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(i) = find(buffer, b"\r\n") {
                break i;
            }
            if buffer.len() > 1024 {
                return Err(ReadError::Refuse(400));
            }
            read_more(stream, buffer).await?;
        };
        let line = String::from_utf8_lossy(&buffer[..line_end]).into_owned();
        buffer.drain(..line_end + 2);
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| ReadError::Refuse(400))?;
        if body.len() + size > MAX_BODY {
            return Err(ReadError::Refuse(413));
        }
        if size == 0 {
            // Trailers, then the empty line.
            loop {
                let end = loop {
                    if let Some(i) = find(buffer, b"\r\n") {
                        break i;
                    }
                    if buffer.len() > MAX_HEAD {
                        return Err(ReadError::Refuse(431));
                    }
                    read_more(stream, buffer).await?;
                };
                buffer.drain(..end + 2);
                if end == 0 {
                    return Ok(body);
                }
            }
        }
        while buffer.len() < size + 2 {
            read_more(stream, buffer).await?;
        }
        body.extend(buffer.drain(..size));
        buffer.drain(..2);
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        404 => "Not Found",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        _ => "Unknown",
    }
}

/// Writes a whole answer with `Content-Length`. `Err` when the client is gone.
async fn write_simple(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(&str, String)],
    body: &[u8],
    close: bool,
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut all = head.into_bytes();
    all.extend_from_slice(body);
    stream.write_all(&all).await?;
    stream.flush().await
}

async fn write_json(stream: &mut TcpStream, status: u16, body: &Value, close: bool) -> bool {
    let text = body.to_string();
    write_simple(
        stream,
        status,
        &[("Content-Type", "application/json; charset=utf-8".into())],
        text.as_bytes(),
        close,
    )
    .await
    .is_ok()
}

/// Which route of the instance a target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Login,
    Logout,
    Token,
    Data,
    Unknown,
}

fn route(path: &str) -> Route {
    let lower = path.to_ascii_lowercase();
    match lower.as_str() {
        "/entity/auth/login" => Route::Login,
        "/entity/auth/logout" => Route::Logout,
        "/identity/connect/token" => Route::Token,
        p if p.starts_with("/entity/") => Route::Data,
        _ => Route::Unknown,
    }
}

/// Answers a request to the instance; `false` to close the connection.
async fn answer_instance(
    stream: &mut TcpStream,
    shared: &Shared,
    request: &RecordedRequest,
    close: bool,
) -> bool {
    let (path, _) = split_target(&request.target);
    if let Some(rest) = path.strip_prefix("/moved") {
        let rest = if rest.is_empty() { "/" } else { rest };
        return answer_normal(stream, shared, request, route(rest), rest, close).await;
    }
    let which = route(path);
    let answer = match which {
        Route::Login => &shared.behaviour.login,
        Route::Logout => &shared.behaviour.logout,
        Route::Token => &shared.behaviour.token,
        Route::Data => &shared.behaviour.data,
        Route::Unknown => &Answer::Normal,
    };
    match answer {
        Answer::Normal => answer_normal(stream, shared, request, which, path, close).await,
        Answer::Redirect { status, to } => {
            let location = location(shared, to, &request.target);
            write_simple(stream, *status, &[("Location", location)], b"", close)
                .await
                .is_ok()
        }
        Answer::Huge { bytes, framing } => huge(stream, shared, *bytes, *framing, close).await,
        Answer::Endless { max } => {
            endless(stream, shared, (*max).min(ENDLESS_LIMIT)).await;
            false
        }
        Answer::UndecodableToken(garbage) => {
            let body = token_garbage(&shared.secrets, *garbage);
            write_simple(
                stream,
                200,
                &[
                    ("Content-Type", "application/json; charset=utf-8".into()),
                    ("Cache-Control", "no-store".into()),
                ],
                body.as_bytes(),
                close,
            )
            .await
            .is_ok()
        }
    }
}

fn split_target(target: &str) -> (&str, Option<&str>) {
    match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    }
}

fn location(shared: &Shared, to: &Target, target: &str) -> String {
    let other = shared.other_addr;
    let this = shared.addr;
    let port = this.port();
    match to {
        Target::OtherOrigin => format!("http://{other}{target}"),
        Target::OtherOriginSchemeRelative => format!("//{other}{target}"),
        Target::OtherOriginHttps => format!("https://{other}{target}"),
        Target::OtherOriginWithUserInfo => {
            format!("http://{REDIRECT_USER}:{REDIRECT_PASSWORD}@{other}{target}")
        }
        Target::SameHostHttps => format!("https://{this}{target}"),
        Target::SameListenerOtherHostName => format!("http://localhost:{port}{target}"),
        Target::SameOriginWithUserInfo => {
            format!("http://{REDIRECT_USER}:{REDIRECT_PASSWORD}@{this}/moved{target}")
        }
        Target::SameOrigin => format!("/moved{target}"),
        Target::Itself => target.to_owned(),
        Target::Raw(raw) => raw.clone(),
    }
}

/// What a healthy instance answers on `route`.
async fn answer_normal(
    stream: &mut TcpStream,
    shared: &Shared,
    request: &RecordedRequest,
    route: Route,
    path: &str,
    close: bool,
) -> bool {
    let s = &shared.secrets;
    match route {
        Route::Login => write_simple(
            stream,
            204,
            &[
                (
                    "Set-Cookie",
                    format!(".ASPXAUTH={}; path=/; HttpOnly", s.aspxauth),
                ),
                (
                    "Set-Cookie",
                    format!("ASP.NET_SessionId={}; path=/; HttpOnly", s.session_id),
                ),
                ("Set-Cookie", "UserBranch=1; path=/; HttpOnly".into()),
                (
                    "Set-Cookie",
                    "Locale=Culture=en-US; path=/; HttpOnly".into(),
                ),
            ],
            b"",
            close,
        )
        .await
        .is_ok(),
        Route::Logout => write_simple(stream, 204, &[], b"", close).await.is_ok(),
        Route::Token => write_json(stream, 200, &token(&s.access_token, s), close).await,
        Route::Data => data(stream, request, path, "normal", close).await,
        Route::Unknown => {
            write_json(
                stream,
                404,
                &json!({"message": "No HTTP resource was found that matches the request URI."}),
                close,
            )
            .await
        }
    }
}

fn token(access: &str, s: &Secrets) -> Value {
    json!({
        "access_token": access,
        "expires_in": 3600,
        "token_type": "Bearer",
        "refresh_token": s.refresh_token,
        "id_token": s.id_token,
        "scope": "api offline_access",
    })
}

fn token_garbage(s: &Secrets, garbage: TokenGarbage) -> String {
    let (a, r, i) = (&s.access_token, &s.refresh_token, &s.id_token);
    match garbage {
        TokenGarbage::ExpiresInObject => format!(
            r#"{{"access_token":"{a}","refresh_token":"{r}","id_token":"{i}","token_type":"Bearer","expires_in":{{"seconds":3600}},"scope":"api offline_access"}}"#
        ),
        TokenGarbage::Truncated => {
            format!(
                r#"{{"access_token":"{a}","refresh_token":"{r}","id_token":"{i}","expires_in":36"#
            )
        }
        TokenGarbage::WrappedInArray => format!(
            r#"[{{"access_token":"{a}","refresh_token":"{r}","id_token":"{i}","token_type":42,"expires_in":3600}}]"#
        ),
    }
}

/// A plausible Customer record in wire JSON.
pub fn customer(id: &str, name: &str) -> Value {
    let guid = "9b5c5f1e-3c4d-4e2a-9f7b-1a2b3c4d5e6f";
    json!({
        "id": guid,
        "rowNumber": 1,
        "note": {"value": ""},
        "CustomerID": {"value": id},
        "CustomerName": {"value": name},
        "CustomerClass": {"value": "DEFAULT"},
        "Status": {"value": "Active"},
        "CreditLimit": {"value": 7500.0},
        "CurrencyID": {"value": "USD"},
        "Terms": {"value": "30D"},
        "LastModifiedDateTime": {"value": "2024-07-15T10:31:28.403+00:00"},
        "custom": {},
        "_links": {
            "self": format!("/entity/Default/24.200.001/Customer/{guid}"),
            "files:put": format!("/entity/Default/24.200.001/files/PX.Objects.AR.CustomerMaint/BAccount/{guid}/{{filename}}"),
        },
    })
}

/// The data routes: `name` goes into `CustomerName`.
async fn data(
    stream: &mut TcpStream,
    request: &RecordedRequest,
    path: &str,
    name: &str,
    close: bool,
) -> bool {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let entity = segments.get(3).copied().unwrap_or("");
    let key = segments.get(4).copied();
    match request.method.as_str() {
        "GET" if entity.eq_ignore_ascii_case("Customer") => {
            let served = format!("Customer served by the {name} origin");
            let body = match key {
                Some(key) if !key.is_empty() => customer(key, &served),
                _ => Value::Array(vec![customer("C001", &served)]),
            };
            write_json(stream, 200, &body, close).await
        }
        "GET" => write_json(stream, 200, &json!([]), close).await,
        "PUT" | "PATCH" => {
            let echo = serde_json::from_slice::<Value>(&request.body).unwrap_or(json!({}));
            write_json(stream, 200, &echo, close).await
        }
        _ => write_simple(stream, 204, &[], b"", close).await.is_ok(),
    }
}

/// The other origin: plausible success for everything.
async fn answer_other(
    stream: &mut TcpStream,
    shared: &Shared,
    request: &RecordedRequest,
    close: bool,
) -> bool {
    let s = &shared.secrets;
    let (path, _) = split_target(&request.target);
    match route(path) {
        Route::Login => write_simple(
            stream,
            204,
            &[
                (
                    "Set-Cookie",
                    format!(".ASPXAUTH={}; path=/; HttpOnly", s.other_aspxauth),
                ),
                (
                    "Set-Cookie",
                    "ASP.NET_SessionId=otherorigin00000000000; path=/; HttpOnly".into(),
                ),
            ],
            b"",
            close,
        )
        .await
        .is_ok(),
        Route::Logout => write_simple(stream, 204, &[], b"", close).await.is_ok(),
        Route::Token => write_json(stream, 200, &token(&s.other_access_token, s), close).await,
        Route::Data => {
            let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
            let is_customer = segments
                .get(3)
                .is_some_and(|e| e.eq_ignore_ascii_case("Customer"));
            if request.method == "GET" && is_customer {
                let record = customer(OTHER_CUSTOMER_ID, "Customer served by the other origin");
                let body = if segments.get(4).is_some_and(|k| !k.is_empty()) {
                    record
                } else {
                    Value::Array(vec![record])
                };
                write_json(stream, 200, &body, close).await
            } else {
                data(stream, request, path, "other", close).await
            }
        }
        Route::Unknown => write_json(stream, 200, &json!({}), close).await,
    }
}

/// A JSON array body of exactly `total` bytes, produced block by block.
struct HugeBody {
    remaining_elements: u64,
    last: Option<Vec<u8>>,
    started: bool,
}

/// One element of a huge or endless array, with its trailing comma.
const ELEMENT: &str = r#"{"CustomerID":{"value":"HUGE000001"},"CustomerName":{"value":"A customer in a very large answer"},"Status":{"value":"Active"}},"#;
/// The last element before `PAD` characters.
const LAST_HEAD: &str = r#"{"Pad":""#;
const LAST_TAIL: &str = r#""}]"#;

impl HugeBody {
    fn new(total: u64) -> HugeBody {
        let total = total.max(64);
        let fixed = 1 + (LAST_HEAD.len() + LAST_TAIL.len()) as u64;
        let element = ELEMENT.len() as u64;
        let elements = (total - fixed) / element;
        let pad = (total - fixed - elements * element) as usize;
        let mut last = LAST_HEAD.as_bytes().to_vec();
        last.extend(std::iter::repeat_n(b'x', pad));
        last.extend_from_slice(LAST_TAIL.as_bytes());
        HugeBody {
            remaining_elements: elements,
            last: Some(last),
            started: false,
        }
    }

    /// The next block, `None` at the end.
    fn next_block(&mut self) -> Option<Vec<u8>> {
        let mut block = Vec::with_capacity(BLOCK + ELEMENT.len());
        if !self.started {
            self.started = true;
            block.push(b'[');
        }
        while self.remaining_elements > 0 && block.len() + ELEMENT.len() <= BLOCK {
            block.extend_from_slice(ELEMENT.as_bytes());
            self.remaining_elements -= 1;
        }
        if self.remaining_elements == 0
            && let Some(last) = self.last.take()
        {
            block.extend_from_slice(&last);
        }
        (!block.is_empty()).then_some(block)
    }
}

/// Decrements the open-stream count however the stream ends.
struct OpenStream<'a>(&'a Streams);

impl<'a> OpenStream<'a> {
    fn new(streams: &'a Streams) -> Self {
        streams.open.fetch_add(1, Ordering::SeqCst);
        OpenStream(streams)
    }
}

impl Drop for OpenStream<'_> {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn huge(
    stream: &mut TcpStream,
    shared: &Shared,
    total: u64,
    framing: Framing,
    close: bool,
) -> bool {
    let _open = OpenStream::new(&shared.streams);
    let total = total.max(64);
    let mut head =
        String::from("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n");
    match framing {
        Framing::ContentLength => head.push_str(&format!("Content-Length: {total}\r\n")),
        Framing::Chunked => head.push_str("Transfer-Encoding: chunked\r\n"),
    }
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    if stream.write_all(head.as_bytes()).await.is_err() {
        return false;
    }
    let mut body = HugeBody::new(total);
    while let Some(block) = body.next_block() {
        let written = match framing {
            Framing::ContentLength => stream.write_all(&block).await,
            Framing::Chunked => write_chunk(stream, &block).await,
        };
        if written.is_err() {
            shared
                .streams
                .ended_by_client
                .fetch_add(1, Ordering::SeqCst);
            return false;
        }
        shared
            .streams
            .bytes
            .fetch_add(block.len() as u64, Ordering::SeqCst);
    }
    if framing == Framing::Chunked && stream.write_all(b"0\r\n\r\n").await.is_err() {
        return false;
    }
    stream.flush().await.is_ok()
}

async fn write_chunk(stream: &mut TcpStream, block: &[u8]) -> std::io::Result<()> {
    let mut framed = format!("{:x}\r\n", block.len()).into_bytes();
    framed.extend_from_slice(block);
    framed.extend_from_slice(b"\r\n");
    stream.write_all(&framed).await
}

/// Streams `[` and elements forever, until the client goes away or `max` has passed; then
/// closes the connection (the body never ends properly).
async fn endless(stream: &mut TcpStream, shared: &Shared, max: Duration) {
    let _open = OpenStream::new(&shared.streams);
    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n";
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let mut block = Vec::with_capacity(BLOCK);
    while block.len() + ELEMENT.len() <= BLOCK {
        block.extend_from_slice(ELEMENT.as_bytes());
    }
    let streaming = async {
        if write_chunk(stream, b"[").await.is_err() {
            return true;
        }
        loop {
            if write_chunk(stream, &block).await.is_err() {
                return true;
            }
            shared
                .streams
                .bytes
                .fetch_add(block.len() as u64, Ordering::SeqCst);
        }
    };
    if let Ok(true) = tokio::time::timeout(max, streaming).await {
        shared
            .streams
            .ended_by_client
            .fetch_add(1, Ordering::SeqCst);
    }
    let _ = stream.shutdown().await;
}

fn random_hex(n: usize) -> String {
    let state = RandomState::new();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut out = String::with_capacity(n + 16);
    let mut i = 0u64;
    while out.len() < n {
        let mut h = state.build_hasher();
        h.write_u128(nanos);
        h.write_u64(i);
        out.push_str(&format!("{:016x}", h.finish()));
        i += 1;
    }
    out.truncate(n);
    out
}

/// A value shaped like a JWT (`eyJ….….…`), random.
fn jwt_like() -> String {
    format!(
        "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ{}.{}",
        random_hex(96),
        random_hex(43)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_bodies_have_exactly_the_announced_size_and_parse() {
        for total in [0, 64, 65, 200, 1000, BLOCK as u64 + 7, 3 * BLOCK as u64] {
            let mut body = HugeBody::new(total);
            let mut all = Vec::new();
            let mut blocks = 0;
            while let Some(block) = body.next_block() {
                assert!(block.len() <= 2 * BLOCK);
                all.extend(block);
                blocks += 1;
                assert!(blocks < 10_000, "bounded");
            }
            assert_eq!(all.len() as u64, total.max(64), "size {total}");
            let parsed: Value = serde_json::from_slice(&all).expect("a JSON array");
            assert!(parsed.is_array());
        }
    }

    #[test]
    fn secrets_are_random_and_look_secret() {
        let (a, b) = (Secrets::generate(), Secrets::generate());
        assert_ne!(a.access_token, b.access_token);
        assert!(a.access_token.starts_with("eyJ") && a.access_token.len() > 100);
        assert_eq!(a.refresh_token.len(), 64);
        assert_eq!(a.aspxauth.len(), 360);
        let all = a.all();
        for (i, x) in all.iter().enumerate() {
            for y in &all[i + 1..] {
                assert_ne!(x, y);
            }
        }
    }

    #[test]
    fn token_garbage_carries_the_tokens_but_does_not_decode() {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct TokenResponse {
            access_token: String,
            token_type: String,
            expires_in: Option<u64>,
            refresh_token: Option<String>,
        }
        let s = Secrets::generate();
        for g in [
            TokenGarbage::ExpiresInObject,
            TokenGarbage::Truncated,
            TokenGarbage::WrappedInArray,
        ] {
            let body = token_garbage(&s, g);
            assert!(body.contains(&format!(r#""access_token":"{}""#, s.access_token)));
            assert!(body.contains(&format!(r#""refresh_token":"{}""#, s.refresh_token)));
            assert!(
                serde_json::from_str::<TokenResponse>(&body).is_err(),
                "{g:?} decodes"
            );
        }
        let good = token(&s.access_token, &s).to_string();
        assert!(serde_json::from_str::<TokenResponse>(&good).is_ok());
    }
}
