package lb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lb.testing.Cleanup;
import lb.testing.DaemonProcess;

/**
 * Test thread only. {@code systemd/install.sh} staged under DESTDIR (no root, no systemd) from a
 * copy of the source tree with stand-in jars (this module's jar is built after its tests), and the
 * installed bash completion run by a real bash against a real daemon.
 */
class InstallScriptTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();
    @TempDir
    Path dir;

    private record Run(int exit, String out) {
    }

    private Run run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end");
        }
        return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** A copy of what install.sh reads: systemd/, conf/lb.toml, conf/logrotate.d/lb and the two jars (stand-ins). */
    private Path sourceTree() throws IOException {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("systemd"));
        try (var files = Files.list(REPO.resolve("systemd"))) {
            for (Path f : files.toList()) {
                Files.copy(f, src.resolve("systemd").resolve(f.getFileName()));
            }
        }
        Files.createDirectories(src.resolve("conf"));
        Files.copy(REPO.resolve("conf/lb.toml"), src.resolve("conf/lb.toml"));
        Files.createDirectories(src.resolve("conf/logrotate.d"));
        Files.copy(REPO.resolve("conf/logrotate.d/lb"), src.resolve("conf/logrotate.d/lb"));
        for (String module : List.of("lb-daemon", "lb-cli")) {
            Files.createDirectories(src.resolve(module + "/target"));
            Files.writeString(src.resolve(module + "/target/" + module + ".jar"), "stand-in for " + module);
        }
        return src;
    }

    private Path fakeJava(String version) throws IOException {
        return fakeJava(version, "");
    }

    /** A java that prints VERSION; one given FLAG among its arguments refuses it, as a JVM does. */
    private Path fakeJava(String version, String unknownFlag) throws IOException {
        Path java = dir.resolve("java-" + version.replace('"', '_'));
        String refuse = unknownFlag.isEmpty() ? "" : "case \"$*\" in *" + unknownFlag + "*) "
                + "echo 'Unrecognized VM option' >&2; exit 1;; esac\n";
        Files.writeString(java, "#!/bin/sh\n" + refuse + "echo 'openjdk version \"" + version + "\" 2023-07-18' >&2\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return java;
    }

    @Test
    void refusesAJavaOlderThan17AndSaysHowToGetOne() throws Exception {
        Path src = sourceTree();
        Path stage = dir.resolve("stage");
        for (String old : List.of("11.0.20", "1.8.0_392")) {
            Run run = run(Map.of("DESTDIR", stage.toString(), "JAVA", fakeJava(old).toString()),
                    "sh", src.resolve("systemd/install.sh").toString());
            assertEquals(1, run.exit(), run.out());
            String major = old.startsWith("1.") ? "8" : "11";
            assertTrue(run.out().contains("is Java " + major + "; lb-daemon needs Java 17 or newer"), run.out());
            assertTrue(run.out().contains("apt-get install openjdk-17-jre-headless"), run.out());
            assertFalse(Files.exists(stage.resolve("opt/lb/lb-daemon.jar")), "nothing installed");
        }
    }

    @Test
    void leavesOutOfTheUnitAFlagAnOlderJava17Refuses() throws Exception {
        Path src = sourceTree();
        Path stage = dir.resolve("stage");
        Run run = run(Map.of("DESTDIR", stage.toString(), "JAVA", fakeJava("17.0.2", "TrimNativeHeapInterval").toString()),
                "sh", src.resolve("systemd/install.sh").toString());
        assertEquals(0, run.exit(), run.out());
        assertTrue(run.out().contains("does not know -XX:TrimNativeHeapInterval"), run.out());
        String unit = Files.readString(stage.resolve("etc/systemd/system/lb-daemon.service"));
        assertFalse(unit.contains("-XX:TrimNativeHeapInterval=1000"), unit);
        assertTrue(unit.contains("JAVA_OPTS=-XX:+UseParallelGC -Xms256m -Xmx256m -XX:+AlwaysPreTouch"
                + " -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData\""), unit);
    }

    @Test
    void installsTheLbCliCommandAndItsCompletionAndUninstallsThem() throws Exception {
        Path src = sourceTree();
        Path stage = dir.resolve("stage");
        Path java = fakeJava("17.0.9");
        Map<String, String> env = Map.of("DESTDIR", stage.toString(), "JAVA", java.toString());
        Run install = run(env, "sh", src.resolve("systemd/install.sh").toString(), "--prefix", "/srv/lb");
        assertEquals(0, install.exit(), install.out());
        assertTrue(install.out().contains("is Java 17"), install.out());

        Path wrapper = stage.resolve("usr/local/bin/lb-cli");
        assertTrue(Files.isExecutable(wrapper), install.out());
        String script = Files.readString(wrapper);
        assertTrue(script.contains("-jar /srv/lb/lb-cli.jar \"$@\""), script);
        assertTrue(script.contains("${LB_JAVA:-" + java + "}"), script);
        assertTrue(Files.readString(stage.resolve("etc/systemd/system/lb-daemon.service"))
                .contains("ExecStart=" + java + " $JAVA_OPTS -jar /srv/lb/lb-daemon.jar"));
        assertTrue(Files.readString(stage.resolve("etc/systemd/system/lb-daemon.service"))
                .contains("-XX:TrimNativeHeapInterval=1000\""));
        assertEquals(Files.readString(src.resolve("systemd/lb-cli.bash-completion")),
                Files.readString(stage.resolve("usr/share/bash-completion/completions/lb-cli")));
        assertEquals(Files.readString(src.resolve("conf/logrotate.d/lb")),
                Files.readString(stage.resolve("etc/logrotate.d/lb")), "the access log's rotation");
        assertTrue(Files.readString(stage.resolve("etc/sysctl.d/60-lb.conf")).contains("\nnet.ipv4.tcp_migrate_req = 1\n"),
                "upgrades move queued connections to the new process");
        assertTrue(Files.readString(stage.resolve("etc/systemd/system/lb-upgrade.service"))
                .contains("ExecStart=" + java + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx32m -jar /srv/lb/lb-cli.jar "
                        + "--timeout 70 upgrade --timeout 60"));
        assertTrue(Files.readString(stage.resolve("etc/systemd/system/lb-daemon.service")).contains("\nType=notify\n"
                + "NotifyAccess=all\n"));

        // The wrapper passes every argument through to the jar, quoting intact.
        Path echoJava = dir.resolve("echo-java");
        Files.writeString(echoJava, "#!/bin/sh\nfor a in \"$@\"; do echo \"[$a]\"; done\n");
        Files.setPosixFilePermissions(echoJava, PosixFilePermissions.fromString("rwxr-xr-x"));
        Run called = run(Map.of("LB_JAVA", echoJava.toString()), wrapper.toString(), "drain", "web/a b");
        assertTrue(called.out().endsWith("[-jar]\n[/srv/lb/lb-cli.jar]\n[drain]\n[web/a b]\n"), called.out());

        Run uninstall = run(env, "sh", src.resolve("systemd/install.sh").toString(), "--prefix", "/srv/lb",
                "--uninstall");
        assertEquals(0, uninstall.exit(), uninstall.out());
        assertFalse(Files.exists(wrapper));
        assertFalse(Files.exists(stage.resolve("usr/share/bash-completion/completions/lb-cli")));
        assertFalse(Files.exists(stage.resolve("etc/logrotate.d/lb")));
        assertFalse(Files.exists(stage.resolve("etc/sysctl.d/60-lb.conf")));
        assertFalse(Files.exists(stage.resolve("etc/systemd/system/lb-upgrade.service")));
    }

    @Test
    void bashCompletionOffersCommandsOptionsAndTheDaemonsBackendNames() throws Exception {
        ServerSocket backend1 = cleanup.track(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        ServerSocket backend2 = cleanup.track(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Path socket = dir.resolve("admin.sock");
        Path config = dir.resolve("lb.toml");
        Files.writeString(config, """
                [daemon]
                workers = 1
                admin_socket = "%s"
                [[listener]]
                name = "front"
                bind = "127.0.0.1:0"
                pool = "web"
                [[pool]]
                name = "web"
                [[pool.backend]]
                name = "web-1"
                address = "127.0.0.1:%d"
                [[pool.backend]]
                name = "web-2"
                address = "127.0.0.1:%d"
                """.formatted(socket, backend1.getLocalPort(), backend2.getLocalPort()));
        DaemonProcess daemon = cleanup.track(DaemonProcess.start("--config", config.toString()));
        daemon.awaitLine(DaemonProcess.READY_LINE, TIMEOUT);

        // lb-cli on PATH as an operator has it, run from this test's classes.
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path lbCli = bin.resolve("lb-cli");
        Files.writeString(lbCli, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("java.class.path") + "' lb.cli.LbCli \"$@\"\n");
        Files.setPosixFilePermissions(lbCli, PosixFilePermissions.fromString("rwxr-xr-x"));
        String bash = """
                source '%s'
                complete_line() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _lb_cli; echo "$*: ${COMPREPLY[*]}"; }
                complete_line lb-cli dr
                complete_line lb-cli drain ''
                complete_line lb-cli drain --th
                complete_line lb-cli explain 10.0.0.1 ''
                complete_line lb-cli --socket ''
                """.formatted(REPO.resolve("systemd/lb-cli.bash-completion"));
        Run run = run(Map.of("PATH", bin + ":" + System.getenv("PATH"), "LB_ADMIN_SOCKET", socket.toString()),
                "bash", "-c", bash);
        assertEquals(0, run.exit(), run.out());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.contains("lb-cli dr: drain"), run.out());
        assertTrue(lines.contains("lb-cli drain : web/web-1 web/web-2"), run.out());
        assertTrue(lines.contains("lb-cli drain --th: --then"), run.out());
        assertTrue(lines.contains("lb-cli explain 10.0.0.1 : front"), run.out());
        assertTrue(lines.contains("lb-cli --socket : "), run.out()); // a path: left to the shell
    }
}
