//! The audit trail: one document's events, and the tenant's events across documents.

use super::*;

/// History (one document) and audit (the tenant) parameters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct EventParams {
    /// Page size, 1-200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    #[schema(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page (a document's history: it carries the version
    /// the chain stops at, the head when its first page was read).
    #[param(pattern = "^[0-9]{1,18}(\\.[0-9]{1,18})?$")]
    #[schema(pattern = "^[0-9]{1,18}(\\.[0-9]{1,18})?$")]
    pub cursor: Option<String>,
    /// A page of at most about this many tokens (each item's JSON characters / 4; at
    /// least one item); the page also ends at `limit`.
    #[param(minimum = 100, maximum = 1000000)]
    #[schema(minimum = 100, maximum = 1000000)]
    pub budget: Option<u32>,
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
    ) -> Result<api_types::HistoryPage, ApiError> {
        let id = api_types::parse_document_id(id)?;
        let head = self.head(principal, &id).await?;
        let limit = page_limit(params.limit, 50)?;
        // A chain of pages stops at the head its first page saw, however many events are
        // appended meanwhile (an older cursor without it continues to the head).
        let (after, upto) = match params
            .cursor
            .as_deref()
            .map(|c| c.split_once('.').unwrap_or((c, "")))
        {
            None => (0, head),
            Some((after, upto)) => {
                let after = after.parse::<u64>().map_err(|_| bad_cursor())?;
                let upto = match upto {
                    "" => head,
                    upto => upto
                        .parse::<u64>()
                        .ok()
                        .filter(|u| *u <= head)
                        .ok_or_else(bad_cursor)?,
                };
                (after, upto)
            }
        };
        let budget = PageBudget::new(params.budget)?;
        let filter = event_filter(after, params)?;
        let mut events = self
            .log
            .history(&id, &filter, u64::from(fetch_size(limit)))
            .await
            .map_err(store_error)?;
        events.retain(|e| e.sequence <= upto);
        let labels = domain::labels_by_version(&self.labels(principal, &id).await?);
        let mut page = paginate(
            events,
            limit,
            |e| e.sequence.to_string(),
            |e| {
                let mut item = history_item(e);
                item.labels = labels.get(&item.sequence).cloned().unwrap_or_default();
                item
            },
        );
        within_budget(&mut page, budget, |i| i.sequence.to_string());
        Ok(api_types::HistoryPage {
            items: page.items,
            next_cursor: page.next_cursor.map(|c| format!("{c}.{upto}")),
            version: upto,
        })
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
        let budget = PageBudget::new(params.budget)?;
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
        let mut page = paginate(
            events,
            limit,
            |(position, _)| position.to_string(),
            |(position, e)| {
                let item = AuditItem {
                    document_id: e.document_id.to_string(),
                    event: history_item(e),
                };
                (position, item)
            },
        );
        within_budget(&mut page, budget, |(position, _)| position.to_string());
        Ok(Page {
            items: page.items.into_iter().map(|(_, item)| item).collect(),
            next_cursor: page.next_cursor,
        })
    }
}

/// The event filters shared by history and audit, with their times checked.
/// Cuts a page to the items that fit within `budget` tokens (each costing its JSON's
/// characters / 4, at least one item); when it cuts, the next page starts after the last
/// item kept (`cursor_of`).
fn within_budget<T: serde::Serialize>(
    page: &mut Page<T>,
    mut budget: PageBudget,
    cursor_of: impl Fn(&T) -> String,
) {
    let keep = page
        .items
        .iter()
        .take_while(|item| budget.take_json(item))
        .count();
    if keep < page.items.len() {
        page.items.truncate(keep);
        page.next_cursor = page.items.last().map(cursor_of);
    }
}

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
        rebased_from: m.rebased_from.and_then(|v| v.parse().ok()),
        proposed_by: m.proposed_by,
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
