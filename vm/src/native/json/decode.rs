//! Terms from JSON text. serde_json parses (its recursion limit, 128
//! levels, turns deeper input into an error, so the conversion below
//! recurses at most that deep); objects become maps with string keys
//! (text from outside never makes atoms), integers of any size become
//! integers (the `arbitrary_precision` feature keeps their digits).

use crate::value::{number, Atom, MapData, Value};

/// The term, or the error as `((kind, message), line, column)`.
pub fn decode(text: &[u8]) -> Result<Value, Value> {
    match serde_json::from_slice::<serde_json::Value>(text) {
        Ok(j) => from_json(&j).ok_or_else(|| error_tuple("data", "number out of range", 0, 0)),
        Err(e) => {
            let kind = match e.classify() {
                serde_json::error::Category::Io => "io",
                serde_json::error::Category::Syntax => "syntax",
                serde_json::error::Category::Data => "data",
                serde_json::error::Category::Eof => "eof",
            };
            let full = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            let msg = full.strip_suffix(&suffix).unwrap_or(&full);
            Err(error_tuple(kind, msg, e.line(), e.column()))
        }
    }
}

fn error_tuple(kind: &str, msg: &str, line: usize, column: usize) -> Value {
    Value::tuple(vec![
        Value::tuple(vec![Value::atom(kind), Value::str(msg)]),
        Value::Int(line as i64),
        Value::Int(column as i64),
    ])
}

/// At most 128 levels deep (serde_json's limit), so recursion is bounded.
fn from_json(j: &serde_json::Value) -> Option<Value> {
    Some(match j {
        serde_json::Value::Null => Value::NIL_ATOM,
        serde_json::Value::Bool(b) => Value::Atom(Atom::from_bool(*b)),
        serde_json::Value::Number(n) => number_term(n)?,
        serde_json::Value::String(s) => Value::str(s.as_str()),
        serde_json::Value::Array(xs) => {
            let items = xs.iter().map(from_json).collect::<Option<Vec<_>>>()?;
            Value::list(items)
        }
        serde_json::Value::Object(o) => {
            let mut m = MapData::new();
            for (k, v) in o {
                m.insert(Value::str(k.as_str()), from_json(v)?);
            }
            Value::map(m)
        }
    })
}

fn number_term(n: &serde_json::Number) -> Option<Value> {
    if let Some(i) = n.as_i64() {
        return Some(Value::Int(i));
    }
    let text = n.to_string();
    if !text.contains(['.', 'e', 'E']) {
        return number::parse_int(&text);
    }
    n.as_f64().filter(|f| f.is_finite()).map(Value::Float)
}
