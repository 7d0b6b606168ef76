package io.spanscope.capture.file;

import java.io.IOException;

/** The file is not a readable spanscope event file (bad magic, unsupported version, truncated header). */
public final class EventFileFormatException extends IOException {

    public EventFileFormatException(String message) {
        super(message);
    }
}
