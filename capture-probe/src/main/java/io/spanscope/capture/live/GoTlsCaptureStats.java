package io.spanscope.capture.live;

/**
 * Go crypto/tls plaintext capture counters of a live capture (part of {@link TlsCaptureStats}).
 *
 * @param attachedBinaries Go executables whose crypto/tls Conn.Write and Conn.Read are probed
 * @param returnProbes RET instructions of those functions probed (Go functions get no return probes)
 * @param strippedBinaries Go executables with crypto/tls but no symbol table: not probed (each logged once)
 * @param unsupportedBinaries Go executables with crypto/tls built for another architecture than amd64, or by Go
 *     before 1.17 (no register ABI): not probed
 * @param undecodableBinaries Go executables whose functions could not be decoded, or no decoder installed: not probed
 * @param unassociatedCalls Go calls with plaintext whose connection was unknown (plaintext lost)
 * @param inFlightTableDrops Go calls not traced because the kernel's in-flight goroutine table refused them
 * @param layoutsFromDwarf attached Go executables whose DWARF gave crypto/tls.Conn's layout: their Reads are
 *     numbered from Go's own record state
 * @param unnumberedReads Reads of such executables whose record Go's state did not show (numbered by the
 *     fallback, which can name the wrong record)
 */
public record GoTlsCaptureStats(
        long attachedBinaries,
        long returnProbes,
        long strippedBinaries,
        long unsupportedBinaries,
        long undecodableBinaries,
        long unassociatedCalls,
        long inFlightTableDrops,
        long layoutsFromDwarf,
        long unnumberedReads) {

    public static final GoTlsCaptureStats DISABLED = new GoTlsCaptureStats(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Go executables with crypto/tls that are not probed, whatever the reason. */
    public long binariesNotProbed() {
        return strippedBinaries + unsupportedBinaries + undecodableBinaries;
    }
}
