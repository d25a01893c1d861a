package lb.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The wheel driven by a hand-advanced clock: no sleeping, exact expectations. */
class TimerWheelTest {

    private static final long TICK = 10;
    private final List<String> fired = new ArrayList<>();

    private final class Recording extends TimerWheel.Timer {
        private final String name;
        long firedAtNs = -1;

        Recording(String name) {
            this.name = name;
        }

        @Override
        protected void onTimeout(long nowNs) {
            firedAtNs = nowNs;
            fired.add(name);
        }
    }

    @Test
    void aTimerThatThrowsIsHandedItsFailureAndTheOthersStillFire() {
        TimerWheel wheel = new TimerWheel(TICK, 8, 0);
        List<Throwable> failed = new ArrayList<>();
        TimerWheel.Timer bad = new TimerWheel.Timer() {
            @Override
            protected void onTimeout(long nowNs) {
                throw new IllegalStateException("injected");
            }

            @Override
            protected void onTimeoutFailed(Throwable cause) {
                failed.add(cause);
            }
        };
        wheel.schedule(new Recording("before"), 5);
        wheel.schedule(bad, 5);
        wheel.schedule(new Recording("after"), 5);
        assertEquals(3, wheel.poll(10, 100));
        assertEquals(java.util.Set.of("before", "after"), java.util.Set.copyOf(fired));
        assertEquals(1, failed.size());
        assertEquals("injected", failed.get(0).getMessage());
        assertEquals(1, wheel.failures());
        assertEquals(0, wheel.size());
    }

    @Test
    void timerFiresAtTheFirstTickBoundaryAfterItsDeadlineAndNeverBefore() {
        TimerWheel wheel = new TimerWheel(TICK, 8, 0);
        Recording t = new Recording("t");
        wheel.schedule(t, 25);
        assertEquals(0, wheel.poll(24, 100));
        assertEquals(0, wheel.poll(25, 100));
        assertEquals(0, wheel.poll(29, 100));
        assertTrue(t.isScheduled());
        assertEquals(1, wheel.poll(30, 100));
        assertEquals(30, t.firedAtNs);
        assertFalse(t.isScheduled());
        assertEquals(0, wheel.size());
    }

    @Test
    void timerBeyondOneRevolutionWaitsForItsRound() {
        TimerWheel wheel = new TimerWheel(TICK, 8, 0); // one revolution = 80
        Recording far = new Recording("far");
        wheel.schedule(far, 205);
        for (long now = 0; now < 205; now += 5) {
            wheel.poll(now, 100);
        }
        assertEquals(List.of(), fired);
        wheel.poll(209, 100);
        assertEquals(List.of(), fired);
        wheel.poll(210, 100);
        assertEquals(List.of("far"), fired);
    }

    @Test
    void cancelledTimerNeverFires() {
        TimerWheel wheel = new TimerWheel(TICK, 8, 0);
        Recording a = new Recording("a");
        Recording b = new Recording("b");
        wheel.schedule(a, 30);
        wheel.schedule(b, 30);
        wheel.cancel(a);
        wheel.cancel(a); // harmless twice
        wheel.poll(100, 100);
        assertEquals(List.of("b"), fired);
    }

    @Test
    void reschedulingMovesTheTimer() {
        TimerWheel wheel = new TimerWheel(TICK, 8, 0);
        Recording t = new Recording("t");
        wheel.schedule(t, 30);
        wheel.schedule(t, 60);
        assertEquals(1, wheel.size());
        wheel.poll(59, 100);
        assertEquals(List.of(), fired);
        wheel.poll(70, 100);
        assertEquals(List.of("t"), fired);
    }

    @Test
    void deadlineInThePastFiresOnNextPoll() {
        TimerWheel wheel = new TimerWheel(TICK, 8, 0);
        wheel.poll(500, 100);
        Recording late = new Recording("late");
        wheel.schedule(late, 100);
        wheel.poll(509, 100);
        assertEquals(List.of(), fired);
        wheel.poll(510, 100);
        assertEquals(List.of("late"), fired);
    }

    @Test
    void longStallFiresEverythingDueInOnePoll() {
        TimerWheel wheel = new TimerWheel(TICK, 8, 0);
        for (int i = 0; i < 20; i++) {
            wheel.schedule(new Recording("t" + i), 10L * i);
        }
        assertEquals(20, wheel.poll(10_000, 100));
        assertEquals(0, wheel.size());
    }

    @Test
    void pollLimitDefersTheRestWithoutLosingThem() {
        TimerWheel wheel = new TimerWheel(TICK, 8, 0);
        for (int i = 0; i < 10; i++) {
            wheel.schedule(new Recording("t" + i), 15);
        }
        assertEquals(4, wheel.poll(20, 4));
        assertEquals(4, wheel.poll(21, 4));
        assertEquals(2, wheel.poll(22, 4));
        assertEquals(10, fired.size());
    }

    @Test
    void timerRescheduledFromItsOwnCallbackIntoTheCurrentTickIsNotLost() {
        TimerWheel wheel = new TimerWheel(TICK, 8, 0);
        TimerWheel.Timer again = new TimerWheel.Timer() {
            int runs;

            @Override
            protected void onTimeout(long nowNs) {
                fired.add("run" + (++runs));
                if (runs == 1) {
                    wheel.schedule(this, nowNs + 1);
                }
            }
        };
        wheel.schedule(again, 20);
        wheel.poll(30, 100);
        assertEquals(List.of("run1"), fired);
        wheel.poll(40, 100);
        assertEquals(List.of("run1", "run2"), fired);
    }

    @Test
    void nextTickSkipsEmptySlots() {
        TimerWheel wheel = new TimerWheel(TICK, 8, 0);
        assertEquals(-1, wheel.nanosUntilNextTick(0));
        wheel.schedule(new Recording("t"), 55);
        assertEquals(60, wheel.nanosUntilNextTick(0), "wake at the end of the tick that holds the timer");
        wheel.poll(47, 100);
        assertEquals(13, wheel.nanosUntilNextTick(47));
        assertEquals(0, wheel.nanosUntilNextTick(75), "elapsed ticks not yet polled: poll at once");
    }
}
