package lb.bench.backend;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import lb.bench.DurationConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Main thread only. {@code bench backend}: runs a test backend until SIGTERM / Ctrl-C or the end
 * of {@code --duration}. Prints one line per listening port first, for scripts to parse.
 */
@Command(name = "backend", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Runs test backends for load tests.",
                "Types: echo (echoes bytes), sink (reads and discards), source (writes an endless stream), http"
                        + " (200 to every GET, keep-alive), tls-echo (TLS with a self-signed EC certificate made at"
                        + " start, CN = --name; echoes the plaintext; with --announce, --name first).",
                "Prints \"<type> backend listening on HOST:PORT\" per port, then serves until SIGTERM/Ctrl-C"
                        + " or the end of --duration."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped", "1:could not listen", "2:usage error"})
public final class BackendCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--type", required = true, converter = BackendType.Converter.class, paramLabel = "TYPE",
            description = "echo, sink, source, http or tls-echo")
    BackendType type;

    @Option(names = "--port", required = true, paramLabel = "PORT",
            description = "port to listen on; repeat for several; 0 picks a free one")
    List<Integer> ports;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "address to listen on (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--duration", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "stop after this long, e.g. 30s (default: until SIGTERM)")
    Duration duration;

    @Option(names = "--name", paramLabel = "NAME",
            description = "tls-echo: the certificate's subject (CN=NAME, and a DNS name when NAME is a host name) and"
                    + " what --announce writes (default: " + TlsEcho.DEFAULT_NAME + ")")
    String name;

    @Option(names = "--announce",
            description = "tls-echo: write NAME and a newline right after the handshake, before echoing, so a client"
                    + " behind a router sees which backend it reached")
    boolean announce;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (int port : ports) {
            if (port < 0 || port > 65535) {
                throw new ParameterException(spec.commandLine(), "--port " + port + " is not a port (0..65535)");
            }
        }
        if (type != BackendType.TLS_ECHO && (name != null || announce)) {
            throw new ParameterException(spec.commandLine(), (name != null ? "--name" : "--announce")
                    + " is for --type tls-echo only");
        }
        if (name != null && (name.isEmpty() || name.length() > 64 || name.contains("\n"))) {
            throw new ParameterException(spec.commandLine(), "--name must be 1..64 characters on one line");
        }
        TlsEcho tls = null;
        if (type == BackendType.TLS_ECHO) {
            try {
                tls = TlsEcho.selfSigned(name == null ? TlsEcho.DEFAULT_NAME : name, announce);
            } catch (GeneralSecurityException e) {
                err.println("cannot make a certificate: " + e);
                return 1;
            }
        }
        TestBackend backend;
        try {
            backend = TestBackend.start(type, InetAddress.getByName(bind), ports, tls);
        } catch (IOException e) {
            err.println("cannot listen on " + bind + " " + ports + ": " + e.getMessage());
            return 1;
        }
        Thread stopOnSignal = new Thread(backend::close, "backend-shutdown");
        Runtime.getRuntime().addShutdownHook(stopOnSignal);
        try {
            for (InetSocketAddress address : backend.addresses()) {
                out.println(type.cliName() + " backend listening on " + address.getAddress().getHostAddress() + ":"
                        + address.getPort());
            }
            out.flush();
            backend.awaitStop(duration == null ? Long.MAX_VALUE : duration.toNanos());
            return 0;
        } finally {
            backend.close();
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnSignal);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it closes the backend too
            }
        }
    }
}
