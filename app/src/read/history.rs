//! The audit trail: one document's events, and the tenant's events across documents.

use super::*;

/// History (one document) and audit (the tenant) parameters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct EventParams {
    /// Page size, 1-200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    #[schema(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{1,18}$")]
    #[schema(pattern = "^[0-9]{1,18}$")]
    pub cursor: Option<String>,
    /// Only events by this actor.
    pub actor: Option<String>,
    /// Only events of this type (`ParagraphAdded`).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// Only events at or after this time (RFC 3339).
    #[param(format = DateTime)]
    #[schema(format = DateTime)]
    pub since: Option<String>,
    /// Only events before this time (RFC 3339).
    #[param(format = DateTime)]
    #[schema(format = DateTime)]
    pub until: Option<String>,
}

impl Reads {
    /// The document's events with their metadata (who, when, which request), oldest first.
    ///
    /// # Errors
    /// Not found; a bad filter or cursor (422).
    pub async fn history(
        &self,
        principal: &Principal,
        id: &str,
        params: &EventParams,
    ) -> Result<Page<HistoryItem>, ApiError> {
        let id = api_types::parse_document_id(id)?;
        self.head(principal, &id).await?;
        let limit = page_limit(params.limit, 50)?;
        let after = match &params.cursor {
            None => 0,
            Some(c) => c.parse::<u64>().map_err(|_| bad_cursor())?,
        };
        let filter = event_filter(after, params)?;
        let events = self
            .log
            .history(&id, &filter, u64::from(fetch_size(limit)))
            .await
            .map_err(store_error)?;
        let labels = domain::labels_by_version(&self.labels(principal, &id).await?);
        Ok(paginate(
            events,
            limit,
            |e| e.sequence.to_string(),
            |e| {
                let mut item = history_item(e);
                item.labels = labels.get(&item.sequence).cloned().unwrap_or_default();
                item
            },
        ))
    }

    /// The tenant-wide event log: every event of every document, in commit order.
    ///
    /// # Errors
    /// A bad filter or cursor (422).
    pub async fn audit(
        &self,
        principal: &Principal,
        params: &EventParams,
    ) -> Result<Page<AuditItem>, ApiError> {
        let limit = page_limit(params.limit, 50)?;
        let after = match &params.cursor {
            None => 0,
            Some(c) => c
                .parse::<i64>()
                .ok()
                .filter(|p| *p >= 0)
                .ok_or_else(bad_cursor)?,
        };
        let filter = event_filter(0, params)?;
        let events = self
            .log
            .audit(
                principal.tenant.as_str(),
                &filter,
                after,
                u64::from(fetch_size(limit)),
            )
            .await
            .map_err(store_error)?;
        Ok(paginate(
            events,
            limit,
            |(position, _)| position.to_string(),
            |(_, e)| AuditItem {
                document_id: e.document_id.to_string(),
                event: history_item(e),
            },
        ))
    }
}

/// The event filters shared by history and audit, with their times checked.
fn event_filter(after: u64, params: &EventParams) -> Result<HistoryFilter, ApiError> {
    Ok(HistoryFilter {
        after,
        actor: params.actor.clone(),
        event_type: params.kind.clone(),
        since: rfc3339("since", &params.since)?,
        until: rfc3339("until", &params.until)?,
    })
}

fn history_item(e: StoredEvent) -> HistoryItem {
    let known = |s: String| (!s.is_empty()).then_some(s);
    let payload = serde_json::to_value(&e.event).unwrap_or_default();
    let m = e.metadata;
    HistoryItem {
        sequence: e.sequence,
        kind: e.event_type,
        event_version: e.event_version,
        payload,
        actor: known(m.actor),
        tenant: known(m.tenant),
        request_id: known(m.request_id),
        command: known(m.command),
        ip: m.ip,
        user_agent: m.user_agent,
        at: known(m.at),
        reason: m.reason,
        labels: Vec::new(),
    }
}

fn rfc3339(field: &str, value: &Option<String>) -> Result<Option<String>, ApiError> {
    match value {
        None => Ok(None),
        Some(v) => chrono::DateTime::parse_from_rfc3339(v)
            .map(|t| {
                Some(
                    t.with_timezone(&chrono::Utc)
                        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                )
            })
            .map_err(|_| {
                ApiError::invalid(field, "must be an RFC 3339 time like 2026-01-31T12:00:00Z")
            }),
    }
}
