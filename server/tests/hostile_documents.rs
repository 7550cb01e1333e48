//! Release check 16: no uploaded document stops the server or takes it past its memory budget.
//!
//! The hostile files are made here, by a generator, rather than committed: a form XObject that
//! draws itself, a page whose /Parent chain loops, arrays nested 100,000 deep, and a 2.4 KB PDF
//! whose doubly deflated content stream inflates to 1 GiB. The recursions are first shown to be
//! hostile (the document reader, run as the child the server starts, dies on them); then each
//! file is uploaded: the server answers a clear 4xx and goes on serving.

use crate::common;

use common::{Db, TestServer};
use reqwest::StatusCode;
use std::io::Write;

/// A PDF with these objects (numbered from 1; object 1 must be the catalog), with a correct
/// cross-reference table.
fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

const FONT: &[u8] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
const TEXT: &[u8] = b"BT /F1 12 Tf 72 720 Td (Senior Rust engineer) Tj ET";

/// A form XObject whose resources name itself, drawn by the page: `Do` recurses for ever.
fn self_drawing_form() -> Vec<u8> {
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
          /Resources << /Font << /F1 6 0 R >> /XObject << /X1 5 0 R >> >> >>"
            .to_vec(),
        stream("", &[TEXT, b" /X1 Do"].concat()),
        stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /XObject << /X1 5 0 R >> >>",
            b"/X1 Do",
        ),
        FONT.to_vec(),
    ])
}

/// A page without resources whose /Parent is itself: looking up inherited attributes loops.
fn parent_loop() -> Vec<u8> {
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 3 0 R /Contents 4 0 R >>".to_vec(),
        stream("", TEXT),
    ])
}

/// An array nested 100,000 deep inside the page: the parser recurses once per level.
fn deep_nesting() -> Vec<u8> {
    let depth = 100_000;
    let mut nested = vec![b'['; depth];
    nested.extend(std::iter::repeat_n(b']', depth));
    let mut page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
        /Resources << /Font << /F1 5 0 R >> >> /Annots "
        .to_vec();
    page.extend_from_slice(&nested);
    page.extend_from_slice(b" >>");
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        page,
        stream("", TEXT),
        FONT.to_vec(),
    ])
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).expect("written");
    encoder.finish().expect("compressed")
}

/// A zlib stream of `mib` MiB of spaces, made without compressing them all: one MiB is
/// compressed into non-final, byte-aligned deflate blocks (a sync flush) that depend on nothing
/// before them, the blocks are repeated, and the checksum is computed from its formula.
fn spaces_deflated(mib: u64) -> Vec<u8> {
    let mut compress = flate2::Compress::new(flate2::Compression::best(), false);
    let mut chunk = Vec::with_capacity(64 * 1024);
    compress
        .compress_vec(
            &vec![b' '; 1 << 20],
            &mut chunk,
            flate2::FlushCompress::Sync,
        )
        .expect("compressed");
    let mut out = vec![0x78, 0xda];
    for _ in 0..mib {
        out.extend_from_slice(&chunk);
    }
    // A final, empty block with fixed codes.
    out.extend_from_slice(&[0x03, 0x00]);
    // Adler-32 of n bytes of c: A = 1 + n·c, B = n + c·n(n+1)/2, both mod 65521.
    let (n, c, m) = (u128::from(mib) << 20, u128::from(b' '), 65_521u128);
    let a = (1 + n * c) % m;
    let b = (n + c * (n * (n + 1) / 2)) % m;
    out.extend_from_slice(&u32::try_from((b << 16) | a).expect("32 bits").to_be_bytes());
    out
}

/// A content stream deflated twice that inflates to 1 GiB of spaces.
fn compression_bomb() -> Vec<u8> {
    let outer = zlib(&spaces_deflated(1024));
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
          /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_vec(),
        stream("/Filter [/FlateDecode /FlateDecode]", &outer),
        FONT.to_vec(),
    ])
}

