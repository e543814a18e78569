//! HTTP servers on loopback, one per chain, each answering JSON-RPC for its chain.
//!
//! The runtime's chains are not `Send` (the WASM engine shares state through `Rc`), so one
//! thread builds the devnet and owns it for its whole life, serving both listeners in turn; the
//! rest of the process reaches the devnet through [`DevnetServer::with`].

use std::io::Read as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::devnet::{Devnet, DevnetConfig, Side};
use crate::node::NodeError;
use crate::rpc::Rpc;

/// The largest request body accepted.
pub const MAX_BODY: u64 = 16 * 1024 * 1024;

type Job = Box<dyn FnOnce(&mut Devnet) + Send>;

/// How the devnet is served.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Settlement chain port on 127.0.0.1 (0 picks a free one).
    pub settlement_port: u16,
    /// App chain port on 127.0.0.1 (0 picks a free one).
    pub app_port: u16,
    /// Relay after every state change made over JSON-RPC, so tickets arrive without being asked
    /// for.
    pub auto_relay: bool,
    /// Also mine an empty block on both chains at this interval, moving their clocks by it
    /// (whole seconds, at least one); `None` mines only on transactions and dev methods.
    pub block_time: Option<Duration>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            settlement_port: 0,
            app_port: 0,
            auto_relay: true,
            block_time: None,
        }
    }
}

/// Both chains served over HTTP; dropping it stops the servers.
#[derive(Debug)]
pub struct DevnetServer {
    settlement: SocketAddr,
    app: SocketAddr,
    stop: Arc<AtomicBool>,
    jobs: mpsc::Sender<Job>,
    thread: Option<JoinHandle<()>>,
}

impl DevnetServer {
    /// Builds a devnet and serves it on 127.0.0.1.
    pub fn start(config: DevnetConfig, options: &ServerOptions) -> std::io::Result<Self> {
        let options = options.clone();
        let mut servers = Vec::new();
        let mut addrs = Vec::new();
        for port in [options.settlement_port, options.app_port] {
            let server = tiny_http::Server::http(("127.0.0.1", port))
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            let addr = server
                .server_addr()
                .to_ip()
                .ok_or_else(|| std::io::Error::other("not an IP listener"))?;
            servers.push(server);
            addrs.push(addr);
        }
        let stop = Arc::new(AtomicBool::new(false));
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<(), NodeError>>();
        let thread_stop = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut devnet = match Devnet::new(config) {
                Ok(d) => {
                    let _ = ready_tx.send(Ok(()));
                    d
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            serve(&servers, &mut devnet, &options, &job_rx, &thread_stop);
        });
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(std::io::Error::other(e.to_string())),
            Err(_) => {
                return Err(std::io::Error::other(
                    "the devnet thread died while starting",
                ))
            }
        }
        Ok(Self {
            settlement: addrs[0],
            app: addrs[1],
            stop,
            jobs,
            thread: Some(thread),
        })
    }

    /// The settlement chain's address.
    pub fn settlement_addr(&self) -> SocketAddr {
        self.settlement
    }

    /// The app chain's address.
    pub fn app_addr(&self) -> SocketAddr {
        self.app
    }

    /// The settlement chain's URL.
    pub fn settlement_url(&self) -> String {
        format!("http://{}", self.settlement)
    }

    /// The app chain's URL.
    pub fn app_url(&self) -> String {
        format!("http://{}", self.app)
    }

    /// Runs `f` on the devnet, between two requests, and returns its result.
    pub fn with<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Devnet) -> R + Send + 'static,
    ) -> std::io::Result<R> {
        let (tx, rx) = mpsc::channel();
        self.jobs
            .send(Box::new(move |d| {
                let _ = tx.send(f(d));
            }))
            .map_err(|_| std::io::Error::other("the devnet has stopped"))?;
        rx.recv()
            .map_err(|_| std::io::Error::other("the devnet has stopped"))
    }

    /// Stops both servers and waits for them.
    pub fn shutdown(mut self) {
        self.stop_thread();
    }

    fn stop_thread(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            // A server thread that panicked has nothing left to clean up.
            let _ = t.join();
        }
    }
}

impl Drop for DevnetServer {
    fn drop(&mut self) {
        self.stop_thread();
    }
}

fn serve(
    servers: &[tiny_http::Server],
    devnet: &mut Devnet,
    options: &ServerOptions,
    jobs: &mpsc::Receiver<Job>,
    stop: &AtomicBool,
) {
    let auto_relay = options.auto_relay;
    let rpcs = [
        Rpc::new(Side::Settlement, auto_relay),
        Rpc::new(Side::App, auto_relay),
    ];
    let mut last_block = Instant::now();
    while !stop.load(Ordering::SeqCst) {
        let mut idle = true;
        if let Some(interval) = options.block_time {
            if last_block.elapsed() >= interval {
                last_block = Instant::now();
                devnet.advance(interval.as_secs().max(1));
                if auto_relay {
                    devnet.relay();
                }
            }
        }
        for (server, rpc) in servers.iter().zip(rpcs) {
            match server.try_recv() {
                Ok(Some(request)) => {
                    idle = false;
                    respond(rpc, devnet, request);
                }
                Ok(None) => {}
                Err(_) => return,
            }
        }
        while let Ok(job) = jobs.try_recv() {
            idle = false;
            job(devnet);
        }
        if idle {
            // Polling both listeners from one thread: a short nap when both are quiet.
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

fn respond(rpc: Rpc, devnet: &mut Devnet, mut request: tiny_http::Request) {
    let json_header = tiny_http::Header::from_bytes(&b"Content-Type"[..], &b"application/json"[..])
        .expect("a valid header");
    if *request.method() != tiny_http::Method::Post {
        let body = r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"JSON-RPC requests are POSTed"}}"#;
        let r = tiny_http::Response::from_string(body)
            .with_status_code(405)
            .with_header(json_header);
        let _ = request.respond(r);
        return;
    }
    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut body);
    let out = match read {
        Ok(_) if body.len() as u64 > MAX_BODY => serde_json::json!({
            "jsonrpc": "2.0", "id": null,
            "error": { "code": -32600, "message": "request body too large" }
        }),
        Ok(_) => rpc.handle_body(devnet, &body),
        Err(e) => serde_json::json!({
            "jsonrpc": "2.0", "id": null,
            "error": { "code": -32700, "message": format!("could not read the request: {e}") }
        }),
    };
    let r = tiny_http::Response::from_string(out.to_string()).with_header(json_header);
    // The client may have gone away; nothing to do about it.
    let _ = request.respond(r);
}
