//! One way to page a list: `limit` checked once, one more row fetched than the page needs,
//! and the cursor of the next page taken from the last row kept.

use api_types::{ApiError, Page};

/// Largest page of a list.
pub const MAX_PAGE: u32 = 200;

/// A page size from `limit`: `default` when absent, 422 outside 1..=[`MAX_PAGE`].
///
/// # Errors
/// [`ApiError::Validation`] naming `limit`.
pub fn page_limit(limit: Option<u32>, default: u32) -> Result<u32, ApiError> {
    let limit = limit.unwrap_or(default);
    if (1..=MAX_PAGE).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::invalid(
            "limit",
            format!("must be 1 to {MAX_PAGE}"),
        ))
    }
}

/// How many rows to fetch for a page of `limit`: one more tells whether a page follows.
pub fn fetch_size(limit: u32) -> u32 {
    limit + 1
}

/// The page of `rows` (fetched with [`fetch_size`]): at most `limit` items, and when more
/// followed, the cursor of the last one kept.
pub fn paginate<R, T>(
    mut rows: Vec<R>,
    limit: u32,
    cursor_of: impl Fn(&R) -> String,
    item: impl FnMut(R) -> T,
) -> Page<T> {
    let limit = limit as usize;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(cursor_of)
    } else {
        None
    };
    Page {
        items: rows.into_iter().map(item).collect(),
        next_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_page_has_the_cursor_of_its_last_item() {
        let page = paginate(vec![1, 2, 3], 2, ToString::to_string, |x| x * 10);
        assert_eq!(page.items, vec![10, 20]);
        assert_eq!(page.next_cursor.as_deref(), Some("2"));
    }

    #[test]
    fn the_last_page_has_no_cursor() {
        let page = paginate(vec![1, 2], 2, ToString::to_string, |x| x);
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(page.next_cursor, None);
    }

    #[test]
    fn limits_outside_the_range_are_refused() {
        assert!(page_limit(Some(0), 20).is_err());
        assert!(page_limit(Some(MAX_PAGE + 1), 20).is_err());
        assert_eq!(page_limit(None, 20).unwrap(), 20);
    }
}
