//! Frames on a TCP stream: a 4-byte big-endian length, then that many bytes of an encoded
//! [`Message`]. Many callers share one connection's writing side ([`Outgoing`]). A sender
//! writes its frame itself, at once, when nothing written earlier is still waiting to go
//! out (the common case of a call or a reply on a quiet connection: no task switch between
//! the caller and the socket); otherwise it queues the frame behind the waiting bytes for
//! the connection's writer task, which writes them in order as the socket accepts them, a
//! whole queue in one write. A sender that knows more frames follow at once (an agent
//! answering a burst of requests) holds its frames back and sends them in one write.

use std::sync::{Arc, Mutex};

use futures_util::StreamExt as _;
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::Notify;
use tokio_util::codec::{FramedRead, LengthDelimitedCodec};

use crate::wire::{Message, decode, encode_into};

pub(crate) type Reader = FramedRead<OwnedReadHalf, LengthDelimitedCodec>;

/// The bytes of a frame's length field.
const LENGTH_FIELD: usize = 4;

fn codec(max_frame: usize) -> LengthDelimitedCodec {
    LengthDelimitedCodec::builder()
        .length_field_length(LENGTH_FIELD)
        .big_endian()
        .max_frame_length(max_frame)
        .new_codec()
}

/// Splits `stream` into a frame reader and the sending side of its writer.
pub(crate) fn split(stream: TcpStream, max_frame: usize) -> (Reader, Outgoing, WriterDone) {
    let _ = stream.set_nodelay(true);
    let (read, write) = stream.into_split();
    let shared = Arc::new(Shared {
        half: write,
        state: Mutex::new(State { queued: Vec::new(), writing: false, closed: false }),
        wake: Notify::new(),
    });
    let done = tokio::spawn(write_queued(shared.clone()));
    let outgoing = Outgoing { sender: Arc::new(Sender(shared)), max_frame };
    (FramedRead::new(read, codec(max_frame)), outgoing, WriterDone(done))
}

/// A connection's writing side, shared by its senders and its writer task. (Dropping the
/// last reference to the write half shuts the connection's writing direction.)
struct Shared {
    half: OwnedWriteHalf,
    state: Mutex<State>,
    wake: Notify,
}

struct State {
    /// Bytes for the writer task, in order, after any it is writing now.
    queued: Vec<u8>,
    /// Whether the writer task holds bytes not yet written: a sender must then queue its
    /// frame, not write it, so that frames go out in the order they were sent.
    writing: bool,
    /// No more frames will be sent: every sender is gone, or a write failed. The writer
    /// task ends once nothing is queued.
    closed: bool,
}

/// The sending side of a connection. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Outgoing {
    sender: Arc<Sender>,
    max_frame: usize,
}

/// Shared by every clone of one [`Outgoing`]; when the last goes, the writer task writes
/// what is queued and ends.
struct Sender(Arc<Shared>);

impl Drop for Sender {
    fn drop(&mut self) {
        self.0.state.lock().expect("writer lock").closed = true;
        self.0.wake.notify_one();
    }
}

/// When a frame leaves.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    /// Now, written by the sender (after what waits to go out before it).
    Now,
    /// With the next frame sent [`When::Now`], or [`Outgoing::flush`]: for a sender that
    /// knows more frames follow at once, so that they leave in one write.
    WithNext,
    /// By the writer task, which sends everything queued by then in one write: for a
    /// sender among many, where batching beats the sender's own write.
    ByWriter,
}

impl Outgoing {
    /// Sends `message` (see [`When`]), unless it is larger than a frame may be: then says
    /// how large. (A closed connection is noticed by the reader, which fails what waits on
    /// it.)
    pub(crate) fn send(&self, message: &Message, when: When) -> Result<(), String> {
        let mut frame = vec![0; LENGTH_FIELD];
        encode_into(message, &mut frame);
        let payload = frame.len() - LENGTH_FIELD;
        if payload > self.max_frame {
            return Err(format!("takes {payload} bytes, over the frame limit of {} bytes", self.max_frame));
        }
        let length = u32::try_from(payload).expect("a frame within the limit has a 4-byte length");
        frame[..LENGTH_FIELD].copy_from_slice(&length.to_be_bytes());
        self.sender.push(&frame, when);
        Ok(())
    }

    /// Sends the frames held back, now.
    pub(crate) fn flush(&self) {
        self.sender.push(&[], When::Now);
    }
}

