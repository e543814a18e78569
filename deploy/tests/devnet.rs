//! `xmtp devnet` as a separate process: it prints both endpoints, their chain ids and the funded
//! accounts with their keys, serves JSON-RPC on them, and on Ctrl-C (SIGINT) stops both servers
//! and exits successfully.

#![cfg(unix)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Ends the devnet if the test fails before it does.
struct Devnet(Child);

impl Drop for Devnet {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One JSON-RPC request over a fresh connection.
fn rpc(addr: SocketAddr, method: &str) -> Value {
    let body = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"{method}","params":[]}}"#);
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).unwrap();
    let (_, body) = out.split_once("\r\n\r\n").unwrap();
    serde_json::from_str(body).unwrap()
}

/// The address at the end of a banner line that starts with `prefix`.
fn endpoint(lines: &[String], prefix: &str) -> SocketAddr {
    let line = lines
        .iter()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in {lines:#?}"));
    line.rsplit(' ')
        .next()
        .unwrap()
        .trim_start_matches("http://")
        .parse()
        .unwrap()
}

#[test]
fn devnet_prints_endpoints_chain_ids_and_accounts_and_stops_on_ctrl_c() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xmtp"))
        .args(["devnet", "--settlement-port", "0", "--app-port", "0"])
        .args([
            "--settlement-chain-id",
            "84532",
            "--app-chain-id",
            "351243127",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut devnet = Devnet(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // The banner is 15 lines; a minute covers a slow start on a loaded machine.
    let mut lines = Vec::new();
    while let Ok(line) = rx.recv_timeout(Duration::from_mins(1)) {
        let done = line == "serving; Ctrl-C stops";
        lines.push(line);
        if done || lines.len() > 40 {
            break;
        }
    }
    assert_eq!(
        lines.last().map(String::as_str),
        Some("serving; Ctrl-C stops")
    );
    let settlement = endpoint(&lines, "settlement chain      84532  http://127.0.0.1:");
    let app = endpoint(&lines, "app chain         351243127  http://127.0.0.1:");
    assert!(lines.contains(&"accounts (funded on both chains):".to_owned()));
    assert!(lines.contains(
        &"  (0) 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266  0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80".to_owned()
    ));
    let accounts = lines.iter().filter(|l| l.starts_with("  (")).count();
    assert_eq!(accounts, 10);
    assert_eq!(
        rpc(settlement, "eth_chainId")["result"],
        format!("{:#x}", 84_532)
    );
    assert_eq!(
        rpc(app, "eth_chainId")["result"],
        format!("{:#x}", 351_243_127)
    );
    let funded = rpc(app, "eth_accounts")["result"].as_array().unwrap().len();
    assert_eq!(funded, 10);

    // Ctrl-C: the process stops both servers and exits with success.
    let interrupted = Command::new("kill")
        .args(["-INT", &devnet.0.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = devnet.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "still running 30 s after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    // Exit code 0 and the farewell: the handler ran (SIGINT's default action has no exit code).
    assert_eq!(status.code(), Some(0));
    let mut said = String::new();
    stderr.read_to_string(&mut said).unwrap();
    assert_eq!(said, "devnet stopped\n");
}
