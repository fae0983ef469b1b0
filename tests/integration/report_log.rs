//! The default log of a server process whose stderr is a pipe (as under a
//! container platform): `REPORT` lines are batched, yet each arrives within a
//! bound when the server goes idle, whole, in order, and none is lost at
//! shutdown.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::support::ExampleServer;

/// One `GET /?name=Ada` on its own connection; the `x-request-id` answered.
fn request_id_of_one_get(addr: SocketAddr) -> String {
    let mut stream = TcpStream::connect(addr).expect("connects");
    stream
        .write_all(b"GET /?name=Ada HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .expect("request sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("response read");
    assert!(answer.ends_with("Hello, Ada!"), "{answer}");
    answer
        .lines()
        .find_map(|line| line.strip_prefix("x-request-id: "))
        .expect("an x-request-id header")
        .to_owned()
}

/// Batching must not hold the last line of a burst until the next one: the
/// flusher writes it out shortly after.
#[test]
fn regression_report_line_arrives_while_the_server_is_idle() {
    let server = ExampleServer::start("hello");
    let request_id = request_id_of_one_get(server.addr);
    let line = server.line_containing("REPORT RequestId: ", Duration::from_secs(5));
    assert!(
        line.contains(&format!("REPORT RequestId: {request_id}\tDuration: ")),
        "{line}"
    );
    assert!(line.contains(" INFO anyfn::report: "), "{line}");
}

/// The cold start is reported the same way by each adapter that starts a
/// process of its own: the INIT line says how long the process took from
/// its start to ready. (On Lambda, the platform's own REPORT line does.)
#[tokio::test]
async fn init_lines_report_the_cold_start_on_the_server_and_on_azure() {
    let server = ExampleServer::start("hello");
    assert_reports_init_duration(&server.init_line);
    let (azure, _process) = crate::azure::on_azure("hello").await;
    let line = azure
        .output_line_containing("INIT listening on http://", Duration::from_secs(10))
        .await
        .expect("the Azure adapter's INIT line");
    assert_reports_init_duration(&line);
    assert!(line.contains("\tMode: Envelope\t"), "{line}");
}

/// `line` has `Init Duration: N ms (process start to ready)` after its
/// address, N a plausible number of milliseconds.
fn assert_reports_init_duration(line: &str) {
    let after = line
        .split("\tInit Duration: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no Init Duration in {line:?}"));
    let (millis, _) = after
        .split_once(" ms (process start to ready)\t")
        .unwrap_or_else(|| panic!("no duration in ms in {line:?}"));
    let millis: u64 = millis
        .parse()
        .unwrap_or_else(|_| panic!("not a number of ms: {line:?}"));
    assert!(millis < 60_000, "{line}");
}

/// More lines than one batch holds: every one arrives whole, in the order of
/// the requests, before the shutdown lines; none is lost at SIGTERM.
#[test]
fn report_lines_are_whole_ordered_and_all_written_by_shutdown() {
    let server = ExampleServer::start("hello");
    // About 90 lines fill a 16 KiB batch; 300 make several batches.
    let ids: Vec<String> = (0..300)
        .map(|_| request_id_of_one_get(server.addr))
        .collect();
    server.terminate();
    let mut reported = Vec::new();
    loop {
        let line = server
            .lines
            .recv_timeout(Duration::from_secs(20))
            .expect("the log goes on until shutdown");
        if line.contains("shut down after") {
            break;
        }
        if let Some(rest) = line.split("REPORT RequestId: ").nth(1) {
            assert!(
                line.ends_with(" USD") && line.matches("REPORT").count() == 1,
                "a whole line: {line}"
            );
            reported.push(rest.split('\t').next().unwrap_or_default().to_owned());
        }
    }
    assert_eq!(reported, ids);
}

/// `ANYFN_DEFAULT_SUBSCRIBER=off`: the server installs no subscriber, so
/// nothing is written, and it serves as ever.
#[test]
fn the_default_subscriber_can_be_turned_off() {
    use std::process::{Command, Stdio};

    // A port free a moment ago: the example cannot say which one it took
    // without its INIT line.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let mut child = Command::new(crate::lambda::example("hello"))
        .env("PORT", port.to_string())
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .env("RUST_LOG", "info")
        .env("ANYFN_DEFAULT_SUBSCRIBER", "off")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hello starts");
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let started = std::time::Instant::now();
    while TcpStream::connect(addr).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "hello did not listen on {addr}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    request_id_of_one_get(addr);
    let _ = child.kill();
    let output = child.wait_with_output().expect("stderr");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "",
        "nothing logged"
    );
}

