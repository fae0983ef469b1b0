//! A URL shortener without a router: one handler reads the method and the
//! path, and keeps its links in memory (state built once, in the handler).
//!
//! - `POST /links` with `{"url": "https://…", "tags": ["…"]}` (`tags`
//!   optional) → `201 Created` with `Location: /{id}` and the link as JSON
//!   (`{"id", "url"}`, and `tags` when it has any); a URL that is not an
//!   absolute `http` or `https` URL → `422`.
//! - `GET /links?limit=2&tag=x&tag=y` → `{"links": […]}`: the links that
//!   have every tag asked for, oldest first, at most `limit` (10 unless
//!   given, at most 100); a `limit` that is not a number → `400` naming it.
//! - `GET /{id}` → `302 Found` to the link's URL; an unknown id → `404`.
//! - Any other method → `405` with `Allow` (`GET, POST` on `/links`, `GET`
//!   on `/{id}`).
//!
//! ```text
//! cargo run --example shortener
//! curl -i http://127.0.0.1:3000/links -d '{"url": "https://www.rust-lang.org/", "tags": ["rust"]}'
//! curl -i http://127.0.0.1:3000/1
//! curl -s 'http://127.0.0.1:3000/links?limit=2&tag=rust'
//! ```

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use anyfn::http::{Method, Uri};
use anyfn::{Context, Error, Handler, Request, RequestExt, Response};
use serde::{Deserialize, Serialize};

/// The most links one `GET /links` lists.
pub const MAX_LIMIT: usize = 100;

/// A short link: `/{id}` redirects to `url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The path segment that redirects: `1`, `2`, … `a`, … in base 36.
    pub id: String,
    /// Where it redirects to.
    pub url: String,
    /// Labels to list links by.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// The body of `POST /links`.
#[derive(Debug, Deserialize)]
struct NewLink {
    url: String,
    #[serde(default)]
    tags: Vec<String>,
}

/// The query of `GET /links`.
#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(default = "default_limit")]
    limit: usize,
    #[serde(default, rename = "tag")]
    tags: Vec<String>,
}

fn default_limit() -> usize {
    10
}

/// The handler, with its links.
#[derive(Debug, Default)]
pub struct Shortener {
    links: Mutex<Links>,
}

#[derive(Debug, Default)]
struct Links {
    by_id: HashMap<String, Stored>,
    created: u64,
}

#[derive(Debug)]
struct Stored {
    /// Creation order, for listing.
    number: u64,
    link: Link,
}

impl Shortener {
    /// A shortener with no links.
    pub fn new() -> Self {
        Self::default()
    }

    fn links(&self) -> std::sync::MutexGuard<'_, Links> {
        // Nothing panics while the lock is held: the links stay whole.
        self.links.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn create(&self, request: &Request) -> Result<Response, Error> {
        let NewLink { url, tags } = request.json()?;
        let is_web_url = url.parse::<Uri>().is_ok_and(|uri| {
            matches!(uri.scheme_str(), Some("http" | "https")) && uri.authority().is_some()
        });
        if !is_web_url {
            return Err(Error::unprocessable(format!(
                "`url` must be an absolute http or https URL, found {url:?}"
            )));
        }
        let link = {
            let mut links = self.links();
            links.created += 1;
            let number = links.created;
            let link = Link {
                id: base36(number),
                url,
                tags,
            };
            links.by_id.insert(
                link.id.clone(),
                Stored {
                    number,
                    link: link.clone(),
                },
            );
            link
        };
        anyfn::response::created(&format!("/{}", link.id), &link)
    }

    fn list(&self, request: &Request) -> Result<Response, Error> {
        let query: ListQuery = request.query_as()?;
        if query.limit > MAX_LIMIT {
            return Err(Error::bad_request(format!(
                "query parameter \"limit\": at most {MAX_LIMIT}, found {}",
                query.limit
            )));
        }
        let mut found: Vec<(u64, Link)> = self
            .links()
            .by_id
            .values()
            .filter(|stored| query.tags.iter().all(|tag| stored.link.tags.contains(tag)))
            .map(|stored| (stored.number, stored.link.clone()))
            .collect();
        found.sort_unstable_by_key(|(number, _)| *number);
        let links: Vec<Link> = found
            .into_iter()
            .take(query.limit)
            .map(|(_, link)| link)
            .collect();
        anyfn::response::json(&serde_json::json!({ "links": links }))
    }

    fn follow(&self, id: &str) -> Result<Response, Error> {
        let url = self
            .links()
            .by_id
            .get(id)
            .map(|stored| stored.link.url.clone())
            .ok_or_else(|| Error::not_found(format!("no link {id:?}")))?;
        anyfn::response::redirect(&url)
    }
}

#[anyfn::async_trait]
impl Handler for Shortener {
    type Event = Request;
    type Output = Response;
    type Error = Error;

    async fn call(&self, request: Request, _context: Context) -> Result<Response, Error> {
        let path = request.uri().path();
        if path == "/links" {
            return match *request.method() {
                Method::POST => self.create(&request),
                Method::GET => self.list(&request),
                _ => Err(Error::method_not_allowed([Method::GET, Method::POST])),
            };
        }
        let id = path.strip_prefix('/').unwrap_or(path);
        if id.is_empty() || id.contains('/') {
            return Err(Error::not_found(format!("nothing at {path:?}")));
        }
        match *request.method() {
            Method::GET => self.follow(id),
            _ => Err(Error::method_not_allowed([Method::GET])),
        }
    }
}

/// `n` in base 36, lowercase: `1`, … `z`, `10`, …
fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut digits = Vec::new();
    loop {
        digits.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// On AWS Lambda the Lambda adapter, on Azure Functions the Azure adapter,
/// anywhere else the local server.
#[tokio::main]
async fn main() -> Result<(), anyfn_auto::RunError> {
    anyfn_auto::run(Shortener::new()).await
}
