package io.spanscope.pipeline.console;

import io.spanscope.capture.event.CaptureClock;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Event timestamps as the consoles print them: local wall-clock time to the millisecond. */
final class ConsoleTime {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private ConsoleTime() {
    }

    static String format(CaptureClock clock, long timestampNs) {
        return TIME.format(Instant.ofEpochSecond(0, clock.toEpochNanos(timestampNs)));
    }
}
