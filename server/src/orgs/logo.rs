//! The organisation's logo on its careers pages. Owners and admins upload it to
//! `POST /o/{slug}/settings/logo` (multipart: the file `logo`; `?remove=1` removes it); it is read by its
//! content (PNG, JPEG or WebP, 16–4,096 pixels a side, 1 MB at most: the header says the type and
//! the size, nothing else is trusted), stored in the file store under a key the server makes,
//! and served to anyone at `GET /logos/{slug}` with the type it was read as. Each upload
//! changes the address (`?v=`), so browsers may keep a version for a year.

use crate::platform::{
    db::{Backend, Db},
    error::OrInternal,
    files::FileStore,
    uploads,
};
use app::{
    error::ApiError,
    seam::{Caller, Identity, OrgCaller},
};
use axum::{
    extract::{Path, Query, Request, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Json,
};
use shared::{
    orgs::{logo_path, Logo, LogoSaved, LOGO_SIDES, MAX_LOGO_BYTES},
    validation::{is_slug, FieldError},
    Permission,
};
use std::sync::Arc;

/// Logos: reading, storing and serving them.
#[derive(Clone)]
pub struct Logos {
    db: Db,
    files: FileStore,
    identity: Arc<dyn Identity>,
}

/// The multipart body may hold the file and a few small fields.
pub const MAX_LOGO_BODY: usize = MAX_LOGO_BYTES + 64 * 1024;

fn too_large() -> ApiError {
    ApiError::field(
        "logo",
        "This image is larger than 1 MB; save it smaller (a PNG or WebP of a few hundred pixels is plenty) and choose it again.",
    )
}

/// The image's type (as served) and size, read from its header; what to fix otherwise.
pub fn read_image(bytes: &[u8]) -> Result<(&'static str, u32, u32), FieldError> {
    use imagesize::ImageType;
    let wrong = || {
        FieldError::new(
            "logo",
            "This file is not a PNG, JPEG or WebP image. Save the logo in one of those formats and choose it again.",
        )
    };
    let kind = match imagesize::image_type(bytes).map_err(|_| wrong())? {
        ImageType::Png => "image/png",
        ImageType::Jpeg => "image/jpeg",
        ImageType::Webp => "image/webp",
        #[allow(unreachable_patterns)]
        _ => return Err(wrong()),
    };
    let size = imagesize::blob_size(bytes).map_err(|_| wrong())?;
    let side = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let (width, height) = (side(size.width), side(size.height));
    if !LOGO_SIDES.contains(&width) || !LOGO_SIDES.contains(&height) {
        return Err(FieldError::new(
            "logo",
            format!(
                "This image is {width} × {height} pixels; a logo needs {} to {} pixels on each side.",
                LOGO_SIDES.start(),
                LOGO_SIDES.end()
            ),
        ));
    }
    Ok((kind, width, height))
}

/// An image read by its header, to store.
struct Image {
    bytes: Vec<u8>,
    kind: &'static str,
    width: u32,
    height: u32,
}

/// The logo columns of an organisation's row.
#[derive(sqlx::FromRow)]
struct LogoRow {
    slug: String,
    logo_key: String,
    logo_type: String,
    logo_width: i64,
    logo_height: i64,
    logo_version: i64,
}

impl LogoRow {
    fn logo(&self) -> Option<Logo> {
        logo_of(
            &self.slug,
            &self.logo_key,
            self.logo_version,
            self.logo_width,
            self.logo_height,
        )
    }
}

/// The logo of an organisation from its row's columns; none if it has none.
pub fn logo_of(slug: &str, key: &str, version: i64, width: i64, height: i64) -> Option<Logo> {
    let side = |n: i64| u32::try_from(n).unwrap_or(0);
    (!key.is_empty()).then(|| Logo::new(slug, version, side(width), side(height)))
}

/// The columns [`logo_of`] needs, for queries on `organisations`.
pub const LOGO_COLUMNS: &str = "logo_key, logo_version, logo_width, logo_height";

impl Logos {
    pub fn new(db: Db, files: FileStore, identity: Arc<dyn Identity>) -> Self {
        Self {
            db,
            files,
            identity,
        }
    }

    async fn save(&self, slug: &str, request: Request) -> Result<LogoSaved, ApiError> {
        let (parts, body) = request.into_parts();
        let remove = removing(&parts.uri);
        let identity = self.identity.as_ref();
        let caller = Caller::resolve(identity, &parts).await?;
        let caller = OrgCaller::resolve(identity, &caller, slug).await?;
        caller.require(Permission::ManageOrganisation)?;
        // Removing sends no file (its form has no field; the body is not read).
        let file = if remove {
            None
        } else {
            uploads::receive(
                Request::from_parts(parts, body),
                "logo",
                MAX_LOGO_BYTES,
                too_large,
            )
            .await?
            .file
        };
        let org_id = caller.org_id();
        let image = match (remove, file) {
            (true, _) => None,
            (false, Some(file)) => {
                let (kind, width, height) = read_image(&file.bytes).map_err(ApiError::from)?;
                Some(Image {
                    bytes: file.bytes,
                    kind,
                    width,
                    height,
                })
            }
            (false, None) => {
                return Err(ApiError::field(
                    "logo",
                    "Choose an image file for the logo.",
                ))
            }
        };
        // On a task of its own: a request dropped half-way (its client gone, its time up) still
        // ends with the row and the files in step.
        let logos = self.clone();
        let row = tokio::spawn(async move { logos.replace(org_id, image).await })
            .await
            .or_internal("replacing a logo")??;
        tracing::info!(
            org_id,
            user_id = caller.user_id(),
            removed = remove,
            "organisation logo changed"
        );
        Ok(LogoSaved { logo: row.logo() })
    }

    /// Stores the new image (if any), points the organisation at it and removes the file it
    /// replaced; a failed write removes the new file instead.
    async fn replace(&self, org_id: i64, image: Option<Image>) -> Result<LogoRow, ApiError> {
        let key = match &image {
            Some(_) => FileStore::new_key(org_id, "logo"),
            None => String::new(),
        };
        let (kind, width, height) = match image {
            Some(image) => {
                self.files
                    .put(&key, image.bytes)
                    .await
                    .or_internal("storing a logo")?;
                (image.kind, image.width, image.height)
            }
            None => ("", 0, 0),
        };
        match self.write(org_id, &key, kind, width, height).await {
            Ok((old_key, row)) => {
                if !old_key.is_empty() {
                    self.forget(&old_key).await;
                }
                Ok(row)
            }
            Err(err) => {
                if !key.is_empty() {
                    self.forget(&key).await;
                }
                Err(err)
            }
        }
    }

    /// Points the organisation at its new logo (or none); returns the key of the logo it
    /// replaced.
    async fn write(
        &self,
        org_id: i64,
        key: &str,
        kind: &str,
        width: u32,
        height: u32,
    ) -> Result<(String, LogoRow), ApiError> {
        let mut tx = self.db.begin().await.or_internal("starting transaction")?;
        // Two uploads at once: the second reads the first one's key, so no file is left behind.
        let lock = match self.db.backend {
            Backend::Postgres => "SELECT logo_key FROM organisations WHERE id = $1 FOR UPDATE",
            Backend::Sqlite => {
                "UPDATE organisations SET logo_key = logo_key WHERE id = $1 RETURNING logo_key"
            }
        };
        let old: String = sqlx::query_scalar(lock)
            .bind(org_id)
            .fetch_one(&mut *tx)
            .await
            .or_internal("reading the logo")?;
        let row: LogoRow = sqlx::query_as(
            "UPDATE organisations SET logo_key = $1, logo_type = $2, logo_width = $3, \
             logo_height = $4, logo_version = logo_version + 1 WHERE id = $5 \
             RETURNING slug, logo_key, logo_type, logo_width, logo_height, logo_version",
        )
        .bind(key)
        .bind(kind)
        .bind(i64::from(width))
        .bind(i64::from(height))
        .bind(org_id)
        .fetch_one(&mut *tx)
        .await
        .or_internal("saving the logo")?;
        tx.commit().await.or_internal("saving the logo")?;
        Ok((old, row))
    }

    /// Removes a file no row points at any more; a failure only leaves it behind.
    async fn forget(&self, key: &str) {
        if let Err(err) = self.files.delete(key).await {
            tracing::warn!(error = %err, key, "could not remove a replaced logo file");
        }
    }

    /// The organisation's logo file, its type and its upload number.
    async fn read(&self, slug: &str) -> Result<(Vec<u8>, String, i64), ApiError> {
        if !is_slug(slug) {
            return Err(ApiError::NotFound);
        }
        let row: Option<LogoRow> = sqlx::query_as(
            "SELECT slug, logo_key, logo_type, logo_width, logo_height, logo_version \
             FROM organisations WHERE slug = $1",
        )
        .bind(slug)
        .fetch_optional(&self.db.pool)
        .await
        .or_internal("reading a logo")?;
        let row = row
            .filter(|r| !r.logo_key.is_empty())
            .ok_or(ApiError::NotFound)?;
        // Replaced between the two reads: gone, like a logo that was never there.
        let bytes = match self.files.get(&row.logo_key).await {
            Err(object_store::Error::NotFound { .. }) => return Err(ApiError::NotFound),
            read => read.or_internal("reading a logo file")?,
        };
        Ok((bytes, row.logo_type, row.logo_version))
    }
}

/// The logo's address: `?v=` the upload it names.
#[derive(serde::Deserialize)]
pub struct LogoQuery {
    v: Option<i64>,
}

/// Whether the post removes the logo (`?remove=1`) rather than uploading one.
fn removing(uri: &axum::http::Uri) -> bool {
    uri.query()
        .is_some_and(|q| q.split('&').any(|pair| pair == "remove=1"))
}

/// `POST /o/{slug}/settings/logo`: JSON (`LogoSaved` or an `ApiError`) for the page's script;
/// a plain post goes back to the settings, with the error if there was one.
pub async fn upload_handler(
    State(logos): State<Logos>,
    Path(slug): Path<String>,
    request: Request,
) -> Response {
    let json = uploads::wants_json(&request);
    if !is_slug(&slug) {
        return (StatusCode::NOT_FOUND, Json(ApiError::NotFound)).into_response();
    }
    let settings = format!("/o/{slug}/settings");
    // The form's own address, so the error shows on the form that was sent.
    let form = if removing(request.uri()) {
        format!("{}?remove=1", logo_path(&slug))
    } else {
        logo_path(&slug)
    };
    match logos.save(&slug, request).await {
        Ok(saved) if json => Json(saved).into_response(),
        Ok(_) => Redirect::to(&settings).into_response(),
        Err(error) if json => {
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
            (status, Json(error)).into_response()
        }
        Err(error) => uploads::send_back(&settings, "logo-form", &form, &error, None),
    }
}

/// `GET /logos/{slug}?v=N`: the image, to anyone (careers pages are public).
pub async fn logo_handler(
    State(logos): State<Logos>,
    Path(slug): Path<String>,
    Query(query): Query<LogoQuery>,
) -> Response {
    match logos.read(&slug).await {
        Ok((bytes, kind, version)) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(&kind).unwrap_or(HeaderValue::from_static("image/png")),
            );
            // Each upload has its own address (`?v=`): that one never changes. Any other
            // (none, or a number not uploaded yet) is the logo of now, asked again each time.
            let policy = if query.v == Some(version) {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
            response
        }
        Err(error) => {
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::NOT_FOUND);
            (status, Json(error)).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::read_image;

    /// The smallest valid PNG header of a `width` × `height` image.
    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        bytes.extend(width.to_be_bytes());
        bytes.extend(height.to_be_bytes());
        bytes.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
        bytes
    }

    #[test]
    fn logos_are_read_by_their_content() {
        assert_eq!(read_image(&png(200, 80)), Ok(("image/png", 200, 80)));
        let small = read_image(&png(8, 8)).expect_err("too small");
        assert!(small.message.contains("8 × 8 pixels"), "{small:?}");
        assert!(read_image(&png(5000, 100)).is_err());
        let svg = read_image(b"<svg xmlns='http://www.w3.org/2000/svg'/>").expect_err("an SVG");
        assert!(svg.message.contains("not a PNG, JPEG or WebP"), "{svg:?}");
        assert!(read_image(b"").is_err());
    }
}
