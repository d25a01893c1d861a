package lb.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import lb.Daemon;
import lb.testing.Cleanup;
import lb.testing.Await;
import lb.testing.Client;
import lb.testing.Payload;
import lb.testing.ScriptedBackend;
import lb.testing.TestConfigs;

/** A FIN in one direction is relayed as a FIN, and the other direction keeps flowing until it ends too. */
class HalfCloseTest {

    private static final int REQUEST_SIZE = 3 * 1024 * 1024;
    private static final int ANSWER_SIZE = 1024 * 1024;
    private static final int SHA_SIZE = 32;

    @RegisterExtension
    final Cleanup cleanup = new Cleanup();

    /** Reads to EOF; returns {count, sha256} of what was read. */
    private static Object[] drain(InputStream in) throws Exception {
        MessageDigest digest = Payload.sha256();
        byte[] chunk = new byte[64 * 1024];
        long count = 0;
        int n;
        while ((n = in.read(chunk)) >= 0) {
            digest.update(chunk, 0, n);
            count += n;
        }
        return new Object[] {count, digest.digest()};
    }

    @Test
    void backendAnswersAfterClientHalfCloseAndClientGetsAllOfItThenEof() throws Exception {
        byte[] request = Payload.random(1, REQUEST_SIZE);
        byte[] answer = Payload.random(2, ANSWER_SIZE);
        // The backend answers only once it has read the client's EOF: the relay must have passed the
        // client's FIN on while keeping the backend-to-client direction open.
        ScriptedBackend backend = cleanup.track(ScriptedBackend.start("late-answer", (socket, self) -> {
            Object[] got = drain(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeLong((Long) got[0]);
            out.write((byte[]) got[1]);
            out.write(answer);
            out.write(Payload.sha256(answer));
            out.flush();
        }));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(backend.address()).halfCloseTimeout(Duration.ZERO).build()));

        byte[] reply;
        try (Client client = Client.connect(daemon.listenerAddress(TestConfigs.LISTENER))) {
            client.send(request);
            client.shutdownOutput();
            reply = client.readToEnd(ANSWER_SIZE + 1024); // ends at EOF, or fails on timeout
        }

        assertEquals(8 + SHA_SIZE + ANSWER_SIZE + SHA_SIZE, reply.length, "bytes the client got before EOF");
        ByteBuffer r = ByteBuffer.wrap(reply);
        assertEquals(REQUEST_SIZE, r.getLong(), "bytes the backend got before EOF");
        byte[] requestSha = new byte[SHA_SIZE];
        r.get(requestSha);
        assertArrayEquals(Payload.sha256(request), requestSha, "sha256 of what the backend got");
        byte[] answerGot = Arrays.copyOfRange(reply, 8 + SHA_SIZE, 8 + SHA_SIZE + ANSWER_SIZE);
        assertArrayEquals(Payload.sha256(answer), Payload.sha256(answerGot), "sha256 of the answer the client got");
        assertArrayEquals(Payload.sha256(answer), Arrays.copyOfRange(reply, reply.length - SHA_SIZE, reply.length),
                "trailing checksum the backend sent");
        assertEquals(List.of(), backend.failures(), "backend script failures");
        Await.until(() -> daemon.activeSessions() == 0, Duration.ofSeconds(2),
                () -> "session still open after both directions ended: " + daemon.activeSessions());
    }

    @Test
    void backendHalfCloseLetsTheClientKeepSending() throws Exception {
        byte[] early = Payload.random(3, 100 * 1024);
        byte[] upload = Payload.random(4, 2 * 1024 * 1024);
        CompletableFuture<Object[]> backendGot = new CompletableFuture<>();
        ScriptedBackend backend = cleanup.track(ScriptedBackend.start("early-fin", (socket, self) -> {
            socket.getOutputStream().write(early);
            socket.shutdownOutput(); // the backend is done talking, but still listens
            backendGot.complete(drain(socket.getInputStream()));
        }));
        Daemon daemon = cleanup.track(Daemon.start(TestConfigs.balancing(backend.address()).halfCloseTimeout(Duration.ZERO).build()));

        try (Client client = Client.connect(daemon.listenerAddress(TestConfigs.LISTENER))) {
            // The backend's FIN arrives as EOF while the client's own direction is still open.
            byte[] got = client.readToEnd(early.length + 1024);
            assertArrayEquals(Payload.sha256(early), Payload.sha256(got), "sha256 of the backend's bytes before its EOF ("
                    + got.length + " of " + early.length + " bytes)");
            for (int offset = 0; offset < upload.length; offset += 48 * 1024) {
                client.send(upload, offset, Math.min(48 * 1024, upload.length - offset));
            }
            client.shutdownOutput();
            Object[] result = backendGot.get(10, TimeUnit.SECONDS);
            assertEquals((long) upload.length, result[0], "bytes the backend got after it half-closed");
            assertArrayEquals(Payload.sha256(upload), (byte[]) result[1], "sha256 of what the backend got");
        }
        assertEquals(List.of(), backend.failures(), "backend script failures");
        Await.until(() -> daemon.activeSessions() == 0, Duration.ofSeconds(2),
                () -> "session still open after both directions ended: " + daemon.activeSessions());
    }
}
