//! HTTP events on Lambda: API Gateway REST (v1) and HTTP (v2) APIs,
//! Application Load Balancers and Function URLs, both ways.

mod api_gateway;
mod decode;
mod encode;
mod pairs;
mod scan;

pub use api_gateway::{ApiGatewayContextExt, ApiGatewayRequestContext};
pub(crate) use decode::{decode, decode_shared};
pub(crate) use encode::encode;