impl Sender {
    fn push(&self, frame: &[u8], when: When) {
        let shared = &self.0;
        let mut state = shared.state.lock().expect("writer lock");
        if state.closed {
            return;
        }
        state.queued.extend_from_slice(frame);
        if state.queued.is_empty() || (when == When::WithNext && !state.writing) {
            return;
        }
        if state.writing || when == When::ByWriter {
            // (Behind what the writer task is writing: it takes the queue next.)
            drop(state);
            shared.wake.notify_one();
            return;
        }
        // Written under the lock: no other frame can start in between.
        match shared.half.try_write(&state.queued) {
            Ok(n) if n == state.queued.len() => {
                state.queued.clear();
                return;
            }
            Ok(n) => drop(state.queued.drain(..n)),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => (state.closed, state.queued) = (true, Vec::new()),
        }
        drop(state);
        shared.wake.notify_one();
    }
}

/// The writer task's end: awaiting it waits until everything sent was written.
pub(crate) struct WriterDone(tokio::task::JoinHandle<()>);

impl WriterDone {
    pub(crate) async fn wait(self) {
        let _ = self.0.await;
    }
}

/// Writes the queued bytes, in order, until the senders are gone or a write fails.
async fn write_queued(shared: Arc<Shared>) {
    loop {
        let bytes = {
            let mut state = shared.state.lock().expect("writer lock");
            state.writing = !state.queued.is_empty();
            if !state.writing && state.closed {
                return;
            }
            std::mem::take(&mut state.queued)
        };
        if bytes.is_empty() {
            // A sender's `notify_one` made before this wait is kept: the wait ends at once.
            shared.wake.notified().await;
        } else if write_all(&shared.half, &bytes).await.is_err() {
            let mut state = shared.state.lock().expect("writer lock");
            (state.closed, state.writing) = (true, false);
            state.queued = Vec::new();
            return;
        }
    }
}

async fn write_all(half: &OwnedWriteHalf, mut bytes: &[u8]) -> std::io::Result<()> {
    while !bytes.is_empty() {
        half.writable().await?;
        match half.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
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

/// Whether the reader holds a whole frame already, so the next [`read_message`] returns
/// without waiting for the peer.
pub(crate) fn whole_frame_buffered(reader: &Reader) -> bool {
    let buffered = reader.read_buffer();
    match buffered.get(..LENGTH_FIELD) {
        Some(length) => {
            let length = u32::from_be_bytes(length.try_into().expect("four bytes")) as usize;
            buffered.len() - LENGTH_FIELD >= length
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::AsyncReadExt as _;

    use super::*;
    use crate::wire::Value;

    /// Frames sent from two threads in every mode, while the writer task holds the rest of
    /// a frame the socket did not take at once and the peer reads slowly, all arrive whole,
    /// in the order each thread sent them.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn frames_stay_whole_and_in_order_while_the_writer_task_writes() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        let (_reader, outgoing, writer) = split(client, 64 << 20);

        let big = vec![7u8; 8 << 20];
        outgoing.send(&Message::Reply { id: 0, value: Value::Bytes(big.clone()) }, When::Now).unwrap();
        let peer = tokio::spawn(async move {
            let mut received = Vec::new();
            let mut chunk = vec![0u8; 64 << 10];
            loop {
                match server.read(&mut chunk).await.unwrap() {
                    0 => return received,
                    n => received.extend_from_slice(&chunk[..n]),
                }
                tokio::time::sleep(Duration::from_micros(300)).await;
            }
        });
        let senders: Vec<_> = (0..2u64)
            .map(|thread| {
                let outgoing = outgoing.clone();
                std::thread::spawn(move || {
                    for i in 0..300u64 {
                        let when = [When::Now, When::WithNext, When::ByWriter][i as usize % 3];
                        let reply = Message::Reply { id: thread * 1000 + i + 1, value: Value::Int(i as i64) };
                        outgoing.send(&reply, when).unwrap();
                        std::thread::sleep(Duration::from_micros(200));
                    }
                })
            })
            .collect();
        for sender in senders {
            sender.join().unwrap();
        }
        outgoing.flush();
        drop(outgoing);
        writer.wait().await;

        let bytes = peer.await.unwrap();
        let mut messages = Vec::new();
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let length = u32::from_be_bytes(rest[..LENGTH_FIELD].try_into().unwrap()) as usize;
            messages.push(decode(&rest[LENGTH_FIELD..LENGTH_FIELD + length]).unwrap());
            rest = &rest[LENGTH_FIELD + length..];
        }
        assert_eq!(messages.len(), 601);
        assert_eq!(messages[0], Message::Reply { id: 0, value: Value::Bytes(big) });
        for thread in 0..2u64 {
            let ids: Vec<u64> = messages
                .iter()
                .filter_map(|m| match m {
                    Message::Reply { id, .. } if id / 1000 == thread && *id != 0 => Some(*id),
                    _ => None,
                })
                .collect();
            assert_eq!(ids, (1..=300).map(|i| thread * 1000 + i).collect::<Vec<_>>());
        }
    }
}
