package lb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Test thread. Lines as slf4j-simple writes them under systemd, with the priorities journald reads. */
class JournalStreamTest {

    @Test
    void eachLineGetsItsLevelsPriorityAndAStackTraceItsLogLines() {
        ByteArrayOutputStream journal = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(new JournalStream(journal), true, StandardCharsets.UTF_8);
        err.println("[lb-health] WARN lb.health.ActiveChecks - backend web/a is DOWN");
        err.println("[EventLoop-0] ERROR lb.loop.EventLoop - EventLoop-0 died");
        err.println("java.lang.AssertionError: injected");
        err.println("\tat lb.loop.EventLoop.run(EventLoop.java:211)");
        err.print("[main] INFO lb.Daemon - ready\n[main] DEBUG lb.X - detail\n");
        err.println("lb-daemon: thread EventLoop-0 died");
        assertEquals("""
                <4>[lb-health] WARN lb.health.ActiveChecks - backend web/a is DOWN
                <3>[EventLoop-0] ERROR lb.loop.EventLoop - EventLoop-0 died
                <3>java.lang.AssertionError: injected
                <3>\tat lb.loop.EventLoop.run(EventLoop.java:211)
                <6>[main] INFO lb.Daemon - ready
                <7>[main] DEBUG lb.X - detail
                <3>lb-daemon: thread EventLoop-0 died
                """, journal.toString(StandardCharsets.UTF_8));
    }
}
