//! [`FunctionError`]: a function asked for that the registry cannot give.

/// A function asked for by name that the registry cannot give: no function
/// has that name, or it has other types than asked for.
///
/// # Example
///
/// ```
/// use anyfn::{handler_fn, Context, Json};
/// use anyfn_functions::{FunctionError, Functions};
///
/// let functions = Functions::new().add(
///     "double",
///     handler_fn(|Json(n): Json<u64>, _: Context| async move { Ok::<_, anyfn::Error>(Json(n * 2)) }),
/// );
/// let err = functions.function("triple").unwrap_err();
/// assert!(matches!(err, FunctionError::Unknown { .. }));
/// assert_eq!(err.to_string(), "no function is named `triple`; this binary has: double");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FunctionError {
    /// No function has the name.
    #[error("no function is named `{name}`; this binary has: {}", available.join(", "))]
    Unknown {
        /// The name asked for.
        name: String,
        /// The names the registry has, in the order they were added.
        available: Vec<String>,
    },
    /// The function exists, with other event or output types.
    #[error(
        "function `{name}` takes {event} and answers {output}, not {asked_event} and {asked_output}"
    )]
    WrongTypes {
        /// The function's name.
        name: String,
        /// Its event type.
        event: &'static str,
        /// Its output type.
        output: &'static str,
        /// The event type asked for.
        asked_event: &'static str,
        /// The output type asked for.
        asked_output: &'static str,
    },
    /// Nothing says which function to run: several functions and no
    /// setting, or no function at all.
    #[error("{setting} does not choose a function; this binary has {}", match available.as_slice() {
        [] => "none".to_owned(),
        names => format!("several: {}", names.join(", ")),
    })]
    NoneChosen {
        /// The setting that would choose, e.g. `_HANDLER`.
        setting: &'static str,
        /// The names the registry has.
        available: Vec<String>,
    },
}
