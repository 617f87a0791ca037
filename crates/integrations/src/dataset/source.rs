//! An object's bytes in chunks: from S3 in ranged GetObject requests, from a local
//! bucket's file in buffered reads, or from memory (tests).

use std::io::Write as _;

use tokio::io::AsyncReadExt as _;

use super::{Buckets, CHUNK_BYTES, Place, ReadError, bucket_cause, local};
use crate::aws::client::{CallError, task_failure};
use crate::aws::protocol::{HttpRequest, Style, encode};

/// Bytes read from a local file at a time.
const FILE_CHUNK: usize = 256 * 1024;

/// Compressed bytes decompressed at a time (a gzip bomb then grows memory by at most
/// about a thousand times this per step).
const GZIP_STEP: usize = 64 * 1024;

/// Where an object's bytes come from.
pub(crate) enum Source {
    /// Bytes in memory, handed out `chunk` at a time.
    #[cfg(test)]
    Memory {
        data: Vec<u8>,
        pos: usize,
        chunk: usize,
    },
    /// A local bucket's file.
    File(tokio::fs::File),
    /// An S3 object.
    S3(Box<S3Object>),
}

/// An S3 object read in ranges.
pub(crate) struct S3Object {
    buckets: Buckets,
    bucket: String,
    key: String,
    version: Option<String>,
    pos: u64,
    size: Option<u64>,
    etag: Option<String>,
    chunk: u64,
}

/// `bucket/key`, for messages.
pub(crate) fn name(bucket: &str, key: &str) -> String {
    format!("s3://{bucket}/{key}")
}

impl Source {
    /// Opens object `key` of `bucket` (`version`: S3's VersionId; a local bucket has one
    /// version of each object and ignores it).
    pub(crate) async fn open(
        buckets: &Buckets,
        bucket: &str,
        key: &str,
        version: Option<&str>,
    ) -> Result<Source, ReadError> {
        match buckets.place(bucket) {
            Place::Local(root) => {
                let k = key.to_owned();
                let entry = tokio::task::spawn_blocking(move || local::stat(&root, &k))
                    .await
                    .map_err(|e| ReadError::Local(e.to_string()))?
                    .map_err(|e| ReadError::Local(bucket_cause(&e)))?;
                let file = tokio::fs::File::open(&entry.path)
                    .await
                    .map_err(|e| ReadError::Local(format!("{}: {e}", name(bucket, key))))?;
                Ok(Source::File(file))
            }
            Place::S3 => Ok(Source::S3(Box::new(S3Object {
                buckets: buckets.clone(),
                bucket: bucket.to_owned(),
                key: key.to_owned(),
                version: version.map(str::to_owned),
                pos: 0,
                size: None,
                etag: None,
                chunk: CHUNK_BYTES,
            }))),
        }
    }

    /// The next bytes, or `None` at the end.
    pub(crate) async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, ReadError> {
        match self {
            #[cfg(test)]
            Source::Memory { data, pos, chunk } => {
                if *pos >= data.len() {
                    return Ok(None);
                }
                let end = (*pos + *chunk).min(data.len());
                let out = data[*pos..end].to_vec();
                *pos = end;
                Ok(Some(out))
            }
            Source::File(file) => {
                let mut buf = vec![0u8; FILE_CHUNK];
                let n = file
                    .read(&mut buf)
                    .await
                    .map_err(|e| ReadError::Local(e.to_string()))?;
                if n == 0 {
                    return Ok(None);
                }
                buf.truncate(n);
                Ok(Some(buf))
            }
            Source::S3(object) => object.next_chunk().await,
        }
    }

    /// Reads everything left, refusing more than `limit` bytes.
    pub(crate) async fn read_all(&mut self, limit: u64) -> Result<Vec<u8>, ReadError> {
        let mut out = Vec::new();
        while let Some(chunk) = self.next_chunk().await? {
            if (out.len() + chunk.len()) as u64 > limit {
                return Err(ReadError::ObjectTooLarge);
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }
}

impl S3Object {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, ReadError> {
        if self.size.is_some_and(|size| self.pos >= size) {
            return Ok(None);
        }
        let mut path = format!(
            "/{}/{}",
            encode(&self.bucket, true),
            encode(&self.key, false)
        );
        if let Some(v) = &self.version {
            path.push_str(&format!("?versionId={}", encode(v, true)));
        }
        let mut headers = vec![(
            "range".to_owned(),
            format!("bytes={}-{}", self.pos, self.pos + self.chunk - 1),
        )];
        if let (Some(etag), None) = (&self.etag, &self.version) {
            headers.push(("if-match".to_owned(), etag.clone()));
        }
        let request = HttpRequest {
            method: "GET".into(),
            path,
            headers,
            body: Vec::new(),
        };
        let s3 = self.buckets.s3();
        let answer = self
            .buckets
            .client
            .send(s3, self.buckets.s3_region(), &request)
            .await;
        let response = match answer {
            Ok((response, _)) => response,
            // A range of an empty object cannot be satisfied.
            Err(CallError::Service { response, .. }) if response.status == 416 && self.pos == 0 => {
                self.size = Some(0);
                return Ok(None);
            }
            Err(CallError::Service { response, .. }) if response.status == 412 => {
                return Err(ReadError::Changed(name(&self.bucket, &self.key)));
            }
            Err(e) => {
                let f = task_failure(s3, Style::Sdk, e);
                return Err(ReadError::S3(f.cause.as_deref().unwrap_or("").to_owned()));
            }
        };
        if self.etag.is_none() {
            self.etag = response.header("etag").map(str::to_owned);
        }
        let body = response.body;
        if response.status == 206 {
            let total = response
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-range"))
                .and_then(|(_, v)| v.rsplit('/').next())
                .and_then(|t| t.trim().parse::<u64>().ok());
            if let Some(total) = total {
                self.size = Some(total);
            }
            self.pos += body.len() as u64;
            if body.is_empty() {
                // Nothing more was given: do not ask again.
                self.size = Some(self.pos);
                return Ok(None);
            }
        } else {
            // The whole object (the range was ignored).
            self.pos = body.len() as u64;
            self.size = Some(self.pos);
        }
        if body.is_empty() {
            return Ok(None);
        }
        Ok(Some(body))
    }
}

/// Decompresses gzip (one member or several) as its bytes come.
pub(crate) struct Gunzip {
    decoder: flate2::write::MultiGzDecoder<Vec<u8>>,
    name: String,
}

impl Gunzip {
    pub(crate) fn new(name: String) -> Gunzip {
        Gunzip {
            decoder: flate2::write::MultiGzDecoder::new(Vec::new()),
            name,
        }
    }

    fn error(&self, e: std::io::Error) -> ReadError {
        ReadError::Gzip(self.name.clone(), e.to_string())
    }

    /// Takes compressed bytes; gives what they decompress to, a step at a time.
    pub(crate) fn push(
        &mut self,
        bytes: &[u8],
        mut each: impl FnMut(&[u8]) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        for piece in bytes.chunks(GZIP_STEP) {
            self.decoder.write_all(piece).map_err(|e| self.error(e))?;
            let out = std::mem::take(self.decoder.get_mut());
            each(&out)?;
        }
        Ok(())
    }

    /// The end of the compressed bytes: what is left.
    pub(crate) fn finish(&mut self) -> Result<Vec<u8>, ReadError> {
        self.decoder.try_finish().map_err(|e| self.error(e))?;
        Ok(std::mem::take(self.decoder.get_mut()))
    }
}
