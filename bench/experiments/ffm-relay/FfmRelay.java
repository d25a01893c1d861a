import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Each loop thread owns its listening socket, its epoll set and every connection it accepts.
 *
 * <p>An experiment for issue 13, not part of lb (it needs JDK 22+; lb is built for 17): the
 * smallest TCP relay that does a new connection's work with the system calls a C proxy makes,
 * called through the JDK's Foreign Function API instead of java.nio. What it shows is the floor a
 * Java proxy reaches once the channel layer asks the kernel only for what is needed: accept4 with
 * SOCK_NONBLOCK (no fcntl), no getsockname, a connect's outcome read from the epoll event (no
 * poll, no SO_ERROR), one edge-triggered epoll registration per socket for its whole life (no
 * MOD, and close() removes it: no DEL), a short read taken as "drained" (no read that returns
 * EAGAIN). Half-close is kept (shutdown(SHUT_WR) after one side's EOF) as lb keeps it.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED FfmRelay.java HOST:PORT BACKEND[,...] [LOOPS]}
 * Loopback benchmark use only: no timeouts, no limits, a fixed 16 KiB buffer per direction.
 */
public final class FfmRelay {
  static final int AF_INET = 2, SOCK_STREAM = 1, SOCK_NONBLOCK = 04000, SOL_SOCKET = 1;
  static final int SO_REUSEADDR = 2, SO_REUSEPORT = 15, IPPROTO_TCP = 6, TCP_NODELAY = 1;
  static final int EPOLLIN = 0x1, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10, EPOLLRDHUP = 0x2000;
  static final int EPOLLET = 1 << 31, EPOLL_CTL_ADD = 1, EAGAIN = 11, EINPROGRESS = 115, SHUT_WR = 1;
  static final int EVENT_SIZE = 12; // struct epoll_event is packed on x86_64: u32 events, u64 data
  static final int MAX_EVENTS = 256, BUFFER = 16 * 1024, MAX_FD = 1 << 17;

  static final Linker LINKER = Linker.nativeLinker();
  static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");
  static final Linker.Option CRITICAL = Linker.Option.critical(false);

  static final MethodHandle SOCKET = fn("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CRITICAL);
  static final MethodHandle SETSOCKOPT = fn("setsockopt",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CRITICAL);
  static final MethodHandle BIND = fn("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  static final MethodHandle LISTEN = fn("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  static final MethodHandle GETSOCKNAME = fn("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  static final MethodHandle ACCEPT4 = fn("accept4",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), ERRNO_OPT, CRITICAL);
  static final MethodHandle CONNECT = fn("connect",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPT, CRITICAL);
  static final MethodHandle READ = fn("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPT, CRITICAL);
  static final MethodHandle WRITE = fn("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPT, CRITICAL);
  static final MethodHandle SHUTDOWN = fn("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CRITICAL);
  static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), CRITICAL);
  static final MethodHandle EPOLL_CREATE1 = fn("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  static final MethodHandle EPOLL_CTL = fn("epoll_ctl",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), CRITICAL);
  static final MethodHandle EPOLL_WAIT = fn("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));

  static MethodHandle fn(String name, FunctionDescriptor d, Linker.Option... options) {
    return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d, options);
  }

  public static void main(String[] args) throws Throwable {
    if (args.length < 2) {
      System.err.println("usage: HOST:PORT BACKEND[,BACKEND...] [LOOPS]");
      System.exit(2);
    }
    String[] listen = args[0].split(":");
    List<MemorySegment> backends = new ArrayList<>();
    for (String b : args[1].split(",")) {
      String[] hp = b.split(":");
      backends.add(sockaddr(Arena.global(), hp[0], Integer.parseInt(hp[1])));
    }
    int loops = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int port = Integer.parseInt(listen[1]);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < loops; i++) {
      Loop loop = new Loop(listen[0], port, backends, i);
      port = loop.port;
      Thread t = new Thread(loop::run, "ffm-loop-" + i);
      threads.add(t);
    }
    threads.forEach(Thread::start);
    System.out.println("listening on " + listen[0] + ":" + port + " (ffm, " + loops + " loops)");
    for (Thread t : threads) {
      t.join();
    }
  }

  static MemorySegment sockaddr(Arena arena, String host, int port) throws Exception {
    MemorySegment sa = arena.allocate(16);
    sa.set(JAVA_SHORT, 0, (short) AF_INET);
    sa.set(JAVA_BYTE, 2, (byte) (port >> 8));
    sa.set(JAVA_BYTE, 3, (byte) port);
    byte[] ip = InetAddress.getByName(host).getAddress();
    for (int i = 0; i < 4; i++) {
      sa.set(JAVA_BYTE, 4 + i, ip[i]);
    }
    return sa;
  }

  /** One thread's epoll loop; per-fd state in arrays indexed by descriptor number. */
  static final class Loop {
    final Arena arena = Arena.ofShared();
    final MemorySegment callState = arena.allocate(CALL_STATE);
    final MemorySegment events = arena.allocate((long) EVENT_SIZE * MAX_EVENTS);
    final MemorySegment one = arena.allocate(EVENT_SIZE);
    final MemorySegment intOne = arena.allocate(JAVA_INT);
    final List<MemorySegment> backends;
    final int listenFd, epfd, port;
    int nextBackend;
    // Per descriptor: the other side, a generation (stale events after close are skipped), whether
    // a connect is in flight, whether its read side saw EOF, whether we shut its write side, and
    // the bytes read from its peer still to be written to it.
    final int[] peer = new int[MAX_FD];
    final int[] generation = new int[MAX_FD];
    final boolean[] connecting = new boolean[MAX_FD];
    final boolean[] readEof = new boolean[MAX_FD];
    final boolean[] writeShut = new boolean[MAX_FD];
    final boolean[] hangupSeen = new boolean[MAX_FD]; // EPOLLRDHUP came: read on to the EOF
    final boolean[] open = new boolean[MAX_FD];
    final MemorySegment[] pending = new MemorySegment[MAX_FD];
    final int[] pendingOff = new int[MAX_FD];
    final int[] pendingLen = new int[MAX_FD];

    Loop(String host, int port, List<MemorySegment> backends, int index) throws Throwable {
      this.backends = backends;
      nextBackend = index;
      intOne.set(JAVA_INT, 0, 1);
      listenFd = (int) SOCKET.invokeExact(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      check((int) SETSOCKOPT.invokeExact(listenFd, SOL_SOCKET, SO_REUSEADDR, intOne, 4), "SO_REUSEADDR");
      check((int) SETSOCKOPT.invokeExact(listenFd, SOL_SOCKET, SO_REUSEPORT, intOne, 4), "SO_REUSEPORT");
      // Accepted sockets inherit TCP_NODELAY from the listener on Linux: one call here, none per client.
      check((int) SETSOCKOPT.invokeExact(listenFd, IPPROTO_TCP, TCP_NODELAY, intOne, 4), "TCP_NODELAY");
      MemorySegment sa = sockaddr(arena, host, port);
      check((int) BIND.invokeExact(listenFd, sa, 16), "bind");
      check((int) LISTEN.invokeExact(listenFd, 1024), "listen");
      MemorySegment len = arena.allocate(JAVA_INT);
      len.set(JAVA_INT, 0, 16);
      check((int) GETSOCKNAME.invokeExact(listenFd, sa, len), "getsockname");
      this.port = ((sa.get(JAVA_BYTE, 2) & 0xff) << 8) | (sa.get(JAVA_BYTE, 3) & 0xff);
      epfd = (int) EPOLL_CREATE1.invokeExact(0);
      check(epfd, "epoll_create1");
      add(listenFd, EPOLLIN);
    }

    static void check(int rc, String what) {
      if (rc < 0) {
        throw new IllegalStateException(what + " failed");
      }
    }

    int errno() {
      return (int) ERRNO.get(callState, 0L);
    }

    void add(int fd, int mask) throws Throwable {
      one.set(JAVA_INT_UNALIGNED, 0, mask);
      one.set(JAVA_LONG_UNALIGNED, 4, ((long) generation[fd] << 32) | fd);
      check((int) EPOLL_CTL.invokeExact(epfd, EPOLL_CTL_ADD, fd, one), "epoll_ctl");
    }

    void run() {
      try {
        while (true) {
          int n = (int) EPOLL_WAIT.invokeExact(epfd, events, MAX_EVENTS, -1);
          for (int i = 0; i < n; i++) {
            int mask = events.get(JAVA_INT_UNALIGNED, (long) i * EVENT_SIZE);
            long data = events.get(JAVA_LONG_UNALIGNED, (long) i * EVENT_SIZE + 4);
            int fd = (int) data;
            if (fd == listenFd) {
              acceptAll();
            } else if (open[fd] && generation[fd] == (int) (data >>> 32)) {
              handle(fd, mask);
            }
          }
        }
      } catch (Throwable t) {
        t.printStackTrace();
        System.exit(1);
      }
    }

    void acceptAll() throws Throwable {
      for (int i = 0; i < 64; i++) {
        int client = (int) ACCEPT4.invokeExact(callState, listenFd, MemorySegment.NULL, MemorySegment.NULL, SOCK_NONBLOCK);
        if (client < 0) {
          return; // EAGAIN: the queue is empty (any other error: try again at the next event)
        }
        int backend = (int) SOCKET.invokeExact(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (backend < 0) {
          int ignored = (int) CLOSE.invokeExact(client);
          continue;
        }
        int ignored = (int) SETSOCKOPT.invokeExact(backend, IPPROTO_TCP, TCP_NODELAY, intOne, 4);
        MemorySegment target = backends.get(Math.floorMod(nextBackend++, backends.size()));
        int rc = (int) CONNECT.invokeExact(callState, backend, target, 16);
        if (rc < 0 && errno() != EINPROGRESS) {
          ignored = (int) CLOSE.invokeExact(client);
          ignored = (int) CLOSE.invokeExact(backend);
          continue;
        }
        opened(client, backend, false);
        opened(backend, client, rc < 0);
        add(client, EPOLLIN | EPOLLRDHUP | EPOLLOUT | EPOLLET);
        add(backend, EPOLLIN | EPOLLRDHUP | EPOLLOUT | EPOLLET);
      }
    }

    void opened(int fd, int other, boolean inFlight) {
      open[fd] = true;
      peer[fd] = other;
      connecting[fd] = inFlight;
      readEof[fd] = false;
      writeShut[fd] = false;
      hangupSeen[fd] = false;
      pendingOff[fd] = 0;
      pendingLen[fd] = 0;
      if (pending[fd] == null) {
        pending[fd] = arena.allocate(BUFFER);
      }
    }

    void handle(int fd, int mask) throws Throwable {
      int other = peer[fd];
      if ((mask & (EPOLLERR | EPOLLHUP)) != 0 && ((mask & EPOLLIN) == 0 || connecting[fd])) {
        closeBoth(fd, other); // a failed connect or a reset: no bytes left to read
        return;
      }
      if (connecting[fd]) {
        if ((mask & EPOLLOUT) == 0) {
          return;
        }
        connecting[fd] = false; // EPOLLOUT without EPOLLERR: the connect succeeded
        readFrom(other); // what the client sent while we connected (edge already consumed)
        if (!open[fd]) {
          return;
        }
      }
      if ((mask & EPOLLOUT) != 0 && pendingLen[fd] > 0) {
        flush(fd);
        if (!open[fd]) {
          return;
        }
        if (pendingLen[fd] == 0) {
          readFrom(other); // room again: the other side stopped reading when this buffer filled
        }
        if (!open[fd]) {
          return;
        }
      }
      if ((mask & EPOLLRDHUP) != 0) {
        hangupSeen[fd] = true;
      }
      if ((mask & (EPOLLIN | EPOLLRDHUP)) != 0) {
        readFrom(fd);
      }
    }

    /** Reads what fd has into its peer's pending buffer and writes it on, until a short read. */
    void readFrom(int fd) throws Throwable {
      int other = peer[fd];
      if (!open[fd] || readEof[fd] || connecting[other]) {
        return; // bytes wait in fd's kernel buffer until the backend is connected
      }
      while (pendingLen[other] == 0) {
        MemorySegment buf = pending[other];
        long n = (long) READ.invokeExact(callState, fd, buf, (long) BUFFER);
        if (n > 0) {
          pendingOff[other] = 0;
          pendingLen[other] = (int) n;
          flush(other);
          if (!open[fd] || (n < BUFFER && !hangupSeen[fd])) {
            return; // a short read emptied the socket; the next bytes bring a new edge
          }
        } else if (n == 0) {
          readEof[fd] = true;
          if (readEof[other]) {
            closeBoth(fd, other); // both directions done: close, no shutdown needed
          } else {
            int ignored = (int) SHUTDOWN.invokeExact(other, SHUT_WR);
            writeShut[other] = true;
          }
          return;
        } else {
          if (errno() != EAGAIN) {
            closeBoth(fd, other);
          }
          return;
        }
      }
    }

    void flush(int fd) throws Throwable {
      while (pendingLen[fd] > 0) {
        long n = (long) WRITE.invokeExact(callState, fd, pending[fd].asSlice(pendingOff[fd]), (long) pendingLen[fd]);
        if (n < 0) {
          if (errno() != EAGAIN) {
            closeBoth(fd, peer[fd]);
          }
          return; // EPOLLOUT's edge brings us back
        }
        pendingOff[fd] += (int) n;
        pendingLen[fd] -= (int) n;
      }
    }

    void closeBoth(int a, int b) throws Throwable {
      for (int fd : new int[] {a, b}) {
        if (open[fd]) {
          open[fd] = false;
          generation[fd]++;
          int ignored = (int) CLOSE.invokeExact(fd);
        }
      }
    }
  }
}
