package io.spanscope.parsers.detect;

import io.spanscope.parsers.record.Protocol;

/**
 * A detector's verdict on the first bytes of one direction.
 *
 * @param protocol the protocol, when {@link Verdict#MATCH}
 * @param fromClient whether the bytes are what the connecting side sends (a request, a startup message);
 *                   decides the role of the observing process when capture did not know it
 */
public record Detection(Verdict verdict, Protocol protocol, boolean fromClient) {

    public enum Verdict { MATCH, NEED_MORE, NO_MATCH }

    public static final Detection NEED_MORE = new Detection(Verdict.NEED_MORE, null, false);
    public static final Detection NO_MATCH = new Detection(Verdict.NO_MATCH, null, false);

    public static Detection clientBytes(Protocol protocol) {
        return new Detection(Verdict.MATCH, protocol, true);
    }

    public static Detection serverBytes(Protocol protocol) {
        return new Detection(Verdict.MATCH, protocol, false);
    }

    public boolean isMatch() {
        return verdict == Verdict.MATCH;
    }
}
