//! Live reload over Server-Sent Events: each open tab holds one stream; after each build
//! the server sends `reload`, `css` or `errors`, with the build number as the event id so
//! a tab that reconnects (after a server restart, say) and missed a build reloads at once.

use std::io::Write;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the tabs are told after a build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// New output is complete: reload the page.
    Reload,
    /// Only stylesheets changed: swap them without a reload.
    Css,
    /// The build failed: show these diagnostics (as the terminal shows them).
    Errors(Vec<String>),
}

impl Message {
    fn frame(&self, id: u64) -> String {
        match self {
            Message::Reload => format!("id: {id}\nevent: reload\ndata: {{}}\n\n"),
            Message::Css => format!("id: {id}\nevent: css\ndata: {{}}\n\n"),
            Message::Errors(list) => format!(
                "id: {id}\nevent: errors\ndata: {}\n\n",
                serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
            ),
        }
    }
}

/// The open tabs, and the last build's number and result.
#[derive(Clone, Default)]
pub struct Hub {
    inner: Arc<Mutex<HubInner>>,
}

#[derive(Default)]
struct HubInner {
    clients: Vec<Sender<(u64, Message)>>,
    build: u64,
    errors: Vec<String>,
}

impl Hub {
    /// A hub with no tabs, at build 0.
    pub fn new() -> Hub {
        Hub::default()
    }

    /// Records a finished build and tells every open tab.
    pub fn publish(&self, message: Message) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.build += 1;
        inner.errors = match &message {
            Message::Errors(e) => e.clone(),
            _ => Vec::new(),
        };
        let id = inner.build;
        // A tab that has gone away has dropped its receiver: forget it.
        inner
            .clients
            .retain(|c| c.send((id, message.clone())).is_ok());
    }

    /// The current build number.
    pub fn build(&self) -> u64 {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).build
    }

    /// The number of open tabs.
    pub fn clients(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clients
            .len()
    }

    fn subscribe(&self) -> (Receiver<(u64, Message)>, u64, Vec<String>) {
        let (tx, rx) = channel();
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.clients.push(tx);
        (rx, inner.build, inner.errors.clone())
    }

    /// Serves one event stream until the tab goes away. `last_id` is the tab's
    /// `Last-Event-ID`, when it reconnects.
    pub fn stream(&self, request: super::http::Request, last_id: Option<u64>) {
        let (rx, build, errors) = self.subscribe();
        let mut w = request.into_writer();
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n";
        if w.write_all(head.as_bytes()).is_err() {
            return;
        }
        let mut send = |text: &str| -> bool {
            let chunk = format!("{:x}\r\n{text}\r\n", text.len());
            w.write_all(chunk.as_bytes()).is_ok() && w.flush().is_ok()
        };
        // Tell the tab where things stand: retry quickly, and what it missed.
        let mut first = String::from("retry: 500\n\n");
        if !errors.is_empty() {
            first.push_str(&Message::Errors(errors).frame(build));
        } else if last_id.is_some_and(|id| id != build) {
            first.push_str(&Message::Reload.frame(build));
        } else {
            first.push_str(&format!("id: {build}\nevent: hello\ndata: {{}}\n\n"));
        }
        if !send(&first) {
            return;
        }
        loop {
            match rx.recv_timeout(Duration::from_secs(15)) {
                Ok((id, m)) => {
                    if !send(&m.frame(id)) {
                        return;
                    }
                }
                // A comment line every 15 s notices a closed tab.
                Err(RecvTimeoutError::Timeout) => {
                    if !send(": ping\n\n") {
                        return;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }
}

/// The script `serve` adds to every HTML page: reloads on `reload`, swaps stylesheets
/// on `css`, and shows an overlay with each diagnostic on `errors`.
pub const CLIENT_JS: &str = include_str!("live.js");
