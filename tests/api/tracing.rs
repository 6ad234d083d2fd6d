//! Following a request: one log line per request naming its operation, outcome code and
//! duration; and the request id and causation of every event carried in its NATS
//! message's headers, so a projector's log lines name the request that caused them.

use serde_json::{Value, json};

use crate::helpers::{Process, bootstrap_key, client, spawn_distributed};

#[tokio::test]
async fn every_request_logs_one_line_with_its_operation_outcome_and_duration() {
    // Arrange: a server logging JSON lines into a file
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("folio.log");
    let data = dir.path().join("data");
    let mut process = Process::serve_logging(&data, &log, true);
    let base = process.base.clone();
    let key = bootstrap_key(&process.next_line());
    let http = client();
    let created: Value = http
        .post(format!("{base}/v1/documents"))
        .header("x-api-key", &key)
        .header("x-request-id", "trace-create-1")
        .json(&json!({"title": "Traced"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_string();

    // Act: a read that works and one that is refused
    let found = http
        .get(format!("{base}/v1/documents/{id}/outline"))
        .header("x-api-key", &key)
        .header("x-request-id", "trace-outline-1")
        .send()
        .await
        .unwrap();
    let missing = http
        .get(format!(
            "{base}/v1/documents/018f0000-0000-7000-8000-000000000000/outline"
        ))
        .header("x-api-key", &key)
        .header("x-request-id", "trace-outline-2")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (found.status().as_u16(), missing.status().as_u16()),
        (200, 404)
    );
    process.terminate();

    // Assert: each request is one "request" line with its operation, code and duration
    let lines: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|l: &Value| l["fields"]["message"] == "request")
        .collect();
    let line = |request_id: &str| -> Vec<&Value> {
        lines
            .iter()
            .filter(|l| l["span"]["request_id"] == request_id)
            .collect()
    };
    for (request_id, operation, code, status) in [
        ("trace-create-1", "create_document", "ok", 201),
        ("trace-outline-1", "get_outline", "ok", 200),
        ("trace-outline-2", "get_outline", "document_not_found", 404),
    ] {
        let found = line(request_id);
        assert_eq!(found.len(), 1, "{request_id}: {lines:#?}");
        let fields = &found[0]["fields"];
        assert_eq!(fields["operation"], operation, "{request_id}");
        assert_eq!(fields["code"], code, "{request_id}");
        assert_eq!(fields["status"], status, "{request_id}");
        assert!(fields["elapsed_ms"].as_f64().is_some(), "{request_id}");
    }
}

#[tokio::test]
async fn events_carry_their_request_and_causation_in_nats_headers() {
    // Arrange
    let app = spawn_distributed().await;
    let id = app.create_document("Traced").await;

    // Act: a command with a request id of the client's
    let response = app
        .client
        .post(app.write_url(&format!("/v1/documents/{id}/commands")))
        .header("x-request-id", "trace-command-7")
        .json(&json!({"type": "add_paragraph", "text": "Followed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);

    // Assert: the message JetStream stored for the event names the request and command
    let crate::helpers::Deployment::Distributed(cluster) = &app.deployment else {
        unreachable!("a distributed app");
    };
    let nats = async_nats::connect(&cluster.stream.nats_url).await.unwrap();
    let jetstream = async_nats::jetstream::new(nats);
    let stream = jetstream
        .get_stream(format!("{}_EVENTS", cluster.stream.prefix))
        .await
        .unwrap();
    let subject = format!("{}.events.default.{id}", cluster.stream.prefix);
    // The relay publishes after the commit: wait (bounded) for the command's event, the
    // document's second.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let message = loop {
        let last = stream.get_last_raw_message_by_subject(&subject).await;
        if let Ok(m) = last
            && m.headers.get("Nats-Msg-Id").map(|v| v.as_str().to_string())
                == Some(format!("{id}:2"))
        {
            break m;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the event was not published"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let header = |name: &str| message.headers.get(name).map(|v| v.as_str().to_string());
    assert_eq!(
        header("Folio-Request-Id").as_deref(),
        Some("trace-command-7")
    );
    assert_eq!(header("Folio-Causation").as_deref(), Some("add_paragraph"));
}
