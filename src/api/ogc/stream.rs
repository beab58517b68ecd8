//! A map page sent while it is written. The parcels' pages are the service's largest answers
//! (a 1,000-parcel page is ~0.7 MB): written whole, their first byte would leave only after
//! their last row was read, and the sending would follow the reading. Sent as written, in
//! pieces of [`Sink::PIECE`] bytes over HTTP/1.1 chunked encoding, the client receives the page
//! while the rest of its rows arrive.
//!
//! Two things a page written whole has cannot come first, so they are had differently:
//! - **The ETag** cannot be a hash of the bytes: it is the register's version
//!   ([`crate::store::audit::register_head`], read before the page on the same connection,
//!   as the tile memo is stamped) with everything else the bytes depend on — the service's
//!   version, the page's address as its links write it, the request's query and the parks
//!   the caller sees ([`version_etag`]). A revalidation that still holds is answered 304
//!   without reading a row.
//! - **A problem document** can be sent only until the first piece has gone: a row that
//!   fails after that cuts the connection (the chunked body never ends, so no client takes
//!   the page for whole) and the failure is logged. A failure before — the query refused, a
//!   bad row among the first few dozen — is the usual problem answer.
//!
//! The pieces go through an unbounded channel, so a client that reads slowly holds no
//! database connection: the page is read at the database's pace and waits in memory for the
//! client, at most the page's own size, as a page written whole did.

use super::tile_layers;
use crate::error::ApiError;
use crate::spatial::output::Output;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use std::future::Future;
use std::task::{Context, Poll};
use tokio::sync::mpsc;

/// What the writer tells the response.
enum Message {
    /// The page begins; its ETag.
    Opened(String),
    /// The client holds the page at this ETag.
    NotModified(String),
    Piece(Bytes),
    /// The page is whole.
    End,
    /// The page cannot be finished.
    Cut,
}

/// The writing end, handed to the work on the connection's thread.
pub(super) struct Sink {
    tx: mpsc::UnboundedSender<Message>,
    etag: String,
    opened: bool,
}

/// The reading end, with which the handler answers.
pub(super) struct Opening(mpsc::UnboundedReceiver<Message>);

/// A page's writer and its response.
pub(super) fn channel() -> (Sink, Opening) {
    let (tx, rx) = mpsc::unbounded_channel();
    (
        Sink {
            tx,
            etag: String::new(),
            opened: false,
        },
        Opening(rx),
    )
}

/// The ETag of a page of the register at `head` (its version), for the request `request`
/// (the page's address, query and the parks its caller sees): the same on every instance of
/// the service for the same register, so revalidations hold across a proxy's instances. The
/// service's version is part of it: a new release may write the same page differently.
fn version_etag(head: i64, request: &str) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(concat!(env!("CARGO_PKG_NAME"), " ", env!("CARGO_PKG_VERSION"), "\n").as_bytes());
    h.update(&head.to_le_bytes());
    h.update(request.as_bytes());
    format!("\"{:016x}\"", h.digest())
}

impl Sink {
    /// A piece is sent once the page holds this much: actix's own write-buffer limit.
    pub(super) const PIECE: usize = 32 * 1024;

    /// The page of the register at its version `head` (read on the page's own connection,
    /// before the page) for `request` ([`version_etag`]).
    pub(super) fn at_version(mut self, head: i64, request: &str) -> Self {
        self.etag = version_etag(head, request);
        self
    }

    /// Whether the client's `If-None-Match` holds this page already.
    pub(super) fn held_by(&self, if_none_match: Option<&str>) -> bool {
        super::held(if_none_match, &self.etag)
    }

    /// The client holds this page: no row is read.
    pub(super) fn not_modified(self) {
        let _ = self.tx.send(Message::NotModified(self.etag));
    }

    /// Whether any of the page has been sent (after which a failure cuts the connection).
    pub(super) fn opened(&self) -> bool {
        self.opened
    }

    /// Send what is written so far. A client gone does not stop the writing: the page is
    /// bounded and the rows are already on their way.
    pub(super) fn send(&mut self, piece: Vec<u8>) {
        if !self.opened {
            self.opened = true;
            let _ = self.tx.send(Message::Opened(self.etag.clone()));
        }
        let _ = self.tx.send(Message::Piece(piece.into()));
    }

    /// Send the page's last piece.
    pub(super) fn end(mut self, last: Vec<u8>) {
        self.send(last);
        let _ = self.tx.send(Message::End);
    }

    /// The page cannot be finished after some of it was sent: cut the connection, and say
    /// why where an operator will read it.
    pub(super) fn cut(self, why: &dyn std::fmt::Display) {
        tracing::error!(error = %why, "a map page failed after its first part was sent; the connection is cut");
        let _ = self.tx.send(Message::Cut);
    }
}

impl Opening {
    /// Answer with the page `work` writes into this opening's sink: 304, a problem (the work
    /// failed before sending anything), or the page as it is written. `work` is the store
    /// work itself (on the blocking pool); once the page has opened it is let go on, its
    /// connection returned when it ends.
    pub(super) async fn respond(
        mut self,
        media_type: &'static str,
        crs: Output,
        work: impl Future<Output = Result<(), ApiError>>,
    ) -> Result<HttpResponse, ApiError> {
        let mut work = std::pin::pin!(work);
        let rx = &mut self.0;
        let first = std::future::poll_fn(|cx: &mut Context<'_>| {
            if let Poll::Ready(m) = rx.poll_recv(cx) {
                return Poll::Ready(Ok(m));
            }
            // The work ended: what it sent is in the channel already.
            work.as_mut().poll(cx).map_ok(|()| rx.try_recv().ok())
        })
        .await?;
        match first {
            Some(Message::NotModified(etag)) => Ok(super::not_modified(etag, None)),
            Some(Message::Opened(etag)) => {
                let mut r = HttpResponse::Ok();
                r.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(media_type)))
                    .insert_header((header::CACHE_CONTROL, tile_layers::cache_control(None)));
                if let Ok(v) = HeaderValue::from_str(&etag) {
                    r.insert_header((header::ETAG, v));
                }
                if let Ok(v) = HeaderValue::from_str(&format!("<{}>", crs.uri())) {
                    r.insert_header((header::HeaderName::from_static("content-crs"), v));
                }
                Ok(r.body(Streamed(self.0)))
            }
            _ => Err(ApiError::internal(&"the page's writer ended without writing it")),
        }
    }
}

/// The page's body: the pieces as they come, ended only by the writer's [`Message::End`] — a
/// writer that stopped otherwise (failed, panicked) leaves the body unfinished, an error.
struct Streamed(mpsc::UnboundedReceiver<Message>);

impl actix_web::body::MessageBody for Streamed {
    type Error = std::io::Error;

    fn size(&self) -> actix_web::body::BodySize {
        actix_web::body::BodySize::Stream
    }

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        self.0.poll_recv(cx).map(|m| match m {
            Some(Message::Piece(bytes)) => Some(Ok(bytes)),
            Some(Message::End) => None,
            _ => Some(Err(std::io::Error::other("the page could not be finished"))),
        })
    }
}
