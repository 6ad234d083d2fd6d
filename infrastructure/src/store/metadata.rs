//! The metadata stored with every event: the audit trail's who, when, through which request
//! and why. Stored as a JSON object (the `metadata` column, and the JetStream message), whose
//! keys the SQL reads too (`actor`, `at`, `tenant`, `request_id` in filters and indexes; the
//! triggers read `idempotency_key` and `idempotency_fingerprint`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An event's metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMetadata {
    /// The tenant the document belongs to.
    #[serde(default)]
    pub tenant: String,
    /// Who: `user:<name>`, `key:<id>` or `system`.
    #[serde(default)]
    pub actor: String,
    /// The request (from `X-Request-Id`, or generated).
    #[serde(default)]
    pub request_id: String,
    /// The command that produced the event (`add_paragraph`).
    #[serde(default)]
    pub command: String,
    /// When (RFC 3339, milliseconds, UTC).
    #[serde(default)]
    pub at: String,
    /// The client's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The client's user agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Why, as the client said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// On the first event of a request with an `Idempotency-Key`: the key (a trigger
    /// records it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// With `idempotency_key`: what identifies the request (target and commands).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_fingerprint: Option<String>,
    /// When the request was written against an older version and rebased onto the
    /// current one: that version (a string, so builds that do not know the key keep it
    /// among `other`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebased_from: Option<String>,
    /// For the events of an accepted suggestion: who proposed it (`actor` decided).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_by: Option<String>,
    /// Keys this build does not know (written by another build), kept as they were.
    #[serde(flatten)]
    pub other: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_form_is_the_flat_object_the_sql_reads() {
        let meta = EventMetadata {
            tenant: "acme".into(),
            actor: "key:abc".into(),
            request_id: "r1".into(),
            command: "add_paragraph".into(),
            at: "2026-01-01T00:00:00.000Z".into(),
            reason: Some("typo".into()),
            ..EventMetadata::default()
        };
        let json = serde_json::to_value(&meta).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"tenant": "acme", "actor": "key:abc", "request_id": "r1",
                "command": "add_paragraph", "at": "2026-01-01T00:00:00.000Z", "reason": "typo"})
        );
        let back: EventMetadata = serde_json::from_value(json).unwrap();
        assert_eq!(back, meta);
    }

    #[test]
    fn unknown_keys_survive_a_round_trip() {
        let json = serde_json::json!({"tenant": "t", "actor": "a", "origin": "import"});
        let meta: EventMetadata = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(meta.other.get("origin").map(String::as_str), Some("import"));
        assert_eq!(serde_json::to_value(&meta).unwrap()["origin"], "import");
    }
}
