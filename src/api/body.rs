//! Reading JSON request bodies into the service layer's typed-as-text inputs, so that a
//! wrong type is a 422 naming the field (like a form), and only unreadable JSON is a 400.

use serde_json::{Map, Value};

use portqueue_core::FieldErrors;

use crate::error::AppError;
use crate::service::appointments::AppointmentInput;
use crate::service::walk_ins::{TriageInput, WalkInInput};

fn object(raw: &[u8], empty_ok: bool) -> Result<Map<String, Value>, AppError> {
    if empty_ok && raw.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(raw) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(AppError::BadRequest(
            "the body must be a JSON object".into(),
        )),
        Err(e) => Err(AppError::BadRequest(format!(
            "the body is not valid JSON: {e}"
        ))),
    }
}

/// A text field: strings as they are, numbers written out; absent or null is empty.
fn text(map: &Map<String, Value>, field: &str, errors: &mut FieldErrors) -> String {
    match map.get(field) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => {
            errors.add(field, "must be a string or a number");
            String::new()
        }
    }
}

/// A list of names: an array of strings; absent or null is empty.
fn list(map: &Map<String, Value>, field: &str, errors: &mut FieldErrors) -> Vec<String> {
    match map.get(field) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(_) => {
            errors.add(field, "must be an array of strings");
            Vec::new()
        }
    }
}

/// The optional `phone` (for text messages) of a walk-in or check-in body, as typed.
pub fn phone(raw: &[u8]) -> Result<String, AppError> {
    let map = object(raw, true)?;
    let mut errors = FieldErrors::new();
    let phone = text(&map, "phone", &mut errors);
    Ok(errors.into_result(phone)?)
}

/// `POST /ports/{code}/walk-ins`.
pub fn walk_in(raw: &[u8]) -> Result<WalkInInput, AppError> {
    let map = object(raw, false)?;
    let mut errors = FieldErrors::new();
    let input = WalkInInput {
        party_size: text(&map, "party_size", &mut errors),
        language: text(&map, "language", &mut errors),
        barriers: list(&map, "barriers", &mut errors),
        barrier_note: text(&map, "barrier_note", &mut errors),
        tier: text(&map, "tier", &mut errors),
        vulnerabilities: list(&map, "vulnerabilities", &mut errors),
        urgent_reason: text(&map, "urgent_reason", &mut errors),
        name: text(&map, "name", &mut errors),
        nationality: text(&map, "nationality", &mut errors),
    };
    Ok(errors.into_result(input)?)
}

/// `POST /ports/{code}/appointments/{confirmation}/check-in`; an empty body is allowed.
pub fn triage(raw: &[u8]) -> Result<TriageInput, AppError> {
    let map = object(raw, true)?;
    let mut errors = FieldErrors::new();
    let input = TriageInput {
        tier: text(&map, "tier", &mut errors),
        vulnerabilities: list(&map, "vulnerabilities", &mut errors),
        urgent_reason: text(&map, "urgent_reason", &mut errors),
    };
    Ok(errors.into_result(input)?)
}

/// `POST /ports/{code}/appointments`: an array of rows as in the CSV.
pub fn appointment_rows(raw: &[u8]) -> Result<Vec<AppointmentInput>, AppError> {
    let items = match serde_json::from_slice::<Value>(raw) {
        Ok(Value::Array(items)) => items,
        Ok(_) => {
            return Err(AppError::BadRequest(
                "the body must be a JSON array of appointment rows".into(),
            ));
        }
        Err(e) => {
            return Err(AppError::BadRequest(format!(
                "the body is not valid JSON: {e}"
            )));
        }
    };
    let mut errors = FieldErrors::new();
    let rows = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let Value::Object(map) = item else {
                errors.add(&format!("rows[{i}]"), "must be an object");
                return AppointmentInput::default();
            };
            let mut row_errors = FieldErrors::new();
            let row = AppointmentInput {
                confirmation: text(map, "confirmation", &mut row_errors),
                slot_at: text(map, "slot_at", &mut row_errors),
                party_size: text(map, "party_size", &mut row_errors),
                name: text(map, "name", &mut row_errors),
                nationality: text(map, "nationality", &mut row_errors),
                language: text(map, "language", &mut row_errors),
            };
            for (field, message) in row_errors.iter() {
                errors.add(&format!("rows[{i}].{field}"), message);
            }
            row
        })
        .collect();
    Ok(errors.into_result(rows)?)
}

/// `POST /entries/{id}/undo`: an optional `counter`, 1 to 99; an empty body names none.
pub fn undo_counter(raw: &[u8]) -> Result<Option<u32>, AppError> {
    let map = object(raw, true)?;
    let mut errors = FieldErrors::new();
    let value = text(&map, "counter", &mut errors);
    errors.into_result(())?;
    if value.trim().is_empty() {
        return Ok(None);
    }
    crate::service::queue::parse_counter(&value).map(Some)
}

/// `POST /ports/{code}/counters/{n}/open`: `languages`, an array of ISO 639-3 codes.
pub fn languages(raw: &[u8]) -> Result<Vec<String>, AppError> {
    let map = object(raw, false)?;
    let mut errors = FieldErrors::new();
    let languages = list(&map, "languages", &mut errors);
    Ok(errors.into_result(languages)?)
}

/// `POST /entries/{id}/interpreter`: an optional boolean `requested` (default true).
pub fn requested(raw: &[u8]) -> Result<bool, AppError> {
    let map = object(raw, true)?;
    match map.get("requested") {
        None | Some(Value::Null) => Ok(true),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(AppError::invalid("requested", "must be true or false")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_text_and_wrong_types_name_the_field() {
        let input =
            walk_in(br#"{"party_size": 3, "language": "spa", "barriers": ["language"]}"#).unwrap();
        assert_eq!(input.party_size, "3");
        let err = walk_in(br#"{"party_size": [3], "barriers": "language"}"#).unwrap_err();
        let fields = err.fields().unwrap();
        assert!(fields.get("party_size").is_some() && fields.get("barriers").is_some());
    }

    #[test]
    fn unreadable_json_is_a_bad_request() {
        assert!(matches!(walk_in(b"{party"), Err(AppError::BadRequest(_))));
        assert!(matches!(
            appointment_rows(b"{}"),
            Err(AppError::BadRequest(_))
        ));
        assert!(triage(b"").is_ok());
    }
}
