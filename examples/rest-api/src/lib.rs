//! The `rest-api` example: a link shortener as an [axum] router, run by
//! anyfn unchanged on the local server, AWS Lambda (every HTTP source),
//! Google Cloud Run and Azure Functions.
//!
//! | Route | Answer |
//! |---|---|
//! | `POST /links` `{"url": "https://…"}` | `201 Created`, `Location: /links/{id}`, the link |
//! | `GET /links?limit=N` | `200`, the links (the first `N`) |
//! | `GET /links/events` | `200`, `text/event-stream`: each link as a server-sent event `link` (its JSON), then the end; streamed where the adapter streams |
//! | `GET /links/{id}` | `200`, the link; `404` when there is none |
//! | `DELETE /links/{id}` | `204`; `404` when there is none |
//! | `GET /{id}` | `302 Found` to the link's URL (counting the visit); `404` |
//! | `GET /whoami` | the invocation's request id and platform, from [`anyfn::Context`] |
//! | another method on a route | `405 Method Not Allowed` with `Allow` (axum's) |
//! | any other path | `404` `{"error": "no route for GET /…"}` |
//!
//! Every answer carries tower-http's CORS headers (any origin), and a
//! preflight `OPTIONS` is answered by the layer.
//!
//! The second binary, `layered-hello`, is a plain anyfn handler (no router)
//! wrapped in the same CORS layer by [`anyfn_tower::with_layer`]. The third,
//! `tower-failures`, shows how each failure of a tower service answers
//! ([`failures`]); the fourth, `layered-failures`, which of a plain
//! handler's failures a tower layer sees ([`layered_failures`]).
//!
//! ```text
//! cargo run -p rest-api                          # http://127.0.0.1:3000
//! curl -si -X POST localhost:3000/links -H 'content-type: application/json' -d '{"url":"https://example.com"}'
//! ```

pub mod failures;
pub mod layered_failures;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use anyfn::{handler_fn, Context, Handler, Request, RequestExt as _, Response};
use axum::extract::{Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{Method, StatusCode, Uri};
use axum::response::sse::{Event, Sse};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_http::cors::{Any, CorsLayer};

/// A stored link.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// Its id, the path `/{id}` that redirects to it.
    pub id: u64,
    /// Where it redirects.
    pub url: String,
    /// How many times `/{id}` was followed.
    pub visits: u64,
}

/// The links, by id; built once per process and shared by every request.
#[derive(Debug, Clone, Default)]
struct Store {
    links: Arc<Mutex<Links>>,
}

#[derive(Debug, Default)]
struct Links {
    next_id: u64,
    by_id: BTreeMap<u64, Link>,
}

impl Store {
    fn with<T>(&self, f: impl FnOnce(&mut Links) -> T) -> T {
        f(&mut self.links.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// The CORS policy of both binaries: any origin, the routes' methods.
pub fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers(Any)
}

/// The router, with a fresh store and the CORS layer.
pub fn router() -> Router {
    Router::new()
        .route("/links", get(list).post(create))
        .route("/links/events", get(events))
        .route("/links/{id}", get(show).delete(remove))
        .route("/whoami", get(whoami))
        .route("/{id}", get(follow))
        .fallback(no_route)
        .with_state(Store::default())
        .layer(cors())
}

/// The body of `POST /links`.
#[derive(Debug, Deserialize)]
struct NewLink {
    url: String,
}

/// The query of `GET /links`.
#[derive(Debug, Deserialize)]
struct ListQuery {
    limit: Option<usize>,
}

fn error(status: StatusCode, message: String) -> (StatusCode, Json<serde_json::Value>) {
    (status, Json(json!({ "error": message })))
}

fn no_link(id: u64) -> (StatusCode, Json<serde_json::Value>) {
    error(StatusCode::NOT_FOUND, format!("no link {id}"))
}

async fn create(State(store): State<Store>, Json(new): Json<NewLink>) -> impl IntoResponse {
    if !(new.url.starts_with("https://") || new.url.starts_with("http://")) {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("expected an http(s) URL, found {:?}", new.url),
        ));
    }
    let link = store.with(|links| {
        links.next_id += 1;
        let link = Link {
            id: links.next_id,
            url: new.url,
            visits: 0,
        };
        links.by_id.insert(link.id, link.clone());
        link
    });
    let location = format!("/links/{}", link.id);
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(link)))
}

async fn list(State(store): State<Store>, Query(query): Query<ListQuery>) -> Json<Vec<Link>> {
    let limit = query.limit.unwrap_or(usize::MAX);
    Json(store.with(|links| links.by_id.values().take(limit).cloned().collect()))
}

/// Every link as a server-sent event `link` whose data is the link's JSON.
async fn events(State(store): State<Store>) -> Sse<Events> {
    let links: Vec<Link> = store.with(|links| links.by_id.values().cloned().collect());
    Sse::new(Events(links.into_iter()))
}

/// The events of `GET /links/events`, one per link.
struct Events(std::vec::IntoIter<Link>);

impl futures_core::Stream for Events {
    type Item = Result<Event, axum::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(
            self.0
                .next()
                .map(|link| Event::default().event("link").json_data(link)),
        )
    }
}

async fn show(State(store): State<Store>, Path(id): Path<u64>) -> impl IntoResponse {
    store
        .with(|links| links.by_id.get(&id).cloned())
        .map(Json)
        .ok_or_else(|| no_link(id))
}

async fn remove(State(store): State<Store>, Path(id): Path<u64>) -> impl IntoResponse {
    match store.with(|links| links.by_id.remove(&id)) {
        Some(_) => Ok(StatusCode::NO_CONTENT),
        None => Err(no_link(id)),
    }
}

async fn follow(State(store): State<Store>, Path(id): Path<String>) -> impl IntoResponse {
    let url = id.parse::<u64>().ok().and_then(|id| {
        store.with(|links| {
            links.by_id.get_mut(&id).map(|link| {
                link.visits += 1;
                link.url.clone()
            })
        })
    });
    match url {
        Some(url) => Ok((StatusCode::FOUND, [(LOCATION, url)])),
        None => Err(error(StatusCode::NOT_FOUND, format!("no link {id}"))),
    }
}

async fn whoami(Extension(context): Extension<Context>) -> Json<serde_json::Value> {
    Json(json!({
        "request_id": context.request_id(),
        "platform": context.platform().to_string(),
    }))
}

async fn no_route(method: Method, uri: Uri) -> (StatusCode, Json<serde_json::Value>) {
    error(
        StatusCode::NOT_FOUND,
        format!("no route for {method} {}", uri.path()),
    )
}

/// The `layered-hello` binary's handler: a plain anyfn handler (`Hello,
/// {name}!` for `?name=`), wrapped in the [`cors`] layer.
pub fn layered_hello() -> impl Handler<Event = Request, Output = anyfn::stream::StreamResponse> {
    let hello = handler_fn(|request: Request, _context: Context| async move {
        let name = request.query().get("name").unwrap_or("world").to_owned();
        Ok::<Response, anyfn::Error>(anyfn::response::text(format!("Hello, {name}!")))
    });
    anyfn_tower::with_layer(hello, cors())
}
