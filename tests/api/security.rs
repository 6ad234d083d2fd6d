//! Authentication, authorization, tenancy and rate limits, in both deployments: the
//! authorization matrix (every endpoint × every kind of bad or insufficient credential),
//! throttled password guessing, the bootstrap key, key management, and no secret in logs,
//! problems or events.
//!
//! Over 800 lines: end-to-end tests of one area, each test self-contained (arrange, act,
//! assert) so a failure reads on its own.

use std::time::Duration;

use auth::tokens::{Claims, Tokens};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    Process, TestApp, bootstrap_key, client, keyed_client, problem, spawn_app, spawn_app_with,
    spawn_distributed,
};

const PASSWORD: &str = "correct horse battery staple";

/// Adds a user through the CLI (password from the environment).
fn add_user(app: &TestApp, name: &str, tenant: &str, role: &str) {
    crate::helpers::succeeded(app.cli(
        &[
            "user",
            "add",
            name,
            "--tenant",
            tenant,
            "--role",
            role,
            "--password-env",
            "TEST_PASSWORD",
        ],
        &[("TEST_PASSWORD", PASSWORD)],
    ));
}

async fn login(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    client()
        .post(app.write_url("/v1/auth/token"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn token(app: &TestApp, username: &str) -> String {
    let response = login(app, username, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    body["access_token"].as_str().unwrap().to_string()
}

fn base64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn claims(tenant: &str, role: &str) -> Claims {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Claims {
        iss: "folio".into(),
        aud: "folio-api".into(),
        sub: "mallory".into(),
        tenant: tenant.into(),
        role: role.into(),
        iat: now,
        exp: now + 600,
    }
}

/// One way of calling.
#[derive(Debug, Clone)]
enum Credential {
    None,
    Bearer(String),
    Key(String),
}

impl Credential {
    fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Self::None => request,
            Self::Bearer(token) => request.bearer_auth(token),
            Self::Key(key) => request.header("x-api-key", key),
        }
    }
}

/// One endpoint of the API, filled in for the test's documents.
struct Endpoint {
    method: Method,
    path: String,
    body: Option<Value>,
}

impl Endpoint {
    fn is_write(&self) -> bool {
        self.method != Method::GET
    }

    fn is_key_management(&self) -> bool {
        self.path.starts_with("/v1/api-keys")
    }

    fn is_user_management(&self) -> bool {
        self.path.starts_with("/v1/users")
    }

    /// Whether the endpoint names the victim's document (404 for another tenant) rather
    /// than listing the caller's own tenant.
    fn names_document(&self) -> bool {
        self.path.starts_with("/v1/documents/")
    }

    async fn call(&self, app: &TestApp, credential: &Credential) -> reqwest::Response {
        let url = if self.is_write() {
            app.write_url(&self.path)
        } else {
            app.url(&self.path)
        };
        let mut request = credential.apply(client().request(self.method.clone(), url));
        if let Some(body) = &self.body {
            request = request.json(body);
        }
        request.send().await.unwrap()
    }
}

/// Every endpoint folio serves (API.md's endpoints that exist), aimed at document `id`
/// (with a paragraph `block`) and API key `key_id` of the default tenant.
fn endpoints(id: &str, block: &str, key_id: &str) -> Vec<Endpoint> {
    let get = |path: String| Endpoint {
        method: Method::GET,
        path,
        body: None,
    };
    let d = format!("/v1/documents/{id}");
    vec![
        get("/v1/documents".into()),
        get(d.clone()),
        get(format!("{d}/content")),
        get(format!("{d}/content?version=1")),
        get(format!("{d}/blocks/{block}")),
        get(format!("{d}/text")),
        get(format!("{d}/outline")),
        get(format!("{d}/docx")),
        get(format!("{d}/export?format=html")),
        get(format!("{d}/history")),
        get(format!("{d}/search?q=secret")),
        get("/v1/search?q=secret".into()),
        get("/v1/audit".into()),
        get("/v1/api-keys".into()),
        get("/v1/users".into()),
        Endpoint {
            method: Method::POST,
            path: "/v1/documents".into(),
            body: Some(json!({"title": "intruder"})),
        },
        Endpoint {
            method: Method::POST,
            path: format!("{d}/commands"),
            body: Some(json!({"type": "add_paragraph", "text": "intruder"})),
        },
        Endpoint {
            method: Method::DELETE,
            path: d,
            body: None,
        },
        Endpoint {
            method: Method::POST,
            path: "/v1/api-keys".into(),
            body: Some(json!({"name": "intruder", "scopes": ["read"]})),
        },
        Endpoint {
            method: Method::DELETE,
            path: format!("/v1/api-keys/{key_id}"),
            body: None,
        },
        Endpoint {
            method: Method::POST,
            path: "/v1/users".into(),
            body: Some(json!({"username": "intruder", "password": PASSWORD, "role": "admin"})),
        },
        Endpoint {
            method: Method::DELETE,
            path: "/v1/users/editor-a".into(),
            body: None,
        },
    ]
}

async fn create_key(app: &TestApp, credential: &Credential, scopes: &[&str]) -> Value {
    let response = credential
        .apply(client().post(app.write_url("/v1/api-keys")))
        .json(&json!({"name": "matrix", "scopes": scopes}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn revoke(app: &TestApp, credential: &Credential, id: &str) -> StatusCode {
    credential
        .apply(client().delete(app.write_url(&format!("/v1/api-keys/{id}"))))
        .send()
        .await
        .unwrap()
        .status()
}

async fn authorization_matrix(app: &TestApp) {
    // Arrange: a document of the default tenant, users of both tenants, and every kind of
    // bad credential.
    add_user(app, "editor-a", "default", "editor");
    add_user(app, "viewer-a", "default", "viewer");
    add_user(app, "admin-b", "tenant-b", "admin");
    let id = app.create_document("Tenant A's secret plans").await;
    let created = app
        .ok(
            &id,
            json!({"type": "add_paragraph", "text": "the secret is here"}),
        )
        .await;
    let block = created["created"]["block_ids"][0]
        .as_str()
        .unwrap()
        .to_string();
    let admin = Credential::Key(app.key.clone());
    let victim_key = create_key(app, &admin, &["read"]).await;
    let victim_key_id = victim_key["id"].as_str().unwrap().to_string();
    let revoked = create_key(app, &admin, &["read", "write"]).await;
    assert_eq!(
        revoke(app, &admin, revoked["id"].as_str().unwrap()).await,
        StatusCode::NO_CONTENT
    );
    let viewer_token = token(app, "viewer-a").await;
    let secret = app.jwt_secret();
    let real = Tokens::new(
        secret.as_bytes(),
        "folio",
        "folio-api",
        Duration::from_secs(1),
    )
    .unwrap();
    let forger = Tokens::new(
        b"not-the-secret-not-the-secret-not-the-secret",
        "folio",
        "folio-api",
        Duration::from_secs(1),
    )
    .unwrap();
    let tampered = {
        let parts: Vec<&str> = viewer_token.split('.').collect();
        let payload = json!(claims("default", "admin")).to_string();
        format!(
            "{}.{}.{}",
            parts[0],
            base64url(payload.as_bytes()),
            parts[2]
        )
    };
    let alg_none = format!(
        "{}.{}.",
        base64url(br#"{"alg":"none","typ":"JWT"}"#),
        base64url(json!(claims("default", "admin")).to_string().as_bytes())
    );
    let expired = real
        .sign(&Claims {
            iat: 1_000,
            exp: 2_000,
            ..claims("default", "admin")
        })
        .unwrap();
    let wrong_issuer = real
        .sign(&Claims {
            iss: "someone-else".into(),
            ..claims("default", "admin")
        })
        .unwrap();
    let wrong_audience = real
        .sign(&Claims {
            aud: "another-api".into(),
            ..claims("default", "admin")
        })
        .unwrap();
    let rejected: Vec<(&str, Credential)> = vec![
        ("no credentials", Credential::None),
        (
            "forged JWT",
            Credential::Bearer(forger.sign(&claims("default", "admin")).unwrap()),
        ),
        ("tampered JWT", Credential::Bearer(tampered)),
        ("alg none", Credential::Bearer(alg_none)),
        ("expired JWT", Credential::Bearer(expired)),
        ("wrong issuer", Credential::Bearer(wrong_issuer)),
        ("wrong audience", Credential::Bearer(wrong_audience)),
        ("garbage token", Credential::Bearer("not-a-jwt".into())),
        (
            "revoked key",
            Credential::Key(revoked["key"].as_str().unwrap().into()),
        ),
        (
            "unknown key",
            Credential::Key(format!("folio_{}_{}", "0".repeat(12), "0".repeat(64))),
        ),
    ];
    let other_tenant = Credential::Bearer(token(app, "admin-b").await);
    let viewer = Credential::Bearer(viewer_token);
    let endpoints = endpoints(&id, &block, &victim_key_id);

    // Act and assert: every endpoint with every credential.
    for endpoint in &endpoints {
        let what = format!("{} {}", endpoint.method, endpoint.path);
        for (name, credential) in &rejected {
            let response = endpoint.call(app, credential).await;
            let body = problem(response, 401).await;
            let text = body.to_string();
            assert!(!text.contains("secret"), "{what} with {name} leaks: {text}");
        }

        let response = endpoint.call(app, &other_tenant).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(
            !text.contains(&id),
            "{what} for another tenant leaks the id: {text}"
        );
        assert!(
            !text.contains("secret"),
            "{what} for another tenant leaks: {text}"
        );
        let expected = if endpoint.names_document() || endpoint.method == Method::DELETE {
            StatusCode::NOT_FOUND
        } else if endpoint.method == Method::POST {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        assert_eq!(status, expected, "{what} for another tenant: {text}");
        if endpoint.method == Method::GET && !endpoint.names_document() {
            let body: Value = serde_json::from_str(&text).unwrap();
            let items = body["items"].as_array().unwrap();
            if endpoint.is_key_management() || endpoint.is_user_management() {
                assert!(items.iter().all(|k| k["tenant"] == "tenant-b"), "{text}");
            } else {
                assert!(items.is_empty(), "{what} for another tenant: {text}");
            }
        }

        let response = endpoint.call(app, &viewer).await;
        let status = response.status();
        let expected = if endpoint.is_user_management() {
            StatusCode::FORBIDDEN
        } else if endpoint.is_key_management() {
            // a viewer manages its own keys: it may make a read key, and another's key
            // is not among its own
            match endpoint.method {
                Method::GET => StatusCode::OK,
                Method::POST => StatusCode::CREATED,
                _ => StatusCode::NOT_FOUND,
            }
        } else if endpoint.is_write() {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::OK
        };
        assert_eq!(status, expected, "{what} as a viewer");
    }

    // Nothing those calls did reached tenant A's document or users.
    let users = app.get_json("/v1/users").await;
    let names: Vec<&str> = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["editor-a", "viewer-a"]);
    assert!(!users.to_string().contains("argon2"));
    let history = app.get_json(&format!("/v1/documents/{id}/history")).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 2);
    // The victim key still works (nobody could revoke it); public endpoints need nothing.
    let still = Credential::Key(victim_key["key"].as_str().unwrap().into());
    let response = still
        .apply(client().get(app.url("/v1/documents")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    for path in ["/healthz", "/readyz", "/openapi.json"] {
        let response = client().get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    // A viewer cannot mint a key with more than its own scopes.
    let response = viewer
        .apply(client().post(app.write_url("/v1/api-keys")))
        .json(&json!({"name": "escalate", "scopes": ["read", "write"]}))
        .send()
        .await
        .unwrap();
    problem(response, 403).await;
    // Writes record the principal: a user as user:<name>, a key as key:<id>.
    let editor = Credential::Bearer(token(app, "editor-a").await);
    let response = editor
        .apply(client().post(app.write_url(&format!("/v1/documents/{id}/commands"))))
        .json(&json!({"type": "add_paragraph", "text": "by the editor"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let history = app.get_json(&format!("/v1/documents/{id}/history")).await;
    let actors: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert_eq!(
        actors,
        [
            app.key_actor().as_str(),
            app.key_actor().as_str(),
            "user:editor-a"
        ]
    );
    assert!(!history.to_string().contains(&app.key));
}

#[tokio::test]
async fn every_endpoint_refuses_bad_credentials_other_tenants_and_viewers_writing() {
    authorization_matrix(&spawn_app().await).await;
}

#[tokio::test]
async fn every_endpoint_refuses_bad_credentials_other_tenants_and_viewers_writing_distributed() {
    authorization_matrix(&spawn_distributed().await).await;
}

#[tokio::test]
async fn a_revoked_key_fails_at_once_on_every_instance() {
    // Arrange: two command-apis and a query-api
    let app = TestApp::distributed(crate::cluster::Cluster::start(2, 1).await);
    let cluster = app.cluster_ref();
    let admin = Credential::Key(app.key.clone());
    let created = create_key(&app, &admin, &["read", "write"]).await;
    let key = Credential::Key(created["key"].as_str().unwrap().into());
    let bases = [
        cluster.command_base(0),
        cluster.command_base(1),
        cluster.query_base(),
    ];
    for base in &bases {
        let response = key
            .apply(client().get(format!("{base}/v1/api-keys")))
            .send()
            .await
            .unwrap();
        // the command-apis serve no GET /v1/api-keys, but the key is accepted (404 route)
        assert_ne!(response.status(), StatusCode::UNAUTHORIZED, "{base}");
    }

    // Act: revoke through the first command-api
    let revoke = admin
        .apply(client().delete(format!(
            "{}/v1/api-keys/{}",
            bases[0],
            created["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), StatusCode::NO_CONTENT);

    // Assert: refused at once everywhere
    for base in &bases {
        let response = key
            .apply(client().post(format!("{base}/v1/documents")))
            .json(&json!({"title": "after revocation"}))
            .send()
            .await
            .unwrap();
        let body = problem(response, 401).await;
        assert_eq!(body["code"], "revoked_api_key", "{base}");
    }
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled_and_the_right_one_works_after_the_window() {
    // Arrange: three attempts at once, then one every 3 s (per address and per username;
    // the window is wide enough that a slow machine cannot earn an attempt mid-test)
    let app = spawn_app_with(&["--login-per-minute", "20", "--login-burst", "3"]).await;
    add_user(&app, "ann", "default", "editor");

    // Act: an unknown user, then wrong passwords, from one address
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for username in ["nobody", "ann", "ann", "ann"] {
        let response = login(&app, username, "wrong password, guessing").await;
        statuses.push(response.status().as_u16());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            retry_after = Some(
                response.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse::<u64>()
                    .unwrap(),
            );
            let body = problem(response, 429).await;
            assert_eq!(body["code"], "rate_limited");
        } else {
            // an unknown user gets the same answer as a wrong password
            let body = problem(response, 401).await;
            assert_eq!(body["code"], "invalid_credentials");
            assert_eq!(body["detail"], "wrong username or password");
        }
    }
    let refused_right_away = login(&app, "ann", PASSWORD).await.status();
    let retry_after = retry_after.expect("the fourth attempt is throttled");
    tokio::time::sleep(Duration::from_secs(retry_after) + Duration::from_millis(100)).await;
    let after_window = login(&app, "ann", PASSWORD).await;

    // Assert
    assert_eq!(statuses, [401, 401, 401, 429]);
    assert!((1..=3).contains(&retry_after), "{retry_after}");
    assert_eq!(refused_right_away, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(after_window.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_principal_over_its_rate_gets_429_with_retry_after() {
    // Arrange
    let app = spawn_app_with(&["--rate-limit-per-second", "1", "--rate-limit-burst", "3"]).await;

    // Act
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(app.get("/v1/documents").await);
    }

    // Assert
    let codes: Vec<u16> = statuses.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(&codes[..3], [200, 200, 200]);
    assert_eq!(codes[3], 429);
    let last = statuses.pop().unwrap();
    assert_eq!(last.headers()["retry-after"], "1");
    problem(last, 429).await;
    // Another principal is not held back by the first one's rate.
    add_user(&app, "bob", "default", "viewer");
    let token = token(&app, "bob").await;
    let response = client()
        .get(app.url("/v1/documents"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_bootstrap_key_is_printed_once_and_only_for_an_empty_data_directory() {
    // Arrange: a first start printed a key (the harness read it); a second start
    let mut app = spawn_app().await;
    app.restart();
    let keys = app.get_json("/v1/api-keys").await;
    let items = keys["items"].as_array().unwrap();

    // Assert: still one key, and it is an admin key of the default tenant
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["name"], "bootstrap");
    assert_eq!(items[0]["scopes"], json!(["read", "write", "admin"]));
    assert_eq!(items[0]["created_by"], "system:bootstrap");

    // A data directory that already has a user gets no bootstrap key.
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_folio-e2e"))
        .args([
            "user", "add", "root", "--tenant", "default", "--role", "admin",
        ])
        .args(["--password-env", "TEST_PASSWORD", "--data-dir"])
        .arg(dir.path())
        .env("TEST_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(output.status.success());
    let mut process = Process::start(&[
        "serve".into(),
        "--bind".into(),
        "127.0.0.1:0".into(),
        "--data-dir".into(),
        dir.path().display().to_string(),
    ]);
    let base = process.base.clone();
    let health = client()
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    process.terminate();
    assert_eq!(process.rest_of_stdout(), "", "no bootstrap key is printed");
}

#[tokio::test]
async fn keys_are_managed_by_their_owner_within_their_scopes_and_admins_see_all() {
    // Arrange
    let app = spawn_app().await;
    add_user(&app, "ed", "default", "editor");
    add_user(&app, "vi", "default", "viewer");
    let ed = Credential::Bearer(token(&app, "ed").await);
    let vi = Credential::Bearer(token(&app, "vi").await);

    // Act
    let ed_key = create_key(&app, &ed, &["read", "write"]).await;
    let vi_key = create_key(&app, &vi, &["read"]).await;
    let list = |c: &Credential| c.apply(client().get(app.url("/v1/api-keys"))).send();
    let ed_list: Value = list(&ed).await.unwrap().json().await.unwrap();
    let admin_list: Value = list(&Credential::Key(app.key.clone()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // a key made by a key of ed's acts for ed and lists ed's keys
    let ed_key_cred = Credential::Key(ed_key["key"].as_str().unwrap().into());
    let child = create_key(&app, &ed_key_cred, &["read"]).await;
    let from_key: Value = list(&ed_key_cred).await.unwrap().json().await.unwrap();

    // Assert
    let ids = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&ed_list), [ed_key["id"].as_str().unwrap()]);
    assert_eq!(ed_list["items"][0]["owner"], "user:ed");
    assert!(
        !ed_list
            .to_string()
            .contains(ed_key["key"].as_str().unwrap())
    );
    assert_eq!(ids(&admin_list).len(), 3, "bootstrap, ed's and vi's keys");
    assert_eq!(ids(&from_key).len(), 2);
    assert!(ids(&from_key).contains(&child["id"].as_str().unwrap().to_string()));
    // ed cannot revoke vi's key; the admin can; ed can revoke its own
    assert_eq!(
        revoke(&app, &ed, vi_key["id"].as_str().unwrap()).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        revoke(
            &app,
            &Credential::Key(app.key.clone()),
            vi_key["id"].as_str().unwrap()
        )
        .await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        revoke(&app, &ed, child["id"].as_str().unwrap()).await,
        StatusCode::NO_CONTENT
    );
    // bad requests change nothing
    for (body, status, field) in [
        (json!({"name": "", "scopes": ["read"]}), 422, Some("name")),
        (json!({"name": "x", "scopes": []}), 422, Some("scopes")),
        (
            json!({"name": "x", "scopes": ["root"]}),
            422,
            Some("scopes"),
        ),
        (json!({"name": "x", "scopes": ["admin"]}), 403, None),
        (json!({"name": "x"}), 422, Some("scopes")),
    ] {
        let response = ed
            .apply(client().post(app.write_url("/v1/api-keys")))
            .json(&body)
            .send()
            .await
            .unwrap();
        let p = problem(response, status).await;
        if let Some(field) = field {
            assert_eq!(crate::helpers::fields(&p), [field], "{body}");
        }
    }
    let after: Value = list(&ed).await.unwrap().json().await.unwrap();
    assert_eq!(
        ids(&after).len(),
        2,
        "ed's key and its revoked child, nothing new"
    );
}

#[tokio::test]
async fn the_cli_refuses_weak_passwords_taken_names_and_bad_roles() {
    let app = spawn_app().await;
    let add = |name: &str, role: &str, password: &str| {
        app.cli(
            &[
                "user",
                "add",
                name,
                "--tenant",
                "default",
                "--role",
                role,
                "--password-env",
                "P",
            ],
            &[("P", password)],
        )
    };
    assert!(add("ann", "editor", PASSWORD).status.success());
    let taken = add("ann", "viewer", PASSWORD);
    assert!(!taken.status.success());
    assert!(String::from_utf8_lossy(&taken.stderr).contains("taken"));
    let weak = add("bob", "viewer", "short");
    assert!(!weak.status.success());
    assert!(!String::from_utf8_lossy(&weak.stderr).contains("short\n"));
    assert!(!add("bob", "root", PASSWORD).status.success());
    assert!(!add("bad name", "viewer", PASSWORD).status.success());
    // a key from the CLI prints once as JSON and works; revoking it by id stops it
    let output = app.cli(
        &[
            "api-key", "create", "--tenant", "default", "--name", "ci", "--scopes", "read",
        ],
        &[],
    );
    assert!(output.status.success());
    let created: Value = serde_json::from_slice(&output.stdout).unwrap();
    let key = created["key"].as_str().unwrap();
    let response = keyed_client(key)
        .get(app.url("/v1/documents"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let output = app.cli(&["api-key", "revoke", created["id"].as_str().unwrap()], &[]);
    assert!(output.status.success());
    let response = keyed_client(key)
        .get(app.url("/v1/documents"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        !app.cli(&["api-key", "revoke", "000000000000"], &[])
            .status
            .success()
    );
}

#[test]
fn the_distributed_apis_refuse_to_start_without_a_signing_secret() {
    for command in ["command-api", "query-api"] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_folio-e2e"))
            .args([
                command,
                "--database-url",
                "postgres://postgres@127.0.0.1:1/none",
            ])
            .env_remove("FOLIO_JWT_SECRET")
            .output()
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--jwt-secret"), "{command}: {stderr}");
    }
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_folio-e2e"))
        .args(["query-api", "--jwt-secret", "too-short-a-secret"])
        .args(["--database-url", "postgres://postgres@127.0.0.1:1/none"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("at least 32 bytes"), "{stderr}");
    assert!(
        !stderr.contains("too-short-a-secret"),
        "the secret is echoed: {stderr}"
    );
}

#[tokio::test]
async fn no_secret_reaches_the_logs_the_problems_or_the_events() {
    // Arrange: a server logging at debug level into a file
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("folio.log");
    let data = dir.path().join("data");
    let mut process = Process::serve_logging(&data, &log, false);
    let base = process.base.clone();
    let bootstrap = bootstrap_key(&process.next_line());
    let jwt_secret = std::fs::read_to_string(data.join("jwt-secret")).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_folio-e2e"))
        .args([
            "user", "add", "carol", "--tenant", "default", "--role", "editor",
        ])
        .args(["--password-env", "TEST_PASSWORD", "--data-dir"])
        .arg(&data)
        .env("TEST_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(output.status.success());
    let http = client();
    let wrong_password = "hunter2-but-longer-and-wrong";

    // Act: a full scenario with every kind of secret, right and wrong
    let mut answers = String::new();
    let response = http
        .post(format!("{base}/v1/auth/token"))
        .json(&json!({"username": "carol", "password": wrong_password}))
        .send()
        .await
        .unwrap();
    answers.push_str(&response.text().await.unwrap());
    let response = http
        .post(format!("{base}/v1/auth/token"))
        .json(&json!({"username": "carol", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let token = response.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let response = http
        .post(format!("{base}/v1/api-keys"))
        .bearer_auth(&token)
        .json(&json!({"name": "carol's key", "scopes": ["read", "write"]}))
        .send()
        .await
        .unwrap();
    let created: Value = response.json().await.unwrap();
    let key = created["key"].as_str().unwrap().to_string();
    let response = http
        .post(format!("{base}/v1/documents"))
        .bearer_auth(&token)
        .json(&json!({"title": "Logged"}))
        .send()
        .await
        .unwrap();
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    for credential in [
        Credential::Key(key.clone()),
        Credential::Bearer(token.clone()),
        Credential::Key(bootstrap.clone()),
    ] {
        let response = credential
            .apply(http.post(format!("{base}/v1/documents/{id}/commands")))
            .json(&json!({"type": "add_paragraph", "text": "hello"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    let tampered_key = format!("{}0", &key[..key.len() - 1]);
    let tampered_token = format!("{token}x");
    for credential in [
        Credential::Key(tampered_key.clone()),
        Credential::Bearer(tampered_token.clone()),
        Credential::Bearer(format!("{token}\u{0}")),
    ] {
        let response = credential
            .apply(http.get(format!("{base}/v1/documents/{id}")))
            .send()
            .await;
        if let Ok(response) = response {
            answers.push_str(&response.text().await.unwrap());
        }
    }
    let response = http
        .delete(format!(
            "{base}/v1/api-keys/{}",
            created["id"].as_str().unwrap()
        ))
        .header("x-api-key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = http
        .get(format!("{base}/v1/documents/{id}"))
        .header("x-api-key", &key)
        .send()
        .await
        .unwrap();
    answers.push_str(&response.text().await.unwrap());
    let admin_reads = keyed_client(&bootstrap);
    let read = |path: String| {
        let request = admin_reads.get(format!("{base}{path}"));
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let history = read(format!("/v1/documents/{id}/history")).await;
    let audit = read("/v1/audit".into()).await;
    process.terminate();
    let logs = std::fs::read_to_string(&log).unwrap();

    // Assert
    assert!(
        logs.contains("/v1/auth/token"),
        "the log is the scenario's: {logs}"
    );
    let secret_of = |k: &str| k.rsplit('_').next().unwrap().to_string();
    let secrets = [
        ("password", PASSWORD.to_string()),
        ("wrong password", wrong_password.to_string()),
        ("access token", token.clone()),
        (
            "token signature",
            token.rsplit('.').next().unwrap().to_string(),
        ),
        ("API key", secret_of(&key)),
        ("tampered API key", secret_of(&tampered_key)),
        ("bootstrap key", secret_of(&bootstrap)),
        ("JWT secret", jwt_secret.trim().to_string()),
    ];
    for (what, secret) in &secrets {
        assert!(!logs.contains(secret.as_str()), "the {what} is in the logs");
        assert!(
            !answers.contains(secret.as_str()),
            "the {what} is in a problem"
        );
        assert!(
            !history.contains(secret.as_str()),
            "the {what} is in event metadata"
        );
        assert!(
            !audit.contains(secret.as_str()),
            "the {what} is in the audit log"
        );
    }
    // the key's id (not the key) identifies it in the metadata
    assert!(history.contains(&format!("key:{}", created["id"].as_str().unwrap())));
    assert!(history.contains("user:carol"));
}

#[tokio::test]
async fn admins_add_and_remove_users_of_their_tenant() {
    // Arrange
    let app = spawn_app().await;
    let admin = Credential::Key(app.key.clone());
    let post = |body: Value| {
        admin
            .apply(client().post(app.write_url("/v1/users")))
            .json(&body)
            .send()
    };

    // Act
    let created = post(json!({"username": "dana", "password": PASSWORD, "role": "editor"}))
        .await
        .unwrap();
    let taken = post(json!({"username": "dana", "password": PASSWORD, "role": "viewer"}))
        .await
        .unwrap();
    let weak = post(json!({"username": "eve", "password": "short", "role": "viewer"}))
        .await
        .unwrap();
    let bad_role = post(json!({"username": "eve", "password": PASSWORD, "role": "root"}))
        .await
        .unwrap();
    let dana = Credential::Bearer(token(&app, "dana").await);
    let by_dana = dana
        .apply(client().post(app.write_url("/v1/documents")))
        .json(&json!({"title": "Dana's"}))
        .send()
        .await
        .unwrap();
    let removed = admin
        .apply(client().delete(app.write_url("/v1/users/dana")))
        .send()
        .await
        .unwrap();
    let again = admin
        .apply(client().delete(app.write_url("/v1/users/dana")))
        .send()
        .await
        .unwrap();

    // Assert
    assert_eq!(created.status(), StatusCode::CREATED);
    let body: Value = created.json().await.unwrap();
    assert_eq!(body["tenant"], "default");
    assert_eq!(body["role"], "editor");
    assert_eq!(problem(taken, 409).await["code"], "username_taken");
    let p = problem(weak, 422).await;
    assert_eq!(p["errors"][0]["field"], "password");
    assert!(!p.to_string().contains("short\""));
    problem(bad_role, 422).await;
    assert_eq!(by_dana.status(), StatusCode::CREATED);
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    problem(again, 404).await;
    problem(login(&app, "dana", PASSWORD).await, 401).await;
}

/// Logs in as `username` with a wrong password, claiming to come from `forwarded_for`.
async fn guess_from(app: &TestApp, username: &str, forwarded_for: &str) -> StatusCode {
    client()
        .post(app.write_url("/v1/auth/token"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"username": username, "password": "not the password at all"}))
        .send()
        .await
        .unwrap()
        .status()
}

/// Creates a document, claiming to come from `forwarded_for`; returns its id.
async fn create_from(app: &TestApp, forwarded_for: &str) -> String {
    let response = app
        .client
        .post(app.write_url("/v1/documents"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"title": "Forwarded"}))
        .send()
        .await
        .unwrap();
    response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn x_forwarded_for_names_the_client_only_behind_a_trusted_proxy() {
    // Arrange: one login attempt per minute per address (and per username)
    let limits = ["--login-per-minute", "1", "--login-burst", "1"];
    let direct = spawn_app_with(&limits).await;
    let mut behind = limits.to_vec();
    behind.extend(["--trusted-proxies", "127.0.0.0/8"]);
    let proxied = spawn_app_with(&behind).await;

    // Act: two attempts for different users from different claimed addresses
    let direct_statuses = [
        guess_from(&direct, "u1", "203.0.113.1").await,
        guess_from(&direct, "u2", "203.0.113.2").await,
    ];
    let proxied_statuses = [
        guess_from(&proxied, "u1", "203.0.113.1").await,
        guess_from(&proxied, "u2", "203.0.113.2").await,
        // a client-written entry left of the proxy's does not dodge the limit
        guess_from(&proxied, "u3", "198.51.100.9, 203.0.113.1").await,
    ];
    let id = create_from(&proxied, "203.0.113.7").await;
    let spoofed_id = create_from(&direct, "203.0.113.7").await;

    // Assert: without a trusted proxy every attempt comes from 127.0.0.1 (one address,
    // limited); behind it each claimed address has its own allowance
    assert_eq!(
        direct_statuses,
        [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS]
    );
    assert_eq!(
        proxied_statuses,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    let history = proxied
        .get_json(&format!("/v1/documents/{id}/history"))
        .await;
    assert_eq!(history["items"][0]["ip"], "203.0.113.7");
    let history = direct
        .get_json(&format!("/v1/documents/{spoofed_id}/history"))
        .await;
    assert_eq!(history["items"][0]["ip"], "127.0.0.1");
}
