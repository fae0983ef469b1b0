//! Cloud Run and Knative: the defaults the platform requires, and the trace
//! context its front end sends.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use anyfn::{handler_fn, Context, Request};
use anyfn_test::{TestRequest, TestServer};
use serde_json::Value;

use crate::support::ExampleServer;

/// One `GET` over a fresh connection; the response's body.
fn get_body(addr: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default()
}

/// With `K_SERVICE` set the server binds every interface (Cloud Run sends
/// requests from outside the container) without the warning it gives
/// elsewhere, and the context says Cloud Run, the service and the revision.
#[test]
fn with_k_service_set_the_server_binds_every_interface_and_says_cloud_run() {
    let server = ExampleServer::start_with_env(
        "echo",
        &[("K_SERVICE", "orders"), ("K_REVISION", "orders-00042-abc")],
    );
    assert!(server.addr.ip().is_unspecified(), "{}", server.addr);
    let loopback = SocketAddr::from(([127, 0, 0, 1], server.addr.port()));
    let echoed: Value = serde_json::from_str(&get_body(loopback, "/")).expect("JSON");
    assert_eq!(echoed["platform"], "cloud-run");
    assert_eq!(echoed["functionName"], "orders");
    assert_eq!(echoed["traceId"], Value::Null);
    server.terminate();
    let warned = std::iter::from_fn(|| server.lines.recv_timeout(Duration::from_secs(10)).ok())
        .any(|line| line.contains("reachable from other machines"));
    assert!(!warned, "no warning about every interface on Cloud Run");
}

/// Elsewhere the server stays on loopback.
#[test]
fn without_k_service_the_server_stays_on_loopback() {
    let server = ExampleServer::start("echo");
    assert!(server.addr.ip().is_loopback(), "{}", server.addr);
    let echoed: Value = serde_json::from_str(&get_body(server.addr, "/")).expect("JSON");
    assert_eq!(echoed["platform"], "local-server");
    server.terminate();
}

async fn trace_id_of(request: TestRequest) -> Option<String> {
    let server = TestServer::start(handler_fn(
        |_request: Request, context: Context| async move {
            Ok::<_, anyfn::Error>(anyfn::response::text(
                context.trace_id().unwrap_or("none").to_owned(),
            ))
        },
    ))
    .await
    .expect("server");
    let response = server.client().send(request).await.expect("response");
    server.shutdown().await;
    let text = response.text().to_owned();
    (text != "none").then_some(text)
}

#[tokio::test]
async fn the_trace_context_reaches_the_context_trace_id() {
    assert_eq!(
        trace_id_of(TestRequest::get("/").header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        ))
        .await
        .as_deref(),
        Some("4bf92f3577b34da6a3ce929d0e0e4736")
    );
    assert_eq!(
        trace_id_of(TestRequest::get("/").header(
            "x-cloud-trace-context",
            "105445aa7843bc8bf206b12000100000/1;o=1"
        ))
        .await
        .as_deref(),
        Some("105445aa7843bc8bf206b12000100000")
    );
    assert_eq!(trace_id_of(TestRequest::get("/")).await, None);
    assert_eq!(
        trace_id_of(TestRequest::get("/").header("traceparent", "garbage")).await,
        None,
        "a malformed trace context is ignored, not an error"
    );
}

