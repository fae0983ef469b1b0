//! `Azure::new` installs the default subscriber when the program has none
//! and nothing turns it off, as every adapter's builder does. Alone in its
//! file: the global subscriber is the process's, once.

use anyfn::{handler_fn, Context, Json};
use anyfn_azure::Azure;

#[tokio::test]
async fn the_builder_installs_the_default_subscriber_unless_told_not_to() {
    assert!(
        std::env::var_os("ANYFN_DEFAULT_SUBSCRIBER").is_none(),
        "the test needs the variable unset"
    );
    assert!(!tracing::dispatcher::has_been_set(), "no subscriber yet");
    let handler =
        handler_fn(|Json(n): Json<u8>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n)) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let bound = Azure::new(handler).bind_on(listener).expect("bound");
    assert!(
        tracing::dispatcher::has_been_set(),
        "Azure::new installs the default subscriber, as Server::new does"
    );
    drop(bound);
}
