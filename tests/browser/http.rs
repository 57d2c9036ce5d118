//! A tiny HTTP/1.1 server on 127.0.0.1 for the browser test: one thread per connection,
//! one request per connection, and a log of every request it parsed, in arrival order.
//! It stops when dropped; every socket read and write is bounded in time.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A stuck client must not keep a connection thread alive past the test.
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// Far more than a browser sends for the pages in this test.
const MAX_HEAD_BYTES: usize = 64 * 1024;
const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as on the request line.
    pub target: String,
    /// Names lower-cased.
    headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }
}

pub struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        let headers = vec![("Content-Type", content_type.to_owned())];
        Response { status, headers, body: body.into() }
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Response {
        self.headers.push((name, value.to_owned()));
        self
    }

    fn write_to(&self, mut out: impl Write, with_body: bool) -> io::Result<()> {
        write!(out, "HTTP/1.1 {} {}\r\n", self.status, reason(self.status))?;
        for (name, value) in &self.headers {
            write!(out, "{name}: {value}\r\n")?;
        }
        write!(out, "Content-Length: {}\r\nConnection: close\r\n\r\n", self.body.len())?;
        if with_body {
            out.write_all(&self.body)?;
        }
        out.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Unknown",
    }
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

pub struct Server {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    accept_thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Listens on a free port of 127.0.0.1 and answers each request with `handler`.
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("the listener's address");
        // Non-blocking accept, polled, so that Drop can stop the loop without a wake-up
        // connection.
        listener.set_nonblocking(true).expect("make the listener non-blocking");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let accept_thread = {
            let (log, stop) = (Arc::clone(&log), Arc::clone(&stop));
            std::thread::spawn(move || accept_loop(&listener, &handler, &log, &stop))
        };
        Server { addr, log, stop, accept_thread: Some(accept_thread) }
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request parsed so far, in the order their heads arrived.
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.accept_thread.take() {
            let _ = thread.join();
        }
    }
}

fn accept_loop(
    listener: &TcpListener,
    handler: &Arc<Handler>,
    log: &Arc<Mutex<Vec<Request>>>,
    stop: &AtomicBool,
) {
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let (handler, log) = (Arc::clone(handler), Arc::clone(log));
                // A connection that fails (client gone, garbage) only loses its own
                // request; the test sees that as a missing entry in the log.
                std::thread::spawn(move || {
                    let _ = serve_connection(stream, &*handler, &log);
                });
            }
            // Nothing to accept yet (WouldBlock), or a connection aborted before accept.
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

fn serve_connection(
    stream: TcpStream,
    handler: &Handler,
    log: &Mutex<Vec<Request>>,
) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut reader = BufReader::new(&stream);
    let request = read_request(&mut reader)?;
    log.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(request.clone());
    let response = handler(&request);
    response.write_to(&stream, request.method != "HEAD")
}

fn read_request(reader: &mut impl BufRead) -> io::Result<Request> {
    let mut head_bytes = 0;
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        let read = reader.read_line(&mut line)?;
        head_bytes += read;
        if read == 0 || head_bytes > MAX_HEAD_BYTES {
            return Err(invalid("request head cut short or too long"));
        }
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if line.is_empty() {
            break;
        }
        lines.push(line);
    }
    let mut request_line = lines.first().map(|l| l.split(' ')).ok_or(invalid("no request line"))?;
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().ok_or(invalid("no request target"))?.to_owned();
    let headers = lines[1..]
        .iter()
        .filter_map(|l| l.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let request = Request { method, target, headers };
    // Read the body so the client is not reset while still sending it.
    let length: usize = request.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    if length > MAX_BODY_BYTES {
        return Err(invalid("request body too long"));
    }
    reader.take(length as u64).read_to_end(&mut Vec::new())?;
    Ok(request)
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// Serves the files under `root` for GET and HEAD; `/` is `index.html`. Paths that
/// would leave `root` are not found.
pub fn static_files(root: &Path) -> impl Fn(&Request) -> Response + Send + Sync + 'static {
    let root = root.to_path_buf();
    move |request| {
        if request.method != "GET" && request.method != "HEAD" {
            return Response::new(405, "text/plain", "method not allowed\n");
        }
        match file_under(&root, request.path()).and_then(|path| std::fs::read(&path).ok()) {
            Some(bytes) => Response::new(200, content_type(request.path()), bytes)
                .header("Cache-Control", "no-store"),
            None => Response::new(404, "text/plain", "not found\n"),
        }
    }
}

fn file_under(root: &Path, url_path: &str) -> Option<PathBuf> {
    let relative = match url_path.trim_start_matches('/') {
        "" => "index.html",
        rest => rest,
    };
    let relative = Path::new(relative);
    let inside = relative.components().all(|c| matches!(c, Component::Normal(_)));
    inside.then(|| root.join(relative))
}

fn content_type(url_path: &str) -> &'static str {
    match Path::new(url_path).extension().and_then(|e| e.to_str()) {
        None | Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some(_) => "application/octet-stream",
    }
}
