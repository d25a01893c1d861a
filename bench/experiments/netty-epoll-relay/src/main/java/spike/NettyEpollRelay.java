package spike;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Main thread sets up; each Netty event loop owns the listening socket it binds and every
 * connection accepted on it (client and backend channel on the same loop, as in lb).
 *
 * <p>An experiment for issue 13, not part of lb: the smallest relay that does what lb's data path
 * does for a new connection (accept, connect a backend round-robin, start reading the client once
 * the backend is connected, relay both ways, close the other side after the last bytes), once over
 * Netty's native epoll transport and once over its java.nio transport, so that the system calls
 * and CPU a native channel layer would save can be measured against HAProxy and lb on the same
 * load. Usage: {@code java -jar netty-epoll-relay.jar HOST:PORT BACKEND[,BACKEND...] epoll|nio [THREADS]}.
 */
public final class NettyEpollRelay {

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: HOST:PORT BACKEND[,BACKEND...] epoll|nio [THREADS]");
      System.exit(2);
    }
    InetSocketAddress listen = address(args[0]);
    List<InetSocketAddress> backends = new ArrayList<>();
    for (String b : args[1].split(",")) {
      backends.add(address(b));
    }
    boolean epoll = args[2].equals("epoll");
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    IoHandlerFactory handlers = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, handlers);
    Class<? extends ServerChannel> serverType =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    Class<? extends Channel> clientType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    AtomicInteger next = new AtomicInteger();
    int port = listen.getPort();
    // One SO_REUSEPORT socket per loop, accepted connections kept on the loop that accepted them
    // (lb's accept = "reuseport"), so no connection crosses threads.
    for (EventExecutor executor : group) {
      EventLoop loop = (EventLoop) executor;
      ServerBootstrap server = new ServerBootstrap()
          .group(loop, loop)
          .channel(serverType)
          .option(ChannelOption.SO_BACKLOG, 1024)
          .childOption(ChannelOption.AUTO_READ, false)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel client) {
              client.pipeline().addLast(new Front(clientType, backends, next));
            }
          });
      if (epoll) {
        server.option(EpollChannelOption.SO_REUSEPORT, true);
      } else {
        server.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
      }
      Channel bound = server.bind(listen.getHostString(), port).sync().channel();
      port = ((InetSocketAddress) bound.localAddress()).getPort();
    }
    System.out.println("listening on " + listen.getHostString() + ":" + port + " (" + args[2] + ", "
        + threads + " loops)");
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  /** The client side of one connection: connects the backend, then relays client bytes to it. */
  private static final class Front extends ChannelInboundHandlerAdapter {
    private final Class<? extends Channel> clientType;
    private final List<InetSocketAddress> backends;
    private final AtomicInteger next;
    private Channel backend;

    Front(Class<? extends Channel> clientType, List<InetSocketAddress> backends, AtomicInteger next) {
      this.clientType = clientType;
      this.backends = backends;
      this.next = next;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel client = ctx.channel();
      InetSocketAddress target = backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
      var connected = new Bootstrap()
          .group(client.eventLoop())
          .channel(clientType)
          .option(ChannelOption.AUTO_READ, false)
          .option(ChannelOption.TCP_NODELAY, true)
          .handler(new Back(client))
          .connect(target);
      backend = connected.channel();
      connected.addListener((ChannelFutureListener) f -> {
        if (f.isSuccess()) {
          client.read();
        } else {
          client.close();
        }
      });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      backend.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
        if (f.isSuccess()) {
          ctx.channel().read();
        } else {
          f.channel().close();
        }
      });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (backend != null) {
        closeAfterFlush(backend);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      closeAfterFlush(ctx.channel());
    }
  }

  /** The backend side of one connection: relays backend bytes to the client. */
  private static final class Back extends ChannelInboundHandlerAdapter {
    private final Channel client;

    Back(Channel client) {
      this.client = client;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      client.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
        if (f.isSuccess()) {
          ctx.channel().read();
        } else {
          f.channel().close();
        }
      });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closeAfterFlush(client);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      closeAfterFlush(ctx.channel());
    }
  }

  private static void closeAfterFlush(Channel channel) {
    if (channel.isActive()) {
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