/// The names of a `REPORT` line's tab-separated fields.
fn field_names(line: &str) -> Vec<String> {
    let (_, report) = line.split_once("REPORT ").expect("a REPORT line");
    report
        .split('\t')
        .map(|field| {
            field
                .split_once(": ")
                .map_or(field, |(name, _)| name)
                .to_owned()
        })
        .collect()
}

/// Without `ANYFN_REPORT_COST` the local server's line is the one it always
/// wrote (Lambda x86's estimate, no provider named), which tools parse.
#[test]
fn regression_the_default_report_line_keeps_its_five_fields() {
    let server = ExampleServer::start("hello");
    let request_id = request_id_of_one_get(server.addr);
    let line = server.line_containing(&format!("RequestId: {request_id}"), Duration::from_secs(5));
    assert_eq!(
        field_names(&line),
        [
            "RequestId",
            "Duration",
            "Billed Duration",
            "Memory Size",
            "Estimated Cost"
        ]
    );
    assert!(line.ends_with(" USD"), "{line}");
}

/// `ANYFN_REPORT_COST=all`: the line names the provider of its estimated
/// cost and adds one field per other provider, in the price file's order.
#[test]
fn report_cost_all_prices_the_servers_line_on_every_provider() {
    let server = ExampleServer::start_with_env("hello", &[("ANYFN_REPORT_COST", "all")]);
    let request_id = request_id_of_one_get(server.addr);
    let line = server.line_containing(&format!("RequestId: {request_id}"), Duration::from_secs(5));
    assert_eq!(
        field_names(&line),
        [
            "RequestId",
            "Duration",
            "Billed Duration",
            "Memory Size",
            "Estimated Cost",
            "Cost aws-lambda-arm",
            "Cost aws-lambda-managed-instances",
            "Cost cloud-run",
            "Cost azure-flex-consumption",
            "Cost cloudflare-workers",
        ],
        "{line}"
    );
    assert!(line.contains(" USD (aws-lambda-x86)\t"), "{line}");
    assert!(
        line.contains("\tCost aws-lambda-managed-instances: $0.0000002000 USD + capacity\t"),
        "{line}"
    );
    // Azure's minimum: 1,000 ms on the 512 MB instance, plus the execution.
    assert!(
        line.contains("\tCost azure-flex-consumption: $0.0000134000 USD\t"),
        "{line}"
    );
}

/// Priced on Cloudflare Workers, which bill CPU time, the server times the
/// handler's polls on the thread's CPU clock: a handler awaiting a 300 ms
/// timer is billed its few CPU milliseconds, not its wall time.
#[cfg(target_os = "linux")]
#[test]
fn workers_are_priced_on_the_cpu_time_of_the_handlers_polls() {
    let server =
        ExampleServer::start_with_env("failures", &[("ANYFN_REPORT_COST", "cloudflare-workers")]);
    let mut stream = TcpStream::connect(server.addr).expect("connects");
    stream
        .write_all(b"GET /sleep?ms=300 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .expect("request sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("response read");
    assert!(answer.ends_with("woke up"), "{answer}");
    let request_id = answer
        .lines()
        .find_map(|line| line.strip_prefix("x-request-id: "))
        .expect("an x-request-id header");
    let line = server.line_containing(&format!("RequestId: {request_id}"), Duration::from_secs(5));
    let field = |name: &str| -> f64 {
        let (_, rest) = line.split_once(&format!("\t{name}: ")).expect(name);
        let number = rest.trim_start_matches('$');
        let end = number.find(' ').expect("a unit");
        number[..end].parse().expect("a number")
    };
    assert!(field("Duration") >= 300.0, "{line}");
    assert!(field("Billed Duration") < 100.0, "CPU milliseconds: {line}");
    assert!(line.contains(" USD (cloudflare-workers)"), "{line}");
    // 300 ms of wall time would be 300 × $0.00000002 + $0.0000003.
    assert!(
        field("Estimated Cost") < 300.0 * 0.000_000_02 + 0.000_000_3,
        "{line}"
    );
}
