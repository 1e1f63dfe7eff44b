//! Forms: reading posted fields (repeated names included, for checkbox groups), and showing
//! each error beside its field with a summary at the top that links to the fields.
//!
//! A field named `x` has the input id `f-x` and its message the id `f-x-error`; the input
//! points to the message with `aria-describedby` and is marked `aria-invalid`.

use actix_web::{HttpResponse, error, web};
use portqueue_core::FieldErrors;

use crate::error::AppError;

/// Posted fields in the order sent; a name may repeat (checkboxes).
#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// The first value sent for `name`, or empty.
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every value sent for `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

impl From<web::Form<Vec<(String, String)>>> for FormData {
    fn from(form: web::Form<Vec<(String, String)>>) -> Self {
        FormData(form.into_inner())
    }
}

/// A form that cannot be read at all is answered with a page, not a bare text line.
pub fn form_config() -> web::FormConfig {
    web::FormConfig::default()
        .limit(64 * 1024)
        .error_handler(|err, _req| {
            let response: HttpResponse = super::error::app_error_page(&AppError::BadRequest(
                format!("the form could not be read: {err}"),
            ));
            error::InternalError::from_response(err, response).into()
        })
}

/// One line of the error summary.
#[derive(Debug, Clone)]
pub struct SummaryItem {
    pub id: String,
    pub label: String,
    pub message: String,
}

/// A form's errors, with the labels its fields carry on the page.
#[derive(Debug, Clone, Default)]
pub struct Errors {
    fields: FieldErrors,
    labels: &'static [(&'static str, &'static str)],
    /// Prefix of input ids, for pages with one form per result (`f-3-tier`).
    prefix: String,
}

impl Errors {
    /// No errors yet, for a form whose fields carry these labels.
    pub fn none(labels: &'static [(&'static str, &'static str)]) -> Errors {
        Errors {
            fields: FieldErrors::new(),
            labels,
            prefix: String::new(),
        }
    }

    /// These errors, for a form whose fields carry these labels. Each message is shown as
    /// a sentence, starting with a capital letter.
    pub fn of(fields: FieldErrors, labels: &'static [(&'static str, &'static str)]) -> Errors {
        let mut sentences = FieldErrors::new();
        for (field, message) in fields.iter() {
            sentences.add(field, super::error::capitalise(message));
        }
        Errors {
            fields: sentences,
            labels,
            prefix: String::new(),
        }
    }

    /// The same errors for inputs whose ids start with `f-{prefix}-`.
    pub fn with_prefix(mut self, prefix: impl std::fmt::Display) -> Errors {
        self.prefix = format!("{prefix}-");
        self
    }

    /// The errors of an action: its field errors, or `Err` for anything else.
    pub fn from_app(
        e: AppError,
        labels: &'static [(&'static str, &'static str)],
    ) -> Result<Errors, AppError> {
        match e {
            AppError::Invalid(fields) => Ok(Errors::of(fields, labels)),
            other => Err(other),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The message for one field.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field)
    }

    /// The input id of a field.
    pub fn id(&self, field: &str) -> String {
        format!("f-{}{field}", self.prefix)
    }

    /// `aria-invalid` and `aria-describedby` for an input whose field has an error; field
    /// names are ours, never typed, so this is safe to place in the markup as is.
    pub fn attrs(&self, field: &str) -> String {
        if self.fields.get(field).is_some() {
            format!(
                " aria-invalid=\"true\" aria-describedby=\"{}-error\"",
                self.id(field)
            )
        } else {
            String::new()
        }
    }

    /// Every error, in the order the fields appear on the page, each linking to its field.
    pub fn summary(&self) -> Vec<SummaryItem> {
        let mut items: Vec<SummaryItem> = self
            .labels
            .iter()
            .filter_map(|(field, label)| {
                self.fields.get(field).map(|message| SummaryItem {
                    id: self.id(field),
                    label: (*label).to_owned(),
                    message: message.to_owned(),
                })
            })
            .collect();
        for (field, message) in self.fields.iter() {
            if !self.labels.iter().any(|(f, _)| *f == field) {
                items.push(SummaryItem {
                    id: self.id(field),
                    label: field.replace('_', " "),
                    message: message.to_owned(),
                });
            }
        }
        items
    }
}

/// One choice of a checkbox group, radio group or select.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

impl Choice {
    pub fn new(value: &str, label: &str, checked: bool) -> Choice {
        Choice {
            value: value.to_owned(),
            label: label.to_owned(),
            checked,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABELS: &[(&str, &str)] = &[("party_size", "Party size"), ("language", "Language")];

    #[test]
    fn summary_follows_page_order_and_keeps_unlabelled_fields() {
        let mut fields = FieldErrors::new();
        fields.add("language", "choose one");
        assert_eq!(
            Errors::of(fields.clone(), LABELS).get("language"),
            Some("Choose one")
        );
        fields.add("party_size", "too big");
        fields.add("file", "bad line");
        let errors = Errors::of(fields, LABELS);
        let summary = errors.summary();
        assert_eq!(summary[0].id, "f-party_size");
        assert_eq!(summary[1].label, "Language");
        assert_eq!(summary[2].label, "file");
        assert!(errors.attrs("language").contains("f-language-error"));
        assert_eq!(errors.attrs("name"), "");
    }

    #[test]
    fn repeated_names_are_all_kept() {
        let form = FormData(vec![
            ("barriers".into(), "language".into()),
            ("barriers".into(), "other".into()),
            ("note".into(), "x".into()),
        ]);
        assert_eq!(form.all("barriers"), vec!["language", "other"]);
        assert_eq!(form.get("note"), "x");
        assert_eq!(form.get("missing"), "");
    }
}
