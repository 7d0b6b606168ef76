package io.spanscope.capture.pcap;

import java.nio.file.Path;

/** Where the committed test captures are, for tests of other packages. */
public final class CaptureFiles {

    private CaptureFiles() {
    }

    public static Path testPcap(String name) {
        return CaptureSidecars.testPcaps().resolve(name);
    }
}
