//! Saying what a payload was, when it is not what a handler expects.

/// A short description of a payload: its JSON type and, for an object, its keys.
pub(crate) fn describe(payload: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(payload) {
        Ok(serde_json::Value::Object(map)) if map.is_empty() => "an empty JSON object".to_owned(),
        Ok(serde_json::Value::Object(map)) => {
            let mut keys: Vec<&str> = map.keys().map(String::as_str).take(12).collect();
            if map.len() > keys.len() {
                keys.push("…");
            }
            format!("a JSON object with keys: {}", keys.join(", "))
        }
        Ok(serde_json::Value::Array(_)) => "a JSON array".to_owned(),
        Ok(serde_json::Value::String(_)) => "a JSON string".to_owned(),
        Ok(serde_json::Value::Number(_)) => "a JSON number".to_owned(),
        Ok(serde_json::Value::Bool(_)) => "a JSON boolean".to_owned(),
        Ok(serde_json::Value::Null) => "JSON null".to_owned(),
        Err(err) => format!("a payload that is not JSON ({err})"),
    }
}
