package io.execgate.it;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Docker socket that can be switched on and off: a byte pump from {@code path} to the real
 * engine socket. It lets a test take "the engine" away from a gateway and give it back without
 * touching the engine the other tests use.
 */
final class UnixSocketProxy implements AutoCloseable {

  private final Path path;
  private final Path target;
  private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
  private ServerSocketChannel server;
  private Thread acceptor;

  UnixSocketProxy(Path path, Path target) {
    this.path = path;
    this.target = target;
  }

  synchronized void start() throws IOException {
    Files.deleteIfExists(path);
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    ServerSocketChannel s = server;
    acceptor = new Thread(() -> {
      try {
        while (true) {
          SocketChannel client = s.accept();
          SocketChannel upstream = SocketChannel.open(UnixDomainSocketAddress.of(target));
          open.add(client);
          open.add(upstream);
          pump(client, upstream);
          pump(upstream, client);
        }
      } catch (IOException closed) {
        // stopped
      }
    }, "docker-socket-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void pump(SocketChannel from, SocketChannel to) {
    Thread t = new Thread(() -> {
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      try {
        while (from.read(buf) >= 0) {
          buf.flip();
          while (buf.hasRemaining()) {
            to.write(buf);
          }
          buf.clear();
        }
        to.shutdownOutput();
      } catch (IOException closed) {
        // one side went away
      }
    }, "docker-socket-pump");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Stops listening and cuts every connection, as a dying engine would.
   */
  synchronized void stop() throws IOException {
    if (server != null) {
      server.close();
      server = null;
    }
    for (SocketChannel c : open) {
      c.close();
    }
    open.clear();
    Files.deleteIfExists(path);
  }

  @Override
  public void close() throws IOException {
    stop();
  }
}
