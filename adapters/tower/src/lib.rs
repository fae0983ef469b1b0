#![warn(clippy::missing_errors_doc, clippy::missing_panics_doc)]
#![doc = include_str!("docs/crate.md")]

mod handler_failure;
mod handler_service;
mod service_handler;

pub use handler_service::{with_layer, HandlerService, IntoServiceResponse};
pub use service_handler::{service, BoxError, ServiceHandler};
