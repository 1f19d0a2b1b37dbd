//! Turning an unsuccessful answer into the right [`Error`] variant, the way a real tenant
//! answers: a failed login and a missing record are 500s told apart by `exceptionType`, the
//! login limit by its "API Login Limit" text whatever the status, a 422 by the errors inside
//! the returned record.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::redact::{excerpt, hide};
use super::request::RawResponse;
use crate::error::{Error, FieldError};

/// ASP.NET Web API's error body.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct HttpError {
    message: Option<String>,
    exception_message: Option<String>,
    exception_type: Option<String>,
}

/// Whether an answer is the license's API login limit (recognised by text, whatever the status).
pub(crate) fn is_login_limit(body: &[u8]) -> bool {
    String::from_utf8_lossy(body)
        .to_ascii_lowercase()
        .contains("api login limit")
}

/// The error for an unsuccessful answer. `login` says the request was a sign-in, where a 500
/// means the credentials or tenant were refused.
pub(crate) fn error_for(resp: &RawResponse, login: bool) -> Error {
    let request = resp.request.clone();
    let status = resp.status;
    let parsed: Option<HttpError> = serde_json::from_slice(&resp.body).ok();
    let exception_type = parsed.as_ref().and_then(|p| p.exception_type.clone());
    let message = parsed
        .as_ref()
        .and_then(|p| p.exception_message.clone().or_else(|| p.message.clone()))
        .unwrap_or_else(|| excerpt(&resp.body));
    let message = hide(message.trim());

    if is_login_limit(&resp.body) {
        return Error::LoginLimit {
            request,
            status,
            message,
        };
    }
    match status {
        401 => Error::Authentication {
            request,
            status,
            message,
            exception_type,
        },
        404 => Error::NotFound {
            request,
            status,
            message,
        },
        412 => Error::PreconditionFailed { request, message },
        422 => validation(resp, request),
        429 => Error::RateLimited {
            request,
            retry_after: super::retry::retry_after(resp.header("retry-after")),
            message,
        },
        _ if exception_type
            .as_deref()
            .is_some_and(|t| t.ends_with("NoEntitySatisfiesTheConditionException")) =>
        {
            Error::NotFound {
                request,
                status,
                message,
            }
        }
        400 | 403 if login => Error::Authentication {
            request,
            status,
            message,
            exception_type,
        },
        500 if login && refuses_credentials(&message, exception_type.as_deref()) => {
            Error::Authentication {
                request,
                status,
                message,
                exception_type,
            }
        }
        _ => Error::Server {
            request,
            status,
            message,
            exception_type,
        },
    }
}

/// Whether a sign-in's 500 says the credentials, the tenant or the account were refused (a
/// tenant answers those with 500 and a `PXException`), rather than that the server failed.
fn refuses_credentials(message: &str, exception_type: Option<&str>) -> bool {
    const REFUSALS: &[&str] = &[
        "credentials",
        "password",
        "company id",
        "tenant",
        "locked",
        "disabled",
        "not allowed",
    ];
    let message = message.to_ascii_lowercase();
    exception_type.is_some_and(|t| t.ends_with("PXUndefinedCompanyException"))
        || REFUSALS.iter().any(|r| message.contains(r))
}

/// A 422: the record comes back with `error` on itself and on each offending field, including
/// inside detail lines and linked entities.
fn validation(resp: &RawResponse, request: crate::RequestInfo) -> Error {
    let value: serde_json::Value =
        serde_json::from_slice(&resp.body).unwrap_or(serde_json::Value::Null);
    let message = value
        .get("error")
        .and_then(|e| e.as_str())
        .map(str::to_owned);
    let mut fields = Vec::new();
    collect_field_errors(&value, "", &mut fields);
    let body = crate::types::RawJson::from_text(String::from_utf8_lossy(&resp.body).into_owned())
        .unwrap_or_else(|_| crate::types::RawJson::from_value(&value));
    Error::Validation {
        request,
        message,
        fields,
        body: Box::new(body),
    }
}

fn collect_field_errors(record: &serde_json::Value, prefix: &str, out: &mut Vec<FieldError>) {
    let Some(obj) = record.as_object() else {
        return;
    };
    for (name, member) in obj {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match member {
            serde_json::Value::Object(m)
                if m.contains_key("value")
                    || (m.contains_key("error") && !looks_like_record(m)) =>
            {
                if let Some(msg) = m.get("error").and_then(|e| e.as_str()) {
                    out.push(FieldError {
                        path,
                        value: m.get("value").map(|v| v.to_string()),
                        message: msg.to_owned(),
                    });
                }
            }
            serde_json::Value::Object(m) if name == "custom" => {
                // custom.<View>.<Field> = {"type": .., "value": .., "error": ..}
                for (view, fields) in m {
                    for (field, f) in fields.as_object().into_iter().flatten() {
                        if let Some(msg) = f.get("error").and_then(|e| e.as_str()) {
                            out.push(FieldError {
                                path: format!("{path}.{view}.{field}"),
                                value: f.get("value").map(|v| v.to_string()),
                                message: msg.to_owned(),
                            });
                        }
                    }
                }
            }
            serde_json::Value::Object(_) => {
                if let Some(msg) = member.get("error").and_then(|e| e.as_str()) {
                    out.push(FieldError {
                        path: path.clone(),
                        value: None,
                        message: msg.to_owned(),
                    });
                }
                collect_field_errors(member, &path, out);
            }
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let item_path = format!("{path}[{i}]");
                    if let Some(msg) = item.get("error").and_then(|e| e.as_str()) {
                        out.push(FieldError {
                            path: item_path.clone(),
                            value: None,
                            message: msg.to_owned(),
                        });
                    }
                    collect_field_errors(item, &item_path, out);
                }
            }
            _ => {}
        }
    }
}

