//! Frames on a TCP stream: a 4-byte big-endian length, then that many bytes of an encoded
//! [`Message`]. The writer side is a task fed by a channel of encoded messages (each
//! sender encodes its own, in parallel, and learns at once if it is too large), so that
//! many callers share one connection and a burst of messages goes out in one flush.

use futures_util::{SinkExt, StreamExt as _};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;
use tokio_util::bytes::Bytes;
use tokio_util::codec::{FramedRead, FramedWrite, LengthDelimitedCodec};

use crate::wire::{Message, decode, encode};

pub(crate) type Reader = FramedRead<OwnedReadHalf, LengthDelimitedCodec>;

fn codec(max_frame: usize) -> LengthDelimitedCodec {
    LengthDelimitedCodec::builder().length_field_length(4).big_endian().max_frame_length(max_frame).new_codec()
}

/// Splits `stream` into a frame reader and the sending end of a writer task.
pub(crate) fn split(stream: TcpStream, max_frame: usize) -> (Reader, Outgoing, WriterDone) {
    let _ = stream.set_nodelay(true);
    let (read, write) = stream.into_split();
    let (sender, receiver) = mpsc::unbounded_channel();
    let done = tokio::spawn(write_frames(FramedWrite::new(write, codec(max_frame)), receiver));
    (FramedRead::new(read, codec(max_frame)), Outgoing { sender, max_frame }, WriterDone(done))
}

/// The sending side of a connection. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Outgoing {
    sender: mpsc::UnboundedSender<Bytes>,
    max_frame: usize,
}

impl Outgoing {
    /// Queues `message`, unless it is larger than a frame may be: then says how large.
    /// (A closed connection is noticed by the reader, which fails what waits on it.)
    pub(crate) fn send(&self, message: &Message) -> Result<(), String> {
        let payload = encode(message);
        if payload.len() > self.max_frame {
            return Err(format!("takes {} bytes, over the frame limit of {} bytes", payload.len(), self.max_frame));
        }
        let _ = self.sender.send(Bytes::from(payload));
        Ok(())
    }
}

/// The writer task's end: awaiting it waits until everything queued was written.
pub(crate) struct WriterDone(tokio::task::JoinHandle<()>);

impl WriterDone {
    pub(crate) async fn wait(self) {
        let _ = self.0.await;
    }
}

async fn write_frames(
    mut sink: FramedWrite<OwnedWriteHalf, LengthDelimitedCodec>,
    mut queue: mpsc::UnboundedReceiver<Bytes>,
) {
    while let Some(frame) = queue.recv().await {
        if sink.feed(frame).await.is_err() {
            return;
        }
        // Whatever else is queued already goes out in the same flush.
        while let Ok(frame) = queue.try_recv() {
            if sink.feed(frame).await.is_err() {
                return;
            }
        }
        if SinkExt::<Bytes>::flush(&mut sink).await.is_err() {
            return;
        }
    }
    let _ = SinkExt::<Bytes>::close(&mut sink).await;
}

/// The next message, `Ok(None)` when the peer closed cleanly, or why the stream is unusable.
pub(crate) async fn read_message(reader: &mut Reader) -> Result<Option<Message>, String> {
    match reader.next().await {
        None => Ok(None),
        Some(Err(e)) if e.kind() == std::io::ErrorKind::InvalidData => Err(format!("a bad frame: {e}")),
        Some(Err(e)) => Err(format!("the connection failed: {e}")),
        Some(Ok(bytes)) => decode(&bytes).map(Some),
    }
}