/// Runs the document reader as the server runs it, without the server around it.
fn child_survives(file: &[u8]) -> bool {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["extract-text", "--format", "pdf", "--memory-mib", "1024"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the reader starts");
    let _ = child.stdin.take().expect("stdin").write_all(file);
    child.wait().expect("the reader ends").success()
}

async fn upload(c: &common::Browser, file: Vec<u8>) -> (StatusCode, String) {
    let res = c
        .http
        .post(format!("{}/o/acme/documents/text", c.base))
        .header("origin", &c.base)
        .header("content-type", "application/pdf")
        .body(file)
        .send()
        .await
        .expect("an answer");
    let status = res.status();
    let body: serde_json::Value = res.json().await.expect("a JSON answer");
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
    )
}

/// The document reader runs beside the database, not in it: one backend is enough here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_pdfs_get_a_clear_answer_and_the_server_stays_up() {
    let Some(srv) = TestServer::start_with(Db::Sqlite, |c| c.extract_timeout_seconds = 10).await
    else {
        return;
    };
    let c = srv.client();
    let up = c.sign_up("Ann", "ann@example.com").await;
    c.create_org("Acme", "acme").await;
    // The three recursions kill a reader that has no limits of its own: they overflow its
    // stack, which nothing inside one process can catch.
    let recursions = [
        ("a form XObject that draws itself", self_drawing_form()),
        ("a /Parent chain that loops", parent_loop()),
        ("arrays nested 100,000 deep", deep_nesting()),
    ];
    for (what, file) in &recursions {
        assert!(
            !child_survives(file),
            "{what}: the reader was expected to die on it (is the file still hostile?)"
        );
    }
    // The bomb inflates to 1 GiB (about 3 GB of memory in the reader without a limit); under
    // the server's address-space limit the reader gives up on the stream instead.
    let cases = recursions
        .into_iter()
        .chain([("a 1 GiB compression bomb", compression_bomb())]);
    for (what, file) in cases {
        let (status, message) = upload(&c, file).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{what}: {message}"
        );
        assert!(
            ["more time or memory", "damaged", "No text found"]
                .iter()
                .any(|m| message.contains(m)),
            "{what}: {message}"
        );
        // The server is still there and still reads good documents.
        assert_eq!(c.get("/healthz").await.status(), StatusCode::OK, "{what}");
    }
    // One person cannot occupy every reader: while two uploads of theirs are in flight (here:
    // bodies that have not arrived yet), a third is refused at once.
    let cookie = common::cookie_pair(&common::session_cookie(&up.headers).expect("cookie"));
    let mut in_flight = Vec::new();
    for _ in 0..2 {
        use tokio::io::AsyncWriteExt;
        let addr = srv.base.trim_start_matches("http://");
        let mut stream = tokio::net::TcpStream::connect(addr)
            .await
            .expect("connects");
        let head = format!(
            "POST /o/acme/documents/text HTTP/1.1\r\nHost: {addr}\r\nOrigin: {}\r\n\
             Cookie: {cookie}\r\nContent-Type: application/pdf\r\nContent-Length: 1000\r\n\r\n%PDF-",
            srv.base
        );
        stream.write_all(head.as_bytes()).await.expect("sent");
        in_flight.push(stream);
    }
    let mut third = upload(&c, compression_bomb()).await;
    for _ in 0..50 {
        if third.0 == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        // The two may not have reached the handler yet.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        third = upload(&c, compression_bomb()).await;
    }
    assert_eq!(third.0, StatusCode::TOO_MANY_REQUESTS, "{third:?}");
    drop(in_flight);
    let good = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/documents/cv.pdf"),
    )
    .expect("fixture");
    let res = c
        .http
        .post(format!("{}/o/acme/documents/text", c.base))
        .header("origin", &c.base)
        .header("content-type", "application/pdf")
        .body(good)
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status(), StatusCode::OK);
    srv.stop().await;
}

#[test]
fn the_bomb_is_small_and_real() {
    let bomb = compression_bomb();
    assert!(bomb.len() < 16 * 1024, "{} bytes", bomb.len());
    // A small one of the same making inflates to exactly what it claims, checksum and all.
    let mut inflated = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::ZlibDecoder::new(&spaces_deflated(3)[..]),
        &mut inflated,
    )
    .expect("a valid zlib stream");
    assert_eq!(inflated.len(), 3 << 20);
    assert!(inflated.iter().all(|&b| b == b' '));
}
