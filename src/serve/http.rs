//! The preview server's HTTP side: maps a request path to a file of the in-memory site,
//! refuses anything that could reach outside it, and writes every response itself with
//! `Connection: close` (tiny_http's pool would otherwise let an idle keep-alive or
//! Server-Sent Events connection stall new requests; see ARCHITECTURE.md).

use crate::output::{Body, Output};
use std::borrow::Cow;
use std::io::Write;

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

/// Writes a whole response and closes the connection.
pub fn respond(
    request: tiny_http::Request,
    status: u16,
    content_type: &str,
    extra_headers: &[(&str, &str)],
    body: &[u8],
) {
    let head_only = request.method() == &tiny_http::Method::Head;
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
    // The client may have gone away; nothing to do about it.
    let _ = w.write_all(head.as_bytes());
    if !head_only {
        let _ = w.write_all(body);
    }
    let _ = w.flush();
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
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
