//! A `Json<T>` event in, a `Json<U>` out: `{"name":"Ada"}` →
//! `{"greeting":"Hello, Ada!"}`.
//!
//! ```text
//! cargo run --example greet-json
//! curl -s http://127.0.0.1:3000/ --json '{"name":"Ada"}'
//! ```

use anyfn::{handler_fn, Context, Json};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
/// The event: who to greet.
pub struct Person {
    /// Their name.
    pub name: String,
}

#[derive(Debug, Serialize)]
/// The output.
pub struct Greeting {
    /// `Hello, NAME!`.
    pub greeting: String,
}

/// Greets the person by name.
pub async fn greet(
    Json(person): Json<Person>,
    _context: Context,
) -> Result<Json<Greeting>, anyfn::Error> {
    Ok(Json(Greeting {
        greeting: format!("Hello, {}!", person.name),
    }))
}

/// On AWS Lambda the Lambda adapter, anywhere else the local server. (On
/// Cloudflare Workers, `examples/workers/greet-json` calls the handler above.)
#[cfg(not(target_family = "wasm"))]
#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(handler_fn(greet)).await
}
