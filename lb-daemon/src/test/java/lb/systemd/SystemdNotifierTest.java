package lb.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import lb.testing.LogCapture;

/** Test thread only (and the senders it starts). Real Unix datagram sockets stand in for systemd. */
class SystemdNotifierTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void eachMessageArrivesAsOneDatagramAtAPath() throws Exception {
        try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"));
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(systemd.env())) {
            assertTrue(notifier.enabled());
            assertEveryMessageArrives(notifier, systemd);
        }
    }

    @Test
    void eachMessageArrivesAsOneDatagramAtAnAbstractAddress() throws Exception {
        try (NotifySocket systemd = NotifySocket.abstractAddress();
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(systemd.env())) {
            assertTrue(systemd.name().startsWith("@lb-test-"));
            assertTrue(notifier.enabled());
            assertEveryMessageArrives(notifier, systemd);
        }
    }

    private static void assertEveryMessageArrives(SystemdNotifier notifier, NotifySocket systemd) throws Exception {
        assertTrue(notifier.ready());
        assertEquals("READY=1", systemd.receive(WAIT));
        assertTrue(notifier.status("serving 3 pools"));
        assertEquals("STATUS=serving 3 pools", systemd.receive(WAIT));
        assertTrue(notifier.mainPid(123));
        assertEquals("MAINPID=123", systemd.receive(WAIT));
        assertTrue(notifier.watchdog());
        assertEquals("WATCHDOG=1", systemd.receive(WAIT));
        assertTrue(notifier.readyAgain());
        assertEquals("READY=1", systemd.receive(WAIT));
        assertTrue(notifier.stopping());
        assertEquals("STOPPING=1", systemd.receive(WAIT));
        assertEquals(0, systemd.drain(), "one datagram per message, nothing else");
    }

    @Test
    void severalAssignmentsGoInOneDatagramOnePerLine() throws Exception {
        try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"));
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(systemd.env())) {
            assertTrue(notifier.send("STATUS=draining", "EXTEND_TIMEOUT_USEC=30000000"));
            assertEquals("STATUS=draining\nEXTEND_TIMEOUT_USEC=30000000", systemd.receive(WAIT));
        }
    }

    @Test
    void statusIsOneLineWithControlCharactersReplaced() throws Exception {
        try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"));
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(systemd.env())) {
            // A newline in a status must not become a second assignment (READY=1 here).
            assertTrue(notifier.status("pool web\nREADY=1\tdown\u001b[31m\u007f ok"));
            assertEquals("STATUS=pool web READY=1 down [31m  ok", systemd.receive(WAIT));
            assertTrue(notifier.status(null));
            assertEquals("STATUS=", systemd.receive(WAIT));
            assertTrue(notifier.status("µs, ünïcode"));
            assertEquals("STATUS=µs, ünïcode", systemd.receive(WAIT));
        }
    }

    @Test
    void reloadingCarriesTheMonotonicClockInMicroseconds() throws Exception {
        try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"));
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(systemd.env())) {
            long beforeUsec = System.nanoTime() / 1_000;
            assertTrue(notifier.reloading());
            long afterUsec = System.nanoTime() / 1_000;
            String[] lines = systemd.receive(WAIT).split("\n");
            assertEquals("RELOADING=1", lines[0]);
            assertTrue(lines[1].startsWith("MONOTONIC_USEC="), lines[1]);
            long usec = Long.parseLong(lines[1].substring("MONOTONIC_USEC=".length()));
            assertTrue(usec >= beforeUsec && usec <= afterUsec, usec + " in [" + beforeUsec + ", " + afterUsec + "]");
        }
    }

    @Test
    void withoutNotifySocketEverySendIsANoOp() {
        for (Map<String, String> env : List.of(Map.<String, String>of(), Map.of(SystemdNotifier.NOTIFY_SOCKET, ""))) {
            SystemdNotifier notifier = SystemdNotifier.fromEnvironment(env);
            assertFalse(notifier.enabled(), env.toString());
            assertFalse(notifier.ready());
            assertFalse(notifier.status("x"));
            assertFalse(notifier.stopping());
            assertFalse(notifier.mainPid(1));
            assertFalse(notifier.watchdog());
            assertFalse(notifier.send("A=1"));
            notifier.close();
        }
    }

    @Test
    void aRelativeOrVsockAddressIsNotUsed() {
        for (String value : List.of("run/notify", "vsock:2:1234", "@")) {
            try (LogCapture log = LogCapture.start()) {
                SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of(SystemdNotifier.NOTIFY_SOCKET, value));
                assertFalse(notifier.enabled(), value);
                assertEquals(1, log.lines(Pattern.compile(Pattern.quote("NOTIFY_SOCKET=" + value + " is neither"))).size());
            }
        }
    }

    @Test
    void theEnvironmentIsLeftAlone() throws Exception {
        try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"))) {
            Map<String, String> env = new HashMap<>(systemd.env());
            try (SystemdNotifier notifier = SystemdNotifier.fromEnvironment(env)) {
                notifier.ready();
            }
            assertEquals(systemd.env(), env, "NOTIFY_SOCKET stays for a process started for an upgrade");
        }
    }

    @Test
    void aSocketThatIsNotThereFailsQuietlyWithOneLogLine() {
        Path missing = dir.resolve("no-such-socket");
        try (LogCapture log = LogCapture.start();
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of(SystemdNotifier.NOTIFY_SOCKET, missing.toString()))) {
            assertTrue(notifier.enabled());
            assertFalse(notifier.ready());
            assertFalse(notifier.status("still here"));
            assertFalse(notifier.watchdog());
            List<String> lines = log.lines(Pattern.compile(Pattern.quote(missing.toString())));
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).contains("could not notify systemd") && lines.get(0).contains("READY=1"), lines.get(0));
        }
    }

    @Test
    void aTooLongPathFailsQuietly() {
        String path = dir.resolve("x".repeat(200)).toString();
        try (LogCapture log = LogCapture.start();
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of(SystemdNotifier.NOTIFY_SOCKET, path))) {
            assertFalse(notifier.ready());
            assertEquals(1, log.lines(Pattern.compile(Pattern.quote(path))).size());
        }
    }

    @Test
    void theSocketComingBackIsUsedAgain() throws Exception {
        Path path = dir.resolve("notify");
        try (SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of(SystemdNotifier.NOTIFY_SOCKET, path.toString()))) {
            assertFalse(notifier.ready(), "nobody listens yet");
            try (NotifySocket systemd = NotifySocket.atPath(path)) {
                assertTrue(notifier.ready());
                assertEquals("READY=1", systemd.receive(WAIT));
            }
        }
    }

    @Test
    @Timeout(30)
    void aFullQueueDropsTheMessageInsteadOfBlocking() throws Exception {
        try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"));
             LogCapture log = LogCapture.start();
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(systemd.env())) {
            // systemd that reads nothing: the kernel queues a few datagrams (net.unix.max_dgram_qlen,
            // 10 to 512) and then a blocking send would wait for good.
            int sent = 0;
            while (notifier.status("message " + sent)) {
                sent++;
                assertTrue(sent < 100_000, "a send failed at some point");
            }
            assertTrue(sent > 0);
            assertFalse(notifier.watchdog(), "still full");
            assertEquals(1, log.lines(Pattern.compile("could not notify systemd.*queue is full")).size());
            assertEquals("STATUS=message 0", systemd.receive(WAIT), "what was queued arrives");
            assertEquals(sent - 1, systemd.drain());
            assertTrue(notifier.ready(), "room again");
            assertEquals("READY=1", systemd.receive(WAIT));
        }
    }

    @Test
    void sendsFromManyThreadsArriveWhole() throws Exception {
        int threads = 4;
        int each = 25;
        try (NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"));
             SystemdNotifier notifier = SystemdNotifier.fromEnvironment(systemd.env())) {
            CountDownLatch go = new CountDownLatch(1);
            Map<String, Integer> seen = new HashMap<>();
            Pattern whole = Pattern.compile("STATUS=(t\\d) \\d+\nX=\\d");
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Thread sender = new Thread(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < each; i++) {
                            // The queue holds only a few: retry a dropped one (the test reads meanwhile).
                            while (!notifier.send("STATUS=t" + thread + " " + i, "X=" + thread)) {
                                Thread.onSpinWait();
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "sender-" + t);
                sender.setDaemon(true);
                sender.start();
            }
            go.countDown();
            for (int n = 0; n < threads * each; n++) {
                String datagram = systemd.receive(WAIT);
                Matcher m = whole.matcher(String.valueOf(datagram));
                assertTrue(m.matches() && datagram.endsWith("X=" + m.group(1).substring(1)), String.valueOf(datagram));
                seen.merge(m.group(1), 1, Integer::sum);
            }
            assertEquals(threads, seen.size(), seen.toString());
            assertTrue(seen.values().stream().allMatch(n -> n == each), seen.toString());
        }
    }
}
