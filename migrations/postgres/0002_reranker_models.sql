-- The learned re-ranker's model registry: every trained version with its validation metrics;
-- at most one active per organisation (enforced by the registry in one transaction).

CREATE TABLE reranker_models (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id            BIGINT           NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    version           BIGINT           NOT NULL,
    train_size        BIGINT           NOT NULL,
    validation_size   BIGINT           NOT NULL,
    auc               DOUBLE PRECISION NOT NULL,
    accuracy          DOUBLE PRECISION NOT NULL,
    baseline_auc      DOUBLE PRECISION NOT NULL,
    baseline_accuracy DOUBLE PRECISION NOT NULL,
    model             TEXT             NOT NULL,
    active            BIGINT           NOT NULL DEFAULT 0,
    created_at        BIGINT           NOT NULL,
    CONSTRAINT reranker_models_version_key UNIQUE (org_id, version)
);
