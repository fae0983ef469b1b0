//! One more layer for the adapters' default subscriber, given by a crate
//! the adapters do not know (the OpenTelemetry layer of `anyfn-otel`).

#[cfg(feature = "telemetry")]
use std::sync::{Mutex, PoisonError};

use tracing_subscriber::{Layer, Registry};

/// A layer the default subscriber can take.
///
/// # Example
///
/// ```
/// use anyfn_kit::logging::DefaultLayer;
/// use tracing_subscriber::{filter::LevelFilter, Layer as _};
///
/// let layer: DefaultLayer = Box::new(LevelFilter::INFO);
/// assert_eq!(layer.max_level_hint(), Some(LevelFilter::INFO));
/// ```
pub type DefaultLayer = Box<dyn Layer<Registry> + Send + Sync>;

#[cfg(feature = "telemetry")]
static EXTRA: Mutex<Option<DefaultLayer>> = Mutex::new(None);

/// Gives the adapter's default subscriber one more layer, under its
/// formatting layers and `RUST_LOG` filter; the adapter takes it when it
/// installs that subscriber ([`take_default_layer`]). Only one: when one
/// is already waiting, `layer` is given back. A program that installs its
/// own subscriber adds its layers to it instead.
///
/// # Example
///
/// ```
/// let layer = tracing_subscriber::filter::LevelFilter::INFO;
/// let added = anyfn_kit::logging::add_default_layer(Box::new(layer)).is_ok();
/// assert_eq!(anyfn_kit::logging::take_default_layer().is_some(), added);
/// ```
///
/// # Errors
///
/// `layer`, given back, when one is already waiting or the kit's
/// `telemetry` feature (which anyfn-otel turns on) is off.
pub fn add_default_layer(layer: DefaultLayer) -> Result<(), DefaultLayer> {
    #[cfg(feature = "telemetry")]
    {
        let mut extra = EXTRA.lock().unwrap_or_else(PoisonError::into_inner);
        if extra.is_some() {
            return Err(layer);
        }
        *extra = Some(layer);
        Ok(())
    }
    #[cfg(not(feature = "telemetry"))]
    {
        Err(layer)
    }
}

/// The layer [`add_default_layer`] left for the default subscriber, once.
///
/// # Example
///
/// ```
/// assert!(anyfn_kit::logging::take_default_layer().is_none());
/// ```
#[inline]
pub fn take_default_layer() -> Option<DefaultLayer> {
    #[cfg(feature = "telemetry")]
    {
        EXTRA.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
    #[cfg(not(feature = "telemetry"))]
    {
        None
    }
}

/// Makes a fresh copy of the extra layer, for a subscriber of its own.
///
/// # Example
///
/// ```
/// use anyfn_kit::logging::{DefaultLayer, LayerFactory};
/// use tracing_subscriber::{filter::LevelFilter, Layer as _};
///
/// fn info() -> DefaultLayer {
///     Box::new(LevelFilter::INFO)
/// }
/// let factory: LayerFactory = info;
/// let (first, second) = (factory(), factory()); // one for each subscriber
/// assert_eq!(first.max_level_hint(), second.max_level_hint());
/// ```
pub type LayerFactory = fn() -> DefaultLayer;

#[cfg(feature = "telemetry")]
static FACTORY: std::sync::OnceLock<LayerFactory> = std::sync::OnceLock::new();

/// Sets, once, how to make the extra layer again for a subscriber that
/// is not the default one: anyfn-test's harness builds one per invocation
/// to capture its lines, and adds [`new_extra_layer`] to it, so that the
/// telemetry of `anyfn-otel` sees the harness's invocations too. A second
/// call gives `factory` back.
///
/// # Example
///
/// ```
/// use anyfn_kit::logging::{new_extra_layer, set_layer_factory, DefaultLayer};
///
/// fn info() -> DefaultLayer {
///     Box::new(tracing_subscriber::filter::LevelFilter::INFO)
/// }
/// assert!(new_extra_layer().is_none());
/// let set = set_layer_factory(info).is_ok();
/// assert_eq!(new_extra_layer().is_some(), set);
/// ```
///
/// # Errors
///
/// `factory`, given back, when one is already set or the kit's
/// `telemetry` feature (which anyfn-otel turns on) is off.
pub fn set_layer_factory(factory: LayerFactory) -> Result<(), LayerFactory> {
    #[cfg(feature = "telemetry")]
    {
        FACTORY.set(factory)
    }
    #[cfg(not(feature = "telemetry"))]
    {
        Err(factory)
    }
}

/// A fresh extra layer from the factory [`set_layer_factory`] set, if any.
///
/// # Example
///
/// ```
/// assert!(anyfn_kit::logging::new_extra_layer().is_none());
/// ```
#[inline]
pub fn new_extra_layer() -> Option<DefaultLayer> {
    #[cfg(feature = "telemetry")]
    {
        FACTORY.get().map(|factory| factory())
    }
    #[cfg(not(feature = "telemetry"))]
    {
        None
    }
}
