-- The learned re-ranker's model registry: every trained version with its validation metrics;
-- at most one active per organisation (enforced by the registry in one transaction).

CREATE TABLE reranker_models (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id            INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    version           INTEGER NOT NULL,
    train_size        INTEGER NOT NULL,
    validation_size   INTEGER NOT NULL,
    auc               REAL    NOT NULL,
    accuracy          REAL    NOT NULL,
    baseline_auc      REAL    NOT NULL,
    baseline_accuracy REAL    NOT NULL,
    model             TEXT    NOT NULL,
    active            INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    CONSTRAINT reranker_models_version_key UNIQUE (org_id, version)
);
