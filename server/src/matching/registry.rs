//! The re-ranker's model registry: every trained version of an organisation with its data size
//! and validation metrics. A version becomes active when it is recorded only if it beat the
//! default weights; any recorded version can be activated again later (rollback).
//!
//! Not used by the product yet: it needs labelled outcomes (recruiters advancing and rejecting
//! applications), which the hiring issue creates; that issue trains and activates models here.
//! Until then only `tests/reranker.rs` reaches it.

use super::reranker::{LogisticModel, TrainingReport};
use crate::db::{now, Db};
use serde::Serialize;

#[derive(sqlx::FromRow)]
struct VersionRow {
    version: i64,
    train_size: i64,
    validation_size: i64,
    auc: f64,
    accuracy: f64,
    baseline_auc: f64,
    baseline_accuracy: f64,
    active: i64,
    created_at: i64,
}

/// A recorded version.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelVersion {
    pub version: i64,
    pub train_size: i64,
    pub validation_size: i64,
    pub auc: f64,
    pub accuracy: f64,
    pub baseline_auc: f64,
    pub baseline_accuracy: f64,
    pub active: bool,
    pub created_at: i64,
}

/// Why the registry could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("re-ranker version {0} does not exist in this organisation")]
    NoSuchVersion(i64),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored model cannot be read: {0}")]
    Model(#[from] serde_json::Error),
}

/// Records a trained model as the organisation's next version, active if it beat the defaults
/// (and then the only active one). Returns the version.
pub async fn record(db: &Db, org_id: i64, report: &TrainingReport) -> Result<i64, RegistryError> {
    let mut tx = db.begin().await?;
    let version: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(version), 0) + 1 AS next FROM reranker_models WHERE org_id = $1",
    )
    .bind(org_id)
    .fetch_one(&mut *tx)
    .await?;
    if report.beats_baseline {
        sqlx::query("UPDATE reranker_models SET active = 0 WHERE org_id = $1")
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO reranker_models (org_id, version, train_size, validation_size, auc, accuracy, \
         baseline_auc, baseline_accuracy, model, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(org_id)
    .bind(version)
    .bind(report.train_size as i64)
    .bind(report.validation_size as i64)
    .bind(report.auc)
    .bind(report.accuracy)
    .bind(report.baseline_auc)
    .bind(report.baseline_accuracy)
    .bind(serde_json::to_string(&report.model)?)
    .bind(i64::from(report.beats_baseline))
    .bind(now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// Every version of the organisation, newest first.
pub async fn versions(db: &Db, org_id: i64) -> Result<Vec<ModelVersion>, RegistryError> {
    let rows: Vec<VersionRow> = sqlx::query_as(
        "SELECT version, train_size, validation_size, auc, accuracy, baseline_auc, \
         baseline_accuracy, active, created_at FROM reranker_models WHERE org_id = $1 \
         ORDER BY version DESC",
    )
    .bind(org_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ModelVersion {
            version: r.version,
            train_size: r.train_size,
            validation_size: r.validation_size,
            auc: r.auc,
            accuracy: r.accuracy,
            baseline_auc: r.baseline_auc,
            baseline_accuracy: r.baseline_accuracy,
            active: r.active != 0,
            created_at: r.created_at,
        })
        .collect())
}

/// Makes `version` the active one (a rollback when it is older than the current).
pub async fn activate(db: &Db, org_id: i64, version: i64) -> Result<(), RegistryError> {
    let mut tx = db.begin().await?;
    let exists =
        sqlx::query("SELECT 1 AS one FROM reranker_models WHERE org_id = $1 AND version = $2")
            .bind(org_id)
            .bind(version)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
    if !exists {
        return Err(RegistryError::NoSuchVersion(version));
    }
    sqlx::query("UPDATE reranker_models SET active = CASE WHEN version = $2 THEN 1 ELSE 0 END WHERE org_id = $1")
        .bind(org_id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Goes back to the default weights: no version active.
pub async fn deactivate_all(db: &Db, org_id: i64) -> Result<(), RegistryError> {
    sqlx::query("UPDATE reranker_models SET active = 0 WHERE org_id = $1")
        .bind(org_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// The active model of the organisation, if any (else the default weights apply).
pub async fn active(db: &Db, org_id: i64) -> Result<Option<(i64, LogisticModel)>, RegistryError> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT version, model FROM reranker_models WHERE org_id = $1 AND active = 1",
    )
    .bind(org_id)
    .fetch_optional(&db.pool)
    .await?;
    match row {
        None => Ok(None),
        Some((version, model)) => Ok(Some((version, serde_json::from_str(&model)?))),
    }
}