/// A linked entity (has its own fields) rather than a value wrapper.
fn looks_like_record(m: &serde_json::Map<String, serde_json::Value>) -> bool {
    m.keys()
        .any(|k| k.starts_with(|c: char| c.is_ascii_uppercase()) || k == "id" || k == "_links")
}

/// Decodes a JSON body into `T`, naming the JSON path of a bad value.
///
/// The body is decoded with plain serde_json first: tracking the path of every value costs
/// about as much again as the decode itself, and is only needed to describe a failure, so a
/// body that does not decode is decoded a second time, through `serde_path_to_error`, for the
/// error (which is the same as if it had been tracked from the start).
pub(crate) fn decode_json<T: DeserializeOwned>(resp: &RawResponse) -> crate::Result<T> {
    // Without `end()`, as before: what follows the value is not looked at.
    let mut de = serde_json::Deserializer::from_slice(&resp.body);
    match T::deserialize(&mut de) {
        Ok(value) => Ok(value),
        Err(_) => decode_json_tracked(resp),
    }
}

/// [`decode_json`] naming the JSON path of the value that failed.
#[cold]
fn decode_json_tracked<T: DeserializeOwned>(resp: &RawResponse) -> crate::Result<T> {
    let mut de = serde_json::Deserializer::from_slice(&resp.body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        // serde quotes the offending value: hide it when it sits in a credential's place.
        let last = path.rsplit('.').next().unwrap_or("");
        let message = if super::redact::is_sensitive(
            last.trim_end_matches(|c: char| c == ']' || c.is_ascii_digit() || c == '['),
        ) {
            format!(
                "the value does not have the expected type ({})",
                super::redact::REDACTED
            )
        } else {
            hide(&inner.to_string())
        };
        Error::Decode {
            request: resp.request.clone(),
            json_path: if path.is_empty() || path == "." {
                "(the whole body)".to_owned()
            } else {
                path
            },
            message,
            excerpt: excerpt(&resp.body),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::Method;

    fn resp(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            headers: Default::default(),
            body: body.to_owned().into(),
            request: crate::RequestInfo {
                method: Method::GET,
                path: "/entity/Default/24.200.001/Bill".into(),
            },
        }
    }

    #[test]
    fn real_tenant_answers_are_classified() {
        let not_found = r#"{"message":"An error has occurred.","exceptionMessage":"No entity satisfies the condition.","exceptionType":"PX.Api.ContractBased.NoEntitySatisfiesTheConditionException"}"#;
        assert!(matches!(
            error_for(&resp(500, not_found), false),
            Error::NotFound { status: 500, .. }
        ));
        let bad_login = r#"{"message":"An error has occurred.","exceptionMessage":"Error: Invalid credentials. Please try again.","exceptionType":"PX.Data.PXException"}"#;
        assert!(matches!(
            error_for(&resp(500, bad_login), true),
            Error::Authentication { status: 500, .. }
        ));
        assert!(matches!(
            error_for(&resp(500, bad_login), false),
            Error::Server { status: 500, .. }
        ));
        // A failure of the server during a sign-in is not a refusal of the credentials.
        let failure = r#"{"message":"An error has occurred.","exceptionMessage":"Operation failed","exceptionType":"PX.Data.PXInvalidOperationException"}"#;
        assert!(matches!(
            error_for(&resp(500, failure), true),
            Error::Server { status: 500, .. }
        ));
        let tenant = r#"{"message":"An error has occurred.","exceptionMessage":"A proper company ID cannot be determined.","exceptionType":"PX.Data.PXUndefinedCompanyException"}"#;
        assert!(matches!(
            error_for(&resp(500, tenant), true),
            Error::Authentication { status: 500, .. }
        ));
        let limit = r#"{"message":"An error has occurred.","exceptionMessage":"You have reached the API Login Limit."}"#;
        assert!(matches!(
            error_for(&resp(500, limit), true),
            Error::LoginLimit { .. }
        ));
        assert!(matches!(
            error_for(&resp(429, "API Login Limit"), true),
            Error::LoginLimit { status: 429, .. }
        ));
    }

    #[test]
    fn field_errors_come_from_detail_lines_too() {
        // The fixture from Acumatica's own C# client tests (ErrorMessagesTests.cs), shortened.
        let body = r#"{"id":"b641","rowNumber":1,"error":"Inserting  'AP Transactions' record raised at least one error. Please review the errors.","Amount":{"value":201.73},"Details":[{"id":"b841","rowNumber":1,"note":{"value":""},"Amount":{"value":201.73},"InventoryID":{},"Project":{"value":"TES2323T","error":"Project 'TES2323T  ' cannot be found in the system."}}],"ReferenceNbr":{"value":"<NEW>"}}"#;
        let Error::Validation {
            message, fields, ..
        } = error_for(&resp(422, body), false)
        else {
            panic!("not a validation error")
        };
        assert_eq!(
            message.as_deref(),
            Some(
                "Inserting  'AP Transactions' record raised at least one error. Please review the errors."
            )
        );
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].path, "Details[0].Project");
        assert_eq!(fields[0].value.as_deref(), Some("\"TES2323T\""));
    }

    #[test]
    fn decode_errors_name_the_path() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Line {
            qty: i32,
        }
        let err = decode_json::<Vec<Line>>(&resp(200, r#"[{"qty":1},{"qty":"x"}]"#)).unwrap_err();
        let Error::Decode {
            json_path, excerpt, ..
        } = err
        else {
            panic!()
        };
        assert_eq!(json_path, "[1].qty");
        assert!(excerpt.starts_with("[{\"qty\""));
    }
}
