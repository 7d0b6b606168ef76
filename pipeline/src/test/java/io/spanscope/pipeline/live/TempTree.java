package io.spanscope.pipeline.live;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removes a directory a test or benchmark made for a server's data: those reach gigabytes. */
final class TempTree {

    private TempTree() {
    }

    /** Deletes {@code dir} and everything under it; a missing directory is fine. */
    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
