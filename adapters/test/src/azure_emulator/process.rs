//! The custom handler's process: the folder it runs in, a free port, and
//! the wait until it listens.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::app::AzureAppFunction;

/// A temporary app folder the emulator wrote, for functions added in code
/// (removed on drop).
#[derive(Debug)]
pub(crate) struct AppFolder {
    pub(crate) path: PathBuf,
}

impl AppFolder {
    /// A new temporary folder holding `host_json` and one
    /// `{name}/function.json` per function.
    pub(crate) fn write(host_json: &Value, functions: &[AzureAppFunction]) -> io::Result<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "anyfn-azure-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let folder = Self { path };
        std::fs::create_dir_all(&folder.path)?;
        write_json(&folder.path.join("host.json"), host_json)?;
        for function in functions {
            let dir = folder.path.join(&function.name);
            std::fs::create_dir_all(&dir)?;
            write_json(&dir.join("function.json"), &function_json(function))?;
        }
        Ok(folder)
    }
}

impl Drop for AppFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn write_json(path: &Path, value: &Value) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    std::fs::write(path, text)
}

/// A function's `function.json`, from its bindings.
pub(crate) fn function_json(function: &AzureAppFunction) -> Value {
    let bindings: Vec<Value> = function
        .bindings
        .iter()
        .map(|binding| {
            let mut value = json!({
                "name": binding.name,
                "type": binding.binding_type,
                "direction": binding.direction,
            });
            if binding.name == function.binding {
                if let Some(route) = &function.route {
                    value["route"] = json!(route);
                }
                if !function.methods.is_empty() {
                    value["methods"] = json!(function.methods);
                }
            }
            value
        })
        .collect();
    json!({ "bindings": bindings })
}

/// A loopback port free now, as the host picks one
/// (`WorkerUtilities.GetUnusedTcpPort`: bind port 0, read it, close).
pub(crate) fn free_port() -> io::Result<u16> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    Ok(listener.local_addr()?.port())
}

/// Polls `addr` until it accepts a connection, `exited` says the process
/// is gone, or `bound` passes.
pub(crate) async fn wait_until_listening(
    addr: SocketAddr,
    bound: Duration,
    mut exited: impl FnMut() -> bool,
) -> io::Result<()> {
    let started = Instant::now();
    loop {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(());
        }
        if exited() {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                format!("the custom handler exited before listening on {addr}"),
            ));
        }
        if started.elapsed() >= bound {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("the custom handler did not listen on {addr} within {bound:?}"),
            ));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
