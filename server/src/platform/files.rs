//! Where uploaded files are kept, through `object_store`: a local directory (DATA_DIR/files by
//! default) or an S3-compatible bucket (`FILE_STORE=s3://bucket/prefix`), so several servers can
//! share them. Keys are made here, from the organisation's id and a random name, never from
//! anything an uploader sent.

use object_store::{
    aws::AmazonS3Builder, local::LocalFileSystem, path::Path as Key, ObjectStore, PutPayload,
};
use std::{path::Path, sync::Arc};

/// The file store; clones share it.
#[derive(Clone, Debug)]
pub struct FileStore {
    store: Arc<dyn ObjectStore>,
    /// Where the files are, for logs and errors (never a secret).
    pub describe: String,
}

#[derive(Debug, thiserror::Error)]
pub enum FileStoreError {
    #[error("cannot create the file directory {path}: {source}")]
    Directory {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("FILE_STORE is not usable ({0}): use s3://bucket/prefix or a directory path")]
    Config(String),
}

impl FileStore {
    /// `FILE_STORE` as configured (`s3://…` or a directory), else `data_dir/files`.
    pub fn open(configured: Option<&str>, data_dir: &Path) -> Result<Self, FileStoreError> {
        match configured.map(str::trim).filter(|c| !c.is_empty()) {
            Some(url) if url.starts_with("s3://") => {
                let store = AmazonS3Builder::from_env()
                    .with_url(url)
                    .build()
                    .map_err(|e| FileStoreError::Config(e.to_string()))?;
                let (_, prefix) = url
                    .trim_start_matches("s3://")
                    .split_once('/')
                    .unwrap_or_default();
                let store: Arc<dyn ObjectStore> = if prefix.trim_matches('/').is_empty() {
                    Arc::new(store)
                } else {
                    Arc::new(object_store::prefix::PrefixStore::new(
                        store,
                        prefix.trim_matches('/'),
                    ))
                };
                Ok(Self {
                    store,
                    describe: url.to_owned(),
                })
            }
            Some(url) if url.contains("://") => Err(FileStoreError::Config(format!(
                "{} is not a supported scheme",
                url.split("://").next().unwrap_or_default()
            ))),
            Some(dir) => Self::directory(Path::new(dir)),
            None => Self::directory(&data_dir.join("files")),
        }
    }

    fn directory(dir: &Path) -> Result<Self, FileStoreError> {
        let failed = |source| FileStoreError::Directory {
            path: dir.display().to_string(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(failed)?;
        let store =
            LocalFileSystem::new_with_prefix(dir).map_err(|e| failed(std::io::Error::other(e)))?;
        Ok(Self {
            store: Arc::new(store),
            describe: dir.display().to_string(),
        })
    }

    /// A new key for a file of `org_id`: `org/{id}/{kind}/{random}`.
    pub fn new_key(org_id: i64, kind: &str) -> String {
        format!(
            "org/{org_id}/{kind}/{}",
            crate::platform::tokens::new_token()
        )
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), object_store::Error> {
        self.store
            .put(&Key::from(key), PutPayload::from(bytes))
            .await
            .map(drop)
    }

    pub async fn get(&self, key: &str) -> Result<Vec<u8>, object_store::Error> {
        let got = self.store.get(&Key::from(key)).await?;
        Ok(got.bytes().await?.to_vec())
    }

    /// Deletes a file; one already gone is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), object_store::Error> {
        match self.store.delete(&Key::from(key)).await {
            Err(object_store::Error::NotFound { .. }) => Ok(()),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_round_trip_under_keys_we_make() {
        let dir = tempfile::tempdir().expect("dir");
        let store = FileStore::open(None, dir.path()).expect("store");
        let key = FileStore::new_key(7, "cv");
        assert!(key.starts_with("org/7/cv/") && !key.contains(".."), "{key}");
        store.put(&key, b"hello".to_vec()).await.expect("put");
        assert_eq!(store.get(&key).await.expect("get"), b"hello");
        assert!(dir.path().join("files").join(&key).is_file());
        store.delete(&key).await.expect("delete");
        store.delete(&key).await.expect("deleting twice is fine");
        assert!(store.get(&key).await.is_err());
    }

    #[test]
    fn unknown_schemes_say_what_works() {
        let dir = tempfile::tempdir().expect("dir");
        let err = FileStore::open(Some("ftp://x/y"), dir.path()).expect_err("refused");
        assert!(err.to_string().contains("s3://"), "{err}");
    }
}
