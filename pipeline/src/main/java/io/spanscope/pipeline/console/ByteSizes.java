package io.spanscope.pipeline.console;

/** Byte counts for people: 512 B, 1.5 KiB, 10.0 MiB. */
public final class ByteSizes {

    private ByteSizes() {
    }

    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }
}
