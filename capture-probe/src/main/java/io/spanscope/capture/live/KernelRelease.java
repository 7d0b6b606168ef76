package io.spanscope.capture.live;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The running kernel's major.minor version, as {@code uname -r} (/proc/sys/kernel/osrelease) gives it. */
record KernelRelease(int major, int minor) {

    /**
     * The oldest kernel the BPF programs load on: the socket lookup types kernel pointers with the
     * bpf_rdonly_cast kfunc, added in 6.2. Older verifiers reject the whole object with a long log.
     */
    static final KernelRelease MINIMUM = new KernelRelease(6, 2);

    private static final Pattern MAJOR_MINOR = Pattern.compile("^(\\d{1,4})\\.(\\d{1,4})");

    /** "6.1.0-18-amd64" -> 6.1; empty when the text does not start with major.minor. */
    static Optional<KernelRelease> parse(String osRelease) {
        Matcher m = MAJOR_MINOR.matcher(osRelease.trim());
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new KernelRelease(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
    }

    boolean atLeast(KernelRelease other) {
        return major != other.major ? major > other.major : minor >= other.minor;
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
