//! The preview server's HTTP side: a thread per connection over `std::net`, one request
//! per connection (every response says `Connection: close` and the connection is then
//! really closed), the request head parsed by `httparse`; maps a request path to a file
//! of the in-memory site and refuses anything that could reach outside it.
//!
//! Why not tiny_http: under load its pool queues a new connection behind busy ones, and
//! a live-reload stream or an idle keep-alive connection never frees its thread. 50 tabs
//! that connect at once (as they do when serve restarts) got 4 streams; the other 46
//! waited for ever. And it could not close a connection after a `Connection: close`
//! response, so a client that reads to the end of the response hung. See README.

use crate::output::{Body, Output};
use std::borrow::Cow;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a client may take to send its request head: one that connects and says
/// nothing, or dribbles, gives up its thread after this.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest request head taken (a browser's is 1–2 KB).
const MAX_HEAD: usize = 16 * 1024;
/// Headers taken in one request head.
const MAX_HEADERS: usize = 64;
/// How long a write may block: a tab that stops reading its stream is dropped, rather
/// than holding its thread and its unsent events for ever.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// After a response, how long to wait for the client to close its side (reading and
/// dropping whatever it still sends) before closing anyway: closing with unread bytes
/// would make the kernel reset the connection, and the client could lose the response.
const LINGER: Duration = Duration::from_secs(2);

/// The request methods the server tells apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// `GET`.
    Get,
    /// `HEAD`: the same head as `GET`, no body.
    Head,
    /// Any other method, as sent.
    Other(String),
}

/// One request read from a connection; answering it (through [`Request::into_writer`]
/// or [`respond`]) is the connection's only response.
pub struct Request {
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    stream: TcpStream,
}

impl Request {
    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The request target as sent: path and query.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The value of a header, by case-insensitive name (the first, if repeated).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The connection, to write the whole response (status line, headers, body) to. The
    /// server closes it once the handler returns.
    pub fn into_writer(self) -> TcpStream {
        self.stream
    }
}

/// Serves `listener` on a thread of its own, one thread per connection, calling
/// `handler` with each request. Returns at once; fails only if no thread can be started.
pub fn spawn<H>(listener: TcpListener, handler: H) -> std::io::Result<()>
where
    H: Fn(Request) + Send + Sync + 'static,
{
    let handler = Arc::new(handler);
    std::thread::Builder::new()
        .name("serve-accept".into())
        .spawn(move || {
            for conn in listener.incoming() {
                let stream = match conn {
                    Ok(s) => s,
                    // Out of file descriptors, say: back off briefly rather than spin;
                    // the pending connection stays in the backlog.
                    Err(_) => {
                        std::thread::sleep(Duration::from_millis(10));
                        continue;
                    }
                };
                let handler = handler.clone();
                // If no thread can be had, the connection is dropped (closed): the
                // client sees a closed connection, the server goes on.
                let _ = std::thread::Builder::new()
                    .name("serve-conn".into())
                    .spawn(move || connection(stream, &*handler));
            }
        })?;
    Ok(())
}

/// Reads one request, hands it to `handler`, then closes the connection.
fn connection(stream: TcpStream, handler: &dyn Fn(Request)) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    match read_head(&stream) {
        Ok(Some((method, url, headers))) => handler(Request {
            method,
            url,
            headers,
            stream: writer,
        }),
        Ok(None) => {}
        Err(status) => {
            let mut w = writer;
            let _ = w.write_all(
                format!(
                    "HTTP/1.1 {status} {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    reason(status)
                )
                .as_bytes(),
            );
        }
    }
    close(stream);
}

type Head = (Method, String, Vec<(String, String)>);

/// Reads and parses a request head: `Ok(None)` when the client closed without sending
/// one, `Err(status)` for a head that is malformed (400), too large (431) or too slow
/// (408).
fn read_head(mut stream: &TcpStream) -> Result<Option<Head>, u16> {
    let deadline = Instant::now() + HEAD_TIMEOUT;
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err(408);
        }
        match stream.read(&mut chunk) {
            Ok(0) if buf.is_empty() => return Ok(None),
            Ok(0) => return Err(400),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(408);
            }
            Err(_) => return Ok(None),
        }
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&buf) {
            Ok(httparse::Status::Complete(_)) => {
                let method = match req.method.unwrap_or("") {
                    "GET" => Method::Get,
                    "HEAD" => Method::Head,
                    other => Method::Other(other.to_string()),
                };
                let url = req.path.unwrap_or("").to_string();
                let headers = req
                    .headers
                    .iter()
                    .map(|h| {
                        (
                            h.name.to_string(),
                            String::from_utf8_lossy(h.value).into_owned(),
                        )
                    })
                    .collect();
                return Ok(Some((method, url, headers)));
            }
            Ok(httparse::Status::Partial) if buf.len() < MAX_HEAD => {}
            Ok(httparse::Status::Partial) | Err(httparse::Error::TooManyHeaders) => {
                return Err(431);
            }
            Err(_) => return Err(400),
        }
    }
}

