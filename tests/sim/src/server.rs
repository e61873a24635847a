//! The serve loop: hyper HTTP/1.1 per connection, with a handle that lets a request
//! abort its own connection (for the reset and truncated-body faults, which axum's
//! `serve` cannot express).

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

/// Lets a request abort the connection it arrived on. Put in every request's extensions.
#[derive(Debug, Default)]
pub(crate) struct ConnControl {
    abort: Notify,
    reset: AtomicBool,
}

impl ConnControl {
    /// Drops the connection: with a TCP reset (`SO_LINGER` 0) when `reset`, else a close.
    pub(crate) fn abort(&self, reset: bool) {
        self.reset.store(reset, Ordering::SeqCst);
        self.abort.notify_one();
    }
}

/// A TCP stream that sends RST instead of FIN on drop when its connection asked for it.
struct Stream {
    inner: TcpStream,
    control: Arc<ConnControl>,
}

impl Drop for Stream {
    fn drop(&mut self) {
        if self.control.reset.load(Ordering::SeqCst) {
            // Best effort: if it fails the peer sees a plain close, still no response.
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// Accepts connections until `shutdown` flips to true.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.changed() => return,
        };
        let Ok((tcp, _)) = accepted else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let control = Arc::new(ConnControl::default());
        let io = TokioIo::new(Stream {
            inner: tcp,
            control: control.clone(),
        });
        let router = router.clone();
        let per_request = control.clone();
        let service = hyper::service::service_fn(move |mut req: http::Request<Incoming>| {
            req.extensions_mut().insert(per_request.clone());
            router.clone().oneshot(req.map(axum::body::Body::new))
        });
        let mut shutdown = shutdown.clone();
        tokio::spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new().serve_connection(io, service);
            tokio::select! {
                _ = conn => {}
                _ = control.abort.notified() => {}
                _ = shutdown.changed() => {}
            }
        });
    }
}