/// On Cloud Run the default log is Cloud Logging's structured JSON, one
/// object per line: a line the function logs carries its severity, message,
/// request id and, with the project known, the trace Cloud Logging links
/// it to; the `REPORT` line is a JSON line too.
#[test]
fn on_cloud_run_the_log_is_structured_json_with_the_requests_trace() {
    let server = ExampleServer::start_with_env(
        "failures",
        &[
            ("K_SERVICE", "failures"),
            ("GOOGLE_CLOUD_PROJECT", "my-project"),
            ("ANYFN_LOG_FORMAT", ""),
        ],
    );
    let loopback = SocketAddr::from(([127, 0, 0, 1], server.addr.port()));
    let mut stream = TcpStream::connect(loopback).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET /log HTTP/1.1\r\nhost: {loopback}\r\n\
         traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n\
         connection: close\r\n\r\n"
    )
    .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let request_id = response
        .lines()
        .find_map(|line| line.strip_prefix("x-request-id: "))
        .expect("an x-request-id header")
        .to_owned();

    let parse = |line: String| -> Value {
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not one JSON object ({e}): {line}"))
    };
    let logged = parse(server.line_containing("a line from the function", Duration::from_secs(10)));
    assert_eq!(logged["severity"], "INFO", "{logged}");
    assert_eq!(logged["message"], "a line from the function", "{logged}");
    assert_eq!(logged["path"], "/log", "{logged}");
    assert_eq!(logged["request_id"], request_id.as_str(), "{logged}");
    assert_eq!(
        logged["logging.googleapis.com/trace"],
        "projects/my-project/traces/4bf92f3577b34da6a3ce929d0e0e4736",
        "{logged}"
    );

    let report = parse(server.line_containing("REPORT RequestId: ", Duration::from_secs(10)));
    assert_eq!(report["severity"], "INFO", "{report}");
    assert_eq!(report["target"], "anyfn::report", "{report}");
    let message = report["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(&format!("REPORT RequestId: {request_id}\tDuration: ")),
        "{report}"
    );
    server.terminate();
}

/// The TCP addresses process `pid` listens on, read from the kernel's socket
/// tables (`/proc/net/tcp`, as `ss -ltn` reads them) for the sockets among
/// the process's file descriptors.
fn listening_addrs(pid: u32) -> Vec<SocketAddr> {
    let inodes: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|fds| {
            fds.filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
                .filter_map(|link| {
                    let link = link.to_string_lossy().into_owned();
                    Some(link.strip_prefix("socket:[")?.strip_suffix(']')?.to_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    let table = std::fs::read_to_string("/proc/net/tcp").expect("/proc/net/tcp");
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // local_address, st (0A = LISTEN), inode
            let (local, state, inode) = (fields.get(1)?, fields.get(3)?, fields.get(9)?);
            if *state != "0A" || !inodes.iter().any(|i| i == inode) {
                return None;
            }
            let (ip, port) = local.split_once(':')?;
            let ip = u32::from_str_radix(ip, 16).ok()?.to_le_bytes();
            let port = u16::from_str_radix(port, 16).ok()?;
            Some(SocketAddr::from((ip, port)))
        })
        .collect()
}

/// Starts `hello` with `env`, without `HOST` or `PORT`; the addresses it
/// listens on once it listens (polled, at most 20 s).
fn hello_listens_on(env: &[(&str, &str)]) -> Vec<SocketAddr> {
    use std::process::{Command, Stdio};

    let mut child = Command::new(crate::lambda::example("hello"))
        .env_remove("PORT")
        .env_remove("HOST")
        .env_remove("K_SERVICE")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("hello starts");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let addrs = loop {
        let addrs = listening_addrs(child.id());
        if !addrs.is_empty() {
            break addrs;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("hello exited ({status}) before listening: is the port in use?");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "hello did not listen within 20 s"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let _ = child.kill();
    let _ = child.wait();
    addrs
}

/// The platform's contract, read from the listening socket itself: with
/// `K_SERVICE` set and no `PORT`, every interface on 8080, as Cloud Run
/// requires; without it, loopback on 3000 as ever. (The two run in one
/// test, one after the other: they use fixed ports.)
#[test]
fn with_k_service_and_no_port_hello_listens_on_every_interface_at_8080_else_loopback_3000() {
    assert_eq!(
        hello_listens_on(&[("K_SERVICE", "hello")]),
        [SocketAddr::from(([0, 0, 0, 0], 8080))]
    );
    assert_eq!(
        hello_listens_on(&[]),
        [SocketAddr::from(([127, 0, 0, 1], 3000))]
    );
}
