//! A scripted HTTP server on loopback, for the answers a real Distribution registry cannot be made to
//! give on demand: 429 and 5xx, malformed bodies, pagination links to other hosts, other registries'
//! quirks (Nexus's 404 to HEAD, null tag entries), and network faults (a connection reset before or
//! after the request was carried out, a body cut short, an answer that stalls). Everything a real
//! registry can do is tested against the real one; the fault proxy sits in front of a real registry.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How a reply goes wrong on the wire, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Sent whole.
    None,
    /// The connection is reset (TCP RST) instead of answering.
    Reset,
    /// The head and this many bytes of the body are sent (the head announcing the whole length),
    /// then the connection is reset.
    Truncate(usize),
    /// Nothing is sent for this long, then the reply goes out whole.
    Stall(std::time::Duration),
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub fault: Fault,
}

impl Reply {
    pub fn new(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            fault: Fault::None,
        }
    }

    /// No answer at all: the connection is reset.
    pub fn reset() -> Self {
        Self::new(0).fault(Fault::Reset)
    }

    pub fn fault(mut self, fault: Fault) -> Self {
        self.fault = fault;
        self
    }

    pub fn json(status: u16, body: &str) -> Self {
        Self::new(status)
            .header("Content-Type", "application/json")
            .body(body)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn body(mut self, body: &str) -> Self {
        self.body = body.as_bytes().to_vec();
        self
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A server answering every request with what `handler` returns; it records the requests.
pub struct Scripted {
    pub ip: String,
    pub port: u16,
    pub requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Scripted {
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        Self::start_at("127.0.0.1", handler)
    }

    /// A scripted server on another loopback address (127.0.0.2 is "another host" to an HTTP client).
    pub fn start_at(ip: &str, handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind((ip, 0)).expect("binding the scripted server");
        let port = listener.local_addr().expect("local address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let (requests, stop) = (requests.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (handler, requests) = (handler.clone(), requests.clone());
                    std::thread::spawn(move || serve(stream, &*handler, &requests));
                }
            })
        };
        Self {
            ip: ip.to_owned(),
            port,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}:{}", self.ip, self.port)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect((self.ip.as_str(), self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers requests on one connection until the client closes it.
fn serve(stream: TcpStream, handler: &Handler, requests: &Mutex<Vec<Request>>) {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream.try_clone().expect("stream clone"));
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
            return;
        };
        let mut request = Request {
            method: method.into(),
            target: target.into(),
            headers: Vec::new(),
            body: Vec::new(),
        };
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                request
                    .headers
                    .push((name.trim().into(), value.trim().into()));
            }
        }
        let length: usize = request
            .header("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        request.body = vec![0; length];
        if std::io::Read::read_exact(&mut reader, &mut request.body).is_err() {
            return;
        }
        requests.lock().unwrap().push(request.clone());
        let reply = handler(&request);
        let body_len = match reply.fault {
            Fault::Reset => return reset(&writer),
            Fault::Truncate(n) => n.min(reply.body.len()),
            Fault::Stall(pause) => {
                std::thread::sleep(pause);
                reply.body.len()
            }
            Fault::None => reply.body.len(),
        };
        let mut head = format!("HTTP/1.1 {} Scripted\r\n", reply.status);
        for (name, value) in &reply.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", reply.body.len()));
        // One write, so Nagle's algorithm and delayed ACKs never hold half an answer back.
        let mut answer = head.into_bytes();
        if request.method != "HEAD" {
            answer.extend_from_slice(&reply.body[..body_len]);
        }
        if writer.write_all(&answer).is_err() {
            return;
        }
        if matches!(reply.fault, Fault::Truncate(_)) {
            let _ = writer.flush();
            return reset(&writer);
        }
    }
}

/// Closes a connection with a TCP reset (SO_LINGER 0), as a crashed proxy or a middlebox does.
fn reset(stream: &TcpStream) {
    let socket = socket2::SockRef::from(stream);
    let _ = socket.set_linger(Some(std::time::Duration::ZERO));
    let _ = socket.shutdown(std::net::Shutdown::Both);
}

impl Scripted {
    /// A proxy in front of a real registry. Every request first goes to `on_request`: its reply, if
    /// any, is sent instead of forwarding (a registry that refuses something); returning None
    /// forwards it, after whatever delay the hook chose (a slow registry).
    pub fn proxy(
        upstream: &str,
        on_request: impl Fn(&Request) -> Option<Reply> + Send + Sync + 'static,
    ) -> Self {
        Self::fault_proxy(upstream, on_request, |_, reply| reply)
    }

    /// A proxy that may also spoil the registry's answer after the request was carried out:
    /// `on_response` gets the request and the registry's real reply and returns what to send (a 502,
    /// a reset, a truncated body...), so the registry did the work but the client cannot know.
    pub fn fault_proxy(
        upstream: &str,
        on_request: impl Fn(&Request) -> Option<Reply> + Send + Sync + 'static,
        on_response: impl Fn(&Request, Reply) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let upstream = upstream.trim_end_matches('/').to_owned();
        let client = reqwest::blocking::Client::new();
        Scripted::start(move |req| match on_request(req) {
            Some(reply) => reply,
            None => on_response(req, forward(&client, &upstream, req)),
        })
    }

    /// A registry that holds every DELETE for `delay`: slow enough to interrupt a removal half-way.
    pub fn slow_delete_proxy(upstream: &str, delay: std::time::Duration) -> Self {
        Self::proxy(upstream, move |req| {
            if req.method == "DELETE" {
                std::thread::sleep(delay);
            }
            None
        })
    }
}

/// Passes a request on to `upstream` and its answer back.
fn forward(client: &reqwest::blocking::Client, upstream: &str, req: &Request) -> Reply {
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).expect("HTTP method");
    let mut forward = client.request(method, format!("{upstream}{}", req.target));
    for (name, value) in &req.headers {
        let lower = name.to_ascii_lowercase();
        if ["accept", "authorization", "content-type"].contains(&lower.as_str()) {
            forward = forward.header(name.as_str(), value.as_str());
        }
    }
    if !req.body.is_empty() {
        forward = forward.body(req.body.clone());
    }
    let response = forward.send().expect("forwarding to the registry");
    let mut reply = Reply::new(response.status().as_u16());
    for name in [
        "content-type",
        "docker-content-digest",
        "link",
        "location",
        "www-authenticate",
    ] {
        if let Some(value) = response.headers().get(name).and_then(|v| v.to_str().ok()) {
            // The registry names itself in upload locations; through the proxy, that is the proxy.
            let value = match req.header("host") {
                Some(host) if name == "location" => {
                    value.replace(upstream, &format!("http://{host}"))
                }
                _ => value.to_owned(),
            };
            reply = reply.header(name, &value);
        }
    }
    reply.body = response.bytes().map(|b| b.to_vec()).unwrap_or_default();
    reply
}
