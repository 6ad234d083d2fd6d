//! A PostgreSQL database of the test's own (created fresh, migrated, dropped at the end).
//! `FOLIO_TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/test`) is where
//! it is created; `scripts/services` makes sure PostgreSQL runs.

use sqlx::PgPool;

fn admin_url() -> String {
    std::env::var("FOLIO_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub(crate) struct TestDatabase {
    name: String,
    pub(crate) pool: PgPool,
}

impl TestDatabase {
    pub(crate) async fn create() -> Self {
        let name = format!("folio_test_{}", uuid::Uuid::now_v7().simple());
        let admin = PgPool::connect(&admin_url())
            .await
            .expect("PostgreSQL is reachable (run scripts/services)");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        let base = admin_url();
        let (prefix, _) = base.rsplit_once('/').unwrap();
        let url = format!("{prefix}/{name}");
        let pool = infrastructure::postgres::connect(&url, 8, None)
            .await
            .unwrap();
        infrastructure::postgres::migrate(&pool).await.unwrap();
        Self { name, pool }
    }

    /// Drops the database (call at the end of the test).
    pub(crate) async fn drop(self) {
        self.pool.close().await;
        let admin = PgPool::connect(&admin_url()).await.unwrap();
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&admin)
        .await
        .unwrap();
    }
}