/// Ends a connection the way a client expects after `Connection: close`: no more bytes
/// from us, then whatever the client still sends is read and dropped until it closes
/// (or [`LINGER`] passes), so the close never turns into a reset.
fn close(mut stream: TcpStream) {
    let _ = stream.flush();
    if stream.shutdown(Shutdown::Write).is_err() {
        return;
    }
    let deadline = Instant::now() + LINGER;
    let mut sink = [0u8; 4096];
    let mut drained = 0usize;
    while drained < 1 << 20 {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut sink) {
            Ok(0) => return,
            Ok(n) => drained += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

/// What a request path resolves to.
#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    /// A file of the site, by its output path.
    File(String),
    /// A redirect to another path (folder without slash, `/` to the base path).
    Redirect(String),
    /// Nothing there: serve `404.html` with status 404.
    NotFound,
    /// A path that cannot be valid (`..`, NUL, backslash, bad encoding): 400.
    BadRequest,
}

/// Resolves a request target (path and query, as sent) against the site.
pub fn route(target: &str, base_path: &str, output: &Output) -> Route {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let Some(decoded) = percent_decode(path) else {
        return Route::BadRequest;
    };
    if !decoded.starts_with('/')
        || decoded.contains('\0')
        || decoded.contains('\\')
        || decoded.split('/').any(|s| s == ".." || s == ".")
    {
        return Route::BadRequest;
    }
    if decoded == "/" && base_path != "/" {
        return Route::Redirect(base_path.to_string());
    }
    let Some(rel) = decoded.strip_prefix(base_path) else {
        // The base path without its final slash: `/playbook` → `/playbook/`.
        if format!("{decoded}/") == base_path {
            return Route::Redirect(base_path.to_string());
        }
        return Route::NotFound;
    };
    let file: Cow<'_, str> = if rel.is_empty() || rel.ends_with('/') {
        Cow::Owned(format!("{rel}index.html"))
    } else {
        Cow::Borrowed(rel)
    };
    if output.contains(&file) {
        return Route::File(file.into_owned());
    }
    if output.contains(&format!("{rel}/index.html")) {
        return Route::Redirect(format!("{decoded}/"));
    }
    Route::NotFound
}

/// Decodes `%xx` escapes; `None` when the result is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            ) else {
                return None;
            };
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The content type of an output path.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "wasm" => "application/wasm",
        "pdf" => "application/pdf",
        "txt" | "md" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// The bytes of a file of the site.
pub fn body_bytes(body: &Body) -> std::io::Result<Cow<'_, [u8]>> {
    match body {
        Body::Bytes(b) => Ok(Cow::Borrowed(b)),
        Body::Shared(b) => Ok(Cow::Borrowed(b.as_slice())),
        Body::Static(b) => Ok(Cow::Borrowed(b)),
        Body::Copy(p) => std::fs::read(p).map(Cow::Owned),
        Body::Written => Err(std::io::Error::other("written to disk, not kept in memory")),
    }
}

/// Adds the live-reload client to an HTML page, before `</body>` (or at the end).
pub fn inject_client(html: &[u8]) -> Vec<u8> {
    const TAG: &[u8] = b"<script src=\"/__playbook/live.js\"></script>\n";
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + TAG.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(TAG);
    out.extend_from_slice(&html[at..]);
    out
}

/// Writes a whole response; the connection is closed after it.
pub fn respond(
    request: Request,
    status: u16,
    content_type: &str,
    extra_headers: &[(&str, &str)],
    body: &[u8],
) {
    let head_only = request.method() == &Method::Head;
    let mut w = request.into_writer();
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        reason(status),
        body.len()
    );
    for (k, v) in extra_headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    // One write for head and body: one segment for a small page.
    let mut out = head.into_bytes();
    if !head_only {
        out.extend_from_slice(body);
    }
    // The client may have gone away; nothing to do about it.
    let _ = w.write_all(&out);
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Output {
        let mut o = Output::new();
        o.insert_text("index.html", "home".into());
        o.insert_text("prompts/x/index.html", "x".into());
        o.insert_text("style.css", "css".into());
        o.insert_text("404.html", "404".into());
        o
    }

    #[test]
    fn routes_files_folders_and_redirects() {
        let o = site();
        assert_eq!(route("/pb/", "/pb/", &o), Route::File("index.html".into()));
        assert_eq!(route("/", "/pb/", &o), Route::Redirect("/pb/".into()));
        assert_eq!(route("/pb", "/pb/", &o), Route::Redirect("/pb/".into()));
        assert_eq!(
            route("/pb/prompts/x/?q=1", "/pb/", &o),
            Route::File("prompts/x/index.html".into())
        );
        assert_eq!(
            route("/pb/prompts/x", "/pb/", &o),
            Route::Redirect("/pb/prompts/x/".into())
        );
        assert_eq!(
            route("/pb/style.css", "/pb/", &o),
            Route::File("style.css".into())
        );
        assert_eq!(route("/style.css", "/pb/", &o), Route::NotFound);
        assert_eq!(route("/pb/nope/", "/pb/", &o), Route::NotFound);
    }

    #[test]
    fn refuses_traversal_in_every_spelling() {
        let o = site();
        for bad in [
            "/pb/../etc/passwd",
            "/pb/%2e%2e/etc/passwd",
            "/pb/%2E%2E%2Fetc%2Fpasswd",
            "/pb/..%5c..%5cetc",
            "/pb/a\\..\\b",
            "/pb/%00",
            "/pb/%zz",
            "/pb/%ff",
            "//etc/passwd/..",
            "pb/index.html",
        ] {
            assert_eq!(route(bad, "/pb/", &o), Route::BadRequest, "{bad}");
        }
    }

    #[test]
    fn injects_the_client_before_body_end() {
        let out = inject_client(b"<html><body><p>x</p></body></html>");
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains("<p>x</p><script src=\"/__playbook/live.js\"></script>\n</body>"));
    }
}
