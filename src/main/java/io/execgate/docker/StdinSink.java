package io.execgate.docker;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * A container's stdin. Bytes written here are copied to the attach socket by the engine client's
 * thread. Ending it really closes the program's stdin: docker-java never half-closes the socket,
 * so {@link #end()} lets the copier drain, then drops the attach connection, and the
 * engine, seeing the only stdin client leave a {@code StdinOnce} container, closes the pipe.
 */
public final class StdinSink {

  private final Pipe pipe = new Pipe();
  private volatile Runnable closer = () -> { };
  private volatile Runnable onDrained = () -> { };

  void closer(Runnable closer) {
    this.closer = closer;
  }

  InputStream input() {
    return pipe;
  }

  /**
   * Queues bytes for the program. Never blocks.
   */
  public void write(byte[] bytes) {
    pipe.offer(bytes);
  }

  /**
   * @return heap taken by the bytes written and not yet taken by the engine client
   */
  public long pendingBytes() {
    return pipe.pending();
  }

  /**
   * Ends stdin once every queued byte has been sent.
   *
   * @param whenDrained runs (on the copier's thread) once all bytes are sent and the connection is
   *                    about to be dropped
   */
  public void end(Runnable whenDrained) {
    onDrained = whenDrained;
    pipe.finish();
  }

  /**
   * Drops the stdin connection at once.
   */
  public void close() {
    pipe.abort();
    closer.run();
  }

  private void drained() {
    onDrained.run();
  }

  private final class Pipe extends InputStream {

    /** Heap a queued chunk takes besides its bytes: a program's input sent a byte at a time costs that much per byte. */
    static final int CHUNK_OVERHEAD = 32;

    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private byte[] current;
    private int offset;
    private long pending;
    private boolean finished;
    private boolean aborted;

    synchronized void offer(byte[] bytes) {
      if (finished || aborted || bytes.length == 0) {
        return;
      }
      chunks.add(bytes);
      pending += bytes.length + CHUNK_OVERHEAD;
      notifyAll();
    }

    synchronized long pending() {
      return pending;
    }

    synchronized void finish() {
      finished = true;
      notifyAll();
    }

    synchronized void abort() {
      aborted = true;
      chunks.clear();
      current = null;
      pending = 0;
      notifyAll();
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      boolean eof;
      synchronized (this) {
        while (!aborted && (current == null || offset == current.length)) {
          current = chunks.poll();
          offset = 0;
          if (current != null) {
            pending -= CHUNK_OVERHEAD;
          }
          if (current == null) {
            if (finished) {
              break;
            }
            try {
              wait();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException("interrupted", e);
            }
          }
        }
        eof = aborted || current == null;
        if (!eof) {
          int n = Math.min(len, current.length - offset);
          System.arraycopy(current, offset, b, off, n);
          offset += n;
          pending -= n;
          return n;
        }
      }
      // every byte before this read was written and flushed by the copier
      drained();
      return -1;
    }

    @Override
    public void close() {
      abort();
    }
  }
}
